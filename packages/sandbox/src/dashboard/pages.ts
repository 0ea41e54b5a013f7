// The dashboard's server-rendered pages: the order list, an order's page and the faults page. They
// are complete without JavaScript; the inline script only swaps the [data-live] regions when
// something changes. Every value is escaped with esc().
import { formatKrw } from '@diamondpay/core';
import type { SandboxBalance } from '../balances.js';
import { ENDPOINTS, FAULT_KINDS, type Faults } from '../faults.js';
import { esc, FAVICON_LINK } from '../html.js';
import type { DeliveryAttempt } from '../notifier.js';
import type { SandboxMerchant } from '../orders.js';
import type { HistoryEntry } from './events.js';
import { button, checkbox, numberInput, orderHref, select } from './forms.js';
import type { DashboardOrder, OrderKind } from './kinds.js';
import { DASHBOARD_CSS, DASHBOARD_JS } from './styles.js';

type Section = 'orders' | 'faults';

/** A page's message after a redirect: `notice` (done) or `error` (refused). */
export interface Flash {
  notice?: string | undefined;
  error?: string | undefined;
}

function layout(title: string, section: Section, body: string): string {
  const nav = (href: string, name: Section, text: string) =>
    `<a href="${href}"${section === name ? ' aria-current="page"' : ''}>${text}</a>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)} · Diamond Pay sandbox</title>${FAVICON_LINK}<style>${DASHBOARD_CSS}</style></head>
<body><a class="skip" href="#main">Skip to content</a>
<header class="top"><p class="brand">Diamond Pay sandbox</p>
<nav aria-label="Dashboard">${nav('/', 'orders', 'Orders')}${nav('/faults', 'faults', 'Faults')}</nav>
<span class="live" data-testid="live-indicator" data-state="off" aria-live="polite">Reload to update</span></header>
<main id="main">${body}</main>
<script>${DASHBOARD_JS}</script></body></html>`;
}

function flash(f: Flash): string {
  return `${f.notice ? `<p class="notice" role="status" data-testid="notice">${esc(f.notice)}</p>` : ''}${
    f.error ? `<p class="error" role="alert" data-testid="error">${esc(f.error)}</p>` : ''
  }`;
}

const stateBadge = (state: string) =>
  `<span class="state state-${esc(state)}" data-testid="order-status">${esc(state)}</span>`;

const time = (seconds: number) => new Date(seconds * 1000).toISOString().replace('T', ' ').slice(0, 19);
const timeMs = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 23);

export interface ListQuery {
  merchant: string;
  state: string;
  kind: string;
}

