// Building blocks of the dashboard's action forms: plain POST forms that work without JavaScript
// (the server answers 303 back to the page). Every value is escaped here.
import { esc } from '../html.js';
import type { DashboardOrder } from './kinds.js';

/** The order page's URL (kind and merchant in the query, so two merchants' equal ids stay apart). */
export function orderHref(order: Pick<DashboardOrder, 'kind' | 'id' | 'platformId'>, extra = ''): string {
  const q = new URLSearchParams({ kind: order.kind, platform_id: order.platformId });
  return `/orders/${encodeURIComponent(order.id)}?${q.toString()}${extra ? `&${extra}` : ''}`;
}

/** A POST form to /orders/{id}/{action}; `body` is trusted HTML built from these helpers. */
export function actionForm(order: DashboardOrder, action: string, body: string, className = ''): string {
  return `<form method="post" action="/orders/${esc(encodeURIComponent(order.id))}/${esc(action)}"${className ? ` class="${esc(className)}"` : ''}>
<input type="hidden" name="kind" value="${esc(order.kind)}"><input type="hidden" name="platform_id" value="${esc(order.platformId)}">
${body}</form>`;
}

export function button(text: string, testId: string, attrs = ''): string {
  return `<button type="submit" data-testid="${esc(testId)}"${attrs ? ` ${attrs}` : ''}>${esc(text)}</button>`;
}

/** A labelled <select>; `options` are [value, text]. */
export function select(
  id: string,
  name: string,
  label: string,
  options: [string, string][],
  selected?: string,
): string {
  return `<label for="${esc(id)}">${esc(label)}</label><select id="${esc(id)}" name="${esc(name)}">${options
    .map(([v, t]) => `<option value="${esc(v)}"${v === selected ? ' selected' : ''}>${esc(t)}</option>`)
    .join('')}</select>`;
}

/** A labelled number input (whole numbers unless `step` says otherwise). */
export function numberInput(
  id: string,
  name: string,
  label: string,
  opts: {
    min?: number;
    max?: number;
    step?: string;
    value?: string;
    testId?: string;
    hint?: string;
    required?: boolean;
  } = {},
): string {
  const hint = opts.hint ? `<span class="hint" id="${esc(id)}-hint">${esc(opts.hint)}</span>` : '';
  return `<label for="${esc(id)}">${esc(label)}</label><input id="${esc(id)}" name="${esc(name)}" type="number" inputmode="${opts.step && opts.step !== '1' ? 'decimal' : 'numeric'}" step="${esc(opts.step ?? '1')}"${opts.min === undefined ? '' : ` min="${opts.min}"`}${opts.max === undefined ? '' : ` max="${opts.max}"`}${opts.value === undefined ? '' : ` value="${esc(opts.value)}"`}${opts.testId ? ` data-testid="${esc(opts.testId)}"` : ''}${opts.required ? ' required' : ''}${hint ? ` aria-describedby="${esc(id)}-hint"` : ''}>${hint}`;
}

export function checkbox(id: string, name: string, label: string, checked = false): string {
  return `<span class="check"><input id="${esc(id)}" name="${esc(name)}" type="checkbox" value="1"${checked ? ' checked' : ''}><label for="${esc(id)}">${esc(label)}</label></span>`;
}

/** A labelled one-line text input. */
export function textInput(
  id: string,
  name: string,
  label: string,
  opts: { maxLength?: number } = {},
): string {
  return `<label for="${esc(id)}">${esc(label)}</label><input id="${esc(id)}" name="${esc(name)}" type="text"${opts.maxLength === undefined ? '' : ` maxlength="${opts.maxLength}"`}>`;
}