/** The order list, newest first, with its filters. */
export function renderOrderList(
  orders: DashboardOrder[],
  kinds: readonly OrderKind[],
  merchants: readonly SandboxMerchant[],
  query: ListQuery,
  deliveryCount: (o: DashboardOrder) => { sent: number; acked: boolean },
  balances: readonly SandboxBalance[] = [],
): string {
  const states = [...new Set(kinds.flatMap((k) => k.states))];
  const option = (value: string, text: string, selected: string) =>
    `<option value="${esc(value)}"${value === selected ? ' selected' : ''}>${esc(text)}</option>`;
  const kindFilter =
    kinds.length > 1
      ? `<div><label for="f-kind">Kind</label><select id="f-kind" name="kind">${option('', 'All', query.kind)}${kinds
          .map((k) => option(k.kind, k.label, query.kind))
          .join('')}</select></div>`
      : '';
  const filters = `<form class="filters card" method="get" action="/" role="search" aria-label="Filter orders">
<div><label for="f-merchant">Merchant</label><select id="f-merchant" name="merchant" data-testid="filter-merchant">${option('', 'All merchants', query.merchant)}${merchants
    .map((m) => option(m.platformId, m.platformId, query.merchant))
    .join('')}</select></div>
<div><label for="f-status">Status</label><select id="f-status" name="status" data-testid="filter-status">${option('', 'Any status', query.state)}${states
    .map((s) => option(s, s, query.state))
    .join('')}</select></div>
${kindFilter}<div><button type="submit" data-testid="filter-apply">Filter</button></div>
${query.merchant || query.state || query.kind ? '<div><a href="/">Clear filters</a></div>' : ''}</form>`;
  const rows = orders
    .map((o) => {
      const d = deliveryCount(o);
      const kind = kinds.find((k) => k.kind === o.kind);
      // Deposit rows keep their original test id; every other kind names itself (dashboard-payout-…).
      const rowId = o.kind === 'deposit' ? 'order' : o.kind;
      return `<tr data-testid="dashboard-${esc(rowId)}-${esc(o.id)}">
<td class="num">${esc(time(o.createTime))}</td>${kinds.length > 1 ? `<td>${esc(kind?.label ?? o.kind)}</td>` : ''}
<td>${esc(o.platformId)}</td>
<td><a href="${esc(orderHref(o))}"><code>${esc(o.id)}</code></a></td>
<td><code>${esc(o.gatewayId)}</code></td><td>${esc(o.method)}</td>
<td class="num">${esc(formatKrw(o.amount))}</td><td class="num">${o.realAmount ? esc(formatKrw(o.realAmount)) : '—'}</td>
<td>${stateBadge(o.state)}</td>
<td>${d.sent === 0 ? '<span class="muted">none</span>' : `${d.sent} sent · ${d.acked ? '<span class="ack-yes">acked</span>' : '<span class="ack-no">not acked</span>'}`}</td></tr>`;
    })
    .join('\n');
  const table =
    orders.length === 0
      ? `<p class="empty card" data-testid="orders-empty">No orders${query.merchant || query.state ? ' match these filters' : ' yet'}. Create a deposit with <code>POST /gateway/api/v2/payments</code> or a payout with <code>POST /gateway/api/v2/payouts</code> (e.g. from a demo shop) and it appears here.</p>`
      : `<div class="table-wrap"><table data-testid="orders-table"><caption class="muted" style="text-align:left;padding:6px 0">${orders.length} order(s), newest first</caption>
<thead><tr><th scope="col">Created (UTC)</th>${kinds.length > 1 ? '<th scope="col">Kind</th>' : ''}<th scope="col">Merchant</th><th scope="col">Order id</th><th scope="col">Gateway id</th><th scope="col">Method</th><th scope="col">Amount</th><th scope="col">Received / paid out</th><th scope="col">Status</th><th scope="col">Notifications</th></tr></thead>
<tbody>${rows}</tbody></table></div>`;
  const cents = (n: number) => `${esc(formatKrw(n))} <span class="muted">(${n} cents)</span>`;
  const balanceTable =
    balances.length === 0
      ? ''
      : `<section class="card" aria-labelledby="h-balances"><h2 id="h-balances">Merchant balances</h2><div class="table-wrap"><table data-testid="balances-table">
<thead><tr><th scope="col">Merchant</th><th scope="col">Total (frozen included)</th><th scope="col">Frozen (pending payouts)</th><th scope="col">Available</th></tr></thead>
<tbody>${balances
          .map(
            (b) =>
              `<tr data-testid="balance-${esc(b.platformId)}" data-total="${b.total}" data-frozen="${b.frozen}" data-available="${b.available}"><td>${esc(b.platformId)}</td><td class="num">${cents(b.total)}</td><td class="num">${cents(b.frozen)}</td><td class="num">${cents(b.available)}</td></tr>`,
          )
          .join('')}</tbody></table></div></section>`;
  return layout(
    'Orders',
    'orders',
    `<h1>Orders</h1>${filters}<div data-live="orders">${balanceTable}${table}</div>`,
  );
}

function historyList(entries: HistoryEntry[], order: DashboardOrder): string {
  if (entries.length === 0)
    return `<p class="muted">Created ${esc(time(order.createTime))}; status now ${order.status} (${esc(order.state)}).</p>`;
  return `<ol class="history" data-testid="status-history">${entries
    .map((e) => `<li><time>${esc(timeMs(e.at))}</time> — status ${e.status}: ${esc(e.note)}</li>`)
    .join('')}</ol>`;
}

function deliveryRows(attempts: DeliveryAttempt[]): string {
  if (attempts.length === 0)
    return '<p class="muted" data-testid="no-deliveries">No notification sent yet: pay or cancel the order first.</p>';
  const first = attempts[0]!.at;
  const rows = attempts
    .map((a, i) => {
      const reply =
        a.httpStatus === undefined
          ? '<span class="muted">no reply</span>'
          : `HTTP ${a.httpStatus}<details><summary>Reply body</summary><pre data-testid="delivery-reply">${esc(a.reply ?? '')}</pre></details>`;
      return `<tr data-testid="delivery-row" data-acked="${a.acked}">
<td class="num">${i + 1}</td><td>${a.attempt}${a.duplicate ? ' <span class="muted">(duplicate)</span>' : ''}</td>
<td>${a.status}</td>
<td class="num"><time>${esc(timeMs(a.at))}</time><br><span class="muted">+${((a.at - first) / 1000).toFixed(3)} s</span></td>
<td class="num">${a.durationMs === undefined ? '—' : `${a.durationMs} ms`}</td>
<td><details><summary>Request body</summary><pre data-testid="delivery-body">POST ${esc(a.url)}\n\n${esc(a.body)}</pre></details></td>
<td>${reply}</td>
<td>${a.acked ? '<span class="ack-yes">acked</span>' : `<span class="ack-no">no</span>${a.error ? `<br><span class="muted">${esc(a.error)}</span>` : ''}`}</td></tr>`;
    })
    .join('\n');
  return `<div class="table-wrap"><table data-testid="deliveries-table"><thead><tr><th scope="col">#</th><th scope="col">Attempt</th><th scope="col">Status sent</th><th scope="col">At (UTC)</th><th scope="col">Took</th><th scope="col">Request</th><th scope="col">Reply</th><th scope="col">Acknowledged</th></tr></thead>
<tbody>${rows}</tbody></table></div>`;
}

/** One order: fields, status history, actions and every notification attempt. */
export function renderOrderPage(kind: OrderKind, order: DashboardOrder, f: Flash): string {
  const link = kind.link?.(order);
  const fields = kind
    .fields(order)
    .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`)
    .join('');
  const body = `<p><a href="/">← All orders</a></p>
<h1>${esc(kind.label)} <code>${esc(order.id)}</code></h1>
${flash(f)}
<div data-live="summary" aria-live="polite"><p>${stateBadge(order.state)} <span class="muted">status ${order.status} · ${esc(formatKrw(order.amount))}${order.realAmount ? ` · received ${esc(formatKrw(order.realAmount))}` : ''}</span></p></div>
<div class="grid2">
<section class="card" aria-labelledby="h-actions"><h2 id="h-actions">Actions</h2><div data-live="actions">${kind.actions(order)}</div></section>
<section class="card" aria-labelledby="h-history"><h2 id="h-history">Status history</h2><div data-live="history">${historyList(kind.history(order), order)}</div></section>
</div>
<section class="card" aria-labelledby="h-deliveries"><h2 id="h-deliveries">Notifications</h2><div data-live="deliveries">${deliveryRows(kind.deliveries(order))}</div></section>
<section class="card" aria-labelledby="h-fields"><h2 id="h-fields">Fields</h2>${link ? `<p><a href="${esc(link.href)}" target="_blank" rel="noopener" data-testid="order-link">${esc(link.text)}</a></p>` : ''}<div data-live="fields"><dl class="fields">${fields}</dl></div></section>`;
  return layout(`${kind.label} ${order.id}`, 'orders', body);
}

export function renderNotFound(what: string): string {
  return layout(
    'Not found',
    'orders',
    `<h1>Not found</h1><p class="error" role="alert" data-testid="not-found">${esc(what)}</p><p><a href="/">← All orders</a></p>`,
  );
}

const ENDPOINT_FIELDS: [key: string, label: string, step: string, max: number][] = [
  ['latencyMs', 'Latency (ms, before every answer)', '1', 3_600_000],
  ['error5xxRate', 'HTTP 500/503 rate (0–1)', '0.01', 1],
  ['resetBeforeRate', 'Reset before processing rate (0–1)', '0.01', 1],
  ['resetAfterRate', 'Reset after processing rate (0–1)', '0.01', 1],
  ['hangRate', 'Hang rate (0–1)', '0.01', 1],
];

/** The faults page: per-endpoint rates on/off, default delivery faults, one-shot faults. */
export function renderFaultsPage(faults: Faults, f: Flash): string {
  const endpointForms = ENDPOINTS.map((endpoint) => {
    const current = (faults[endpoint] ?? {}) as Record<string, number | undefined>;
    const on = Object.values(current).some((v) => v !== undefined && v !== 0);
    const inputs = ENDPOINT_FIELDS.map(([key, label, step, max]) =>
      numberInput(`${endpoint}-${key}`, key, label, {
        min: 0,
        max,
        step,
        value: current[key] === undefined ? '' : String(current[key]),
      }),
    ).join('\n');
    return `<section class="card" aria-labelledby="h-${esc(endpoint)}" data-testid="faults-${esc(endpoint)}"><h2 id="h-${esc(endpoint)}">${esc(endpoint)} <span class="state ${on ? 'state-failed' : ''}" data-testid="faults-${esc(endpoint)}-state">${on ? 'faults on' : 'off'}</span></h2>
<form method="post" action="/faults" class="stack"><input type="hidden" name="endpoint" value="${esc(endpoint)}">
${inputs}
<div class="buttons">${button('Save and turn on', `faults-${endpoint}-save`, 'name="op" value="save" class="primary"')}${button('Turn off', `faults-${endpoint}-off`, 'name="op" value="off"')}</div></form></section>`;
  }).join('\n');
  const d = faults.delivery ?? {};
  const deliveryOn = Object.values(d).some((v) => v !== undefined && v !== 0 && v !== false);
  const deliveryForm = `<section class="card" aria-labelledby="h-delivery" data-testid="faults-delivery"><h2 id="h-delivery">Notification deliveries (every order) <span class="state ${deliveryOn ? 'state-failed' : ''}">${deliveryOn ? 'faults on' : 'off'}</span></h2>
<form method="post" action="/faults" class="stack"><input type="hidden" name="endpoint" value="delivery">
${numberInput('delivery-duplicates', 'duplicates', 'Duplicate copies of each first attempt', { min: 0, max: 10, value: d.duplicates === undefined ? '' : String(d.duplicates) })}
${numberInput('delivery-failFirst', 'failFirst', 'Lose the first N attempts', { min: 0, max: 100, value: d.failFirst === undefined ? '' : String(d.failFirst) })}
<div>${select(
    'delivery-lose',
    'lose',
    'What is lost',
    [
      ['reply', 'the reply (sent, reply discarded)'],
      ['request', 'the request (never sent)'],
    ],
    d.lose ?? 'reply',
  )}</div>
${numberInput('delivery-latencyMs', 'latencyMs', 'Latency before each attempt (ms)', { min: 0, max: 3_600_000, value: d.latencyMs === undefined ? '' : String(d.latencyMs) })}
${checkbox('delivery-outOfOrder', 'outOfOrder', 'A stale status 1 after each paid notification (out of order)', d.outOfOrder === true)}
<div class="buttons">${button('Save and turn on', 'faults-delivery-save', 'name="op" value="save" class="primary"')}${button('Turn off', 'faults-delivery-off', 'name="op" value="off"')}</div></form></section>`;
  const inject = `<section class="card" aria-labelledby="h-inject"><h2 id="h-inject">One-shot faults</h2>
<p class="muted">Queued for the next requests to an endpoint, ahead of the rates above.</p>
<form method="post" action="/faults/inject" class="inline">
<div>${select(
    'inject-endpoint',
    'endpoint',
    'Endpoint',
    ENDPOINTS.map((e) => [e, e]),
  )}</div>
<div>${select(
    'inject-fault',
    'fault',
    'Fault',
    FAULT_KINDS.map((k) => [k, k]),
  )}</div>
<div>${numberInput('inject-times', 'times', 'Times', { min: 1, max: 1_000_000, value: '1' })}</div>
${button('Queue', 'faults-inject')}</form></section>`;
  return layout(
    'Faults',
    'faults',
    `<h1>Faults</h1>${flash(f)}
<div class="grid2">${endpointForms}${deliveryForm}</div>${inject}
<section class="card" aria-labelledby="h-config"><h2 id="h-config">Current configuration</h2><pre data-testid="faults-json">${esc(JSON.stringify(faults, null, 2))}</pre>
<p class="muted">The same as <code>GET /_sandbox/faults</code>.</p></section>`,
  );
}
