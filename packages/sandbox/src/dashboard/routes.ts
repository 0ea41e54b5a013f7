// The dashboard's routes, for browsers: GET / (when the browser asks for HTML; JSON clients keep
// the sandbox's JSON index), /orders/{id}, /faults, /events, and the POST forms behind the action
// buttons, each answered with 303 back to its page and a notice or an error in the query.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SandboxError } from '../errors.js';
import { ENDPOINTS, type Endpoint, type EndpointFaults, type FaultKind, type Faults } from '../faults.js';
import { HTML_TYPE } from '../html.js';
import { readBody, redirect, segmentsAfter, send } from '../http-util.js';
import type { Sandbox } from '../server.js';
import type { ChangeFeed } from './events.js';
import { orderHref } from './forms.js';
import { type DashboardOrder, newestFirst, type OrderKind } from './kinds.js';
import { type Flash, renderFaultsPage, renderNotFound, renderOrderList, renderOrderPage } from './pages.js';

export interface DashboardDeps {
  sandbox: Sandbox;
  kinds: readonly OrderKind[];
  feed: ChangeFeed;
}

const FORM_LIMIT = 16 * 1024;

/** True when the client prefers HTML to JSON (a browser navigating), judged by `Accept`. */
export function wantsHtml(req: IncomingMessage): boolean {
  const accept = (req.headers.accept ?? '').toLowerCase();
  const html = accept.indexOf('text/html');
  if (html < 0) return false;
  const json = accept.indexOf('application/json');
  return json < 0 || html < json;
}

function page(res: ServerResponse, status: number, html: string, feed?: ChangeFeed): void {
  // The version the page shows: its script compares it with the event stream's first event, so a
  // change between rendering and connecting is still picked up.
  const body = feed ? html.replace('<body>', `<body data-version="${feed.version()}">`) : html;
  send(res, status, HTML_TYPE, body, { 'cache-control': 'no-store' });
}

function flashOf(query: URLSearchParams): Flash {
  return { notice: query.get('notice') ?? undefined, error: query.get('error') ?? undefined };
}

const oneLine = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).split('\n').join(' ').slice(0, 500);

/**
 * A form posted from another site must not drive the sandbox: with an Origin header (every browser
 * sends one on a cross-site POST) it must be this server's own.
 */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

function withFlash(location: string, key: 'notice' | 'error', text: string): string {
  return `${location}${location.includes('?') ? '&' : '?'}${key}=${encodeURIComponent(text)}`;
}

/** Handles a dashboard route; false when `path` is not one (the sandbox then answers as before). */
export async function handleDashboard(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: string,
  deps: DashboardDeps,
): Promise<boolean> {
  const method = req.method ?? 'GET';
  const params = new URLSearchParams(query);
  const read = method === 'GET' || method === 'HEAD';
  if (path === '/') {
    if (!read || !wantsHtml(req)) return false;
    listPage(res, params, deps);
    return true;
  }
  if (path === '/events' && read) {
    deps.feed.open(req, res);
    return true;
  }
  if (path === '/faults' || path === '/faults/inject') {
    if (read && path === '/faults') page(res, 200, renderFaultsPage(deps.sandbox.faults(), flashOf(params)));
    else if (method === 'POST') await faultsForm(req, res, path, deps.sandbox);
    else send(res, 405, 'text/plain;charset=utf-8', 'Method Not Allowed', { allow: 'GET, POST' });
    return true;
  }
  if (!path.startsWith('/orders/')) return false;
  const segments = segmentsAfter(path, '/orders/');
  const [id, action, ...rest] = segments ?? [];
  if (!segments || !id || rest.length > 0) {
    page(res, 404, renderNotFound(`No dashboard page at ${path}.`));
    return true;
  }
  if (action === undefined) {
    if (!read) {
      send(res, 405, 'text/plain;charset=utf-8', 'Method Not Allowed', { allow: 'GET' });
      return true;
    }
    const found = findOrder(deps.kinds, params.get('kind'), id, params.get('platform_id'));
    if (!found) page(res, 404, renderNotFound(`No order with id ${JSON.stringify(id)}.`));
    else page(res, 200, renderOrderPage(found.kind, found.order, flashOf(params)), deps.feed);
    return true;
  }
  if (method !== 'POST') {
    send(res, 405, 'text/plain;charset=utf-8', 'Method Not Allowed', { allow: 'POST' });
    return true;
  }
  if (!sameOrigin(req)) {
    send(res, 403, 'text/plain;charset=utf-8', 'Cross-site form posts are refused.');
    return true;
  }
  const form = new URLSearchParams(await readBody(req, FORM_LIMIT));
  const found = findOrder(deps.kinds, form.get('kind'), id, form.get('platform_id'));
  if (!found) {
    page(res, 404, renderNotFound(`No order with id ${JSON.stringify(id)}.`));
    return true;
  }
  const back = orderHref(found.order);
  try {
    const { notice } = await found.kind.act(found.order, action, form);
    redirect(res, withFlash(back, 'notice', notice));
  } catch (error) {
    if (!(error instanceof SandboxError)) throw error;
    redirect(res, withFlash(back, 'error', oneLine(error)));
  }
  return true;
}

function findOrder(
  kinds: readonly OrderKind[],
  kindName: string | null,
  id: string,
  platformId: string | null,
): { kind: OrderKind; order: DashboardOrder } | undefined {
  for (const kind of kinds) {
    if (kindName && kind.kind !== kindName) continue;
    const order = kind.find(id, platformId || undefined);
    if (order) return { kind, order };
  }
  return undefined;
}

function listPage(res: ServerResponse, params: URLSearchParams, deps: DashboardDeps): void {
  const query = {
    merchant: params.get('merchant') ?? '',
    state: params.get('status') ?? '',
    kind: params.get('kind') ?? '',
  };
  const orders = newestFirst(deps.kinds).filter(
    (o) =>
      (!query.merchant || o.platformId === query.merchant) &&
      (!query.state || o.state === query.state) &&
      (!query.kind || o.kind === query.kind),
  );
  const byKind = new Map(deps.kinds.map((k) => [k.kind, k]));
  page(
    res,
    200,
    renderOrderList(
      orders,
      deps.kinds,
      deps.sandbox.merchants,
      query,
      (o) => {
        const attempts = byKind.get(o.kind)?.deliveries(o) ?? [];
        return { sent: attempts.length, acked: attempts.some((a) => a.acked) };
      },
      deps.sandbox.merchants.map((m) => deps.sandbox.balance(m.platformId)),
    ),
    deps.feed,
  );
}

/** A number field of a faults form: '' means unset. */
function field(form: URLSearchParams, name: string): number | undefined {
  const v = (form.get(name) ?? '').trim();
  if (v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : Number.NaN; // NaN fails the sandbox's own validation, which names the field
}

async function faultsForm(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  sandbox: Sandbox,
): Promise<void> {
  if (!sameOrigin(req)) {
    send(res, 403, 'text/plain;charset=utf-8', 'Cross-site form posts are refused.');
    return;
  }
  const form = new URLSearchParams(await readBody(req, FORM_LIMIT));
  try {
    if (path === '/faults/inject') {
      const endpoint = form.get('endpoint') as Endpoint;
      const fault = form.get('fault') as FaultKind;
      const times = field(form, 'times') ?? 1;
      sandbox.injectFault(endpoint, fault, times);
      redirect(
        res,
        withFlash('/faults', 'notice', `Queued ${fault} for the next ${times} ${endpoint} request(s).`),
      );
      return;
    }
    const target = form.get('endpoint') ?? '';
    const off = form.get('op') === 'off';
    const next: Faults = structuredClone(sandbox.faults());
    if (target === 'delivery') {
      if (off) delete next.delivery;
      else {
        const d: NonNullable<Faults['delivery']> = {};
        const duplicates = field(form, 'duplicates');
        const failFirst = field(form, 'failFirst');
        const latencyMs = field(form, 'latencyMs');
        if (duplicates !== undefined) d.duplicates = duplicates;
        if (failFirst !== undefined) d.failFirst = failFirst;
        if (latencyMs !== undefined) d.latencyMs = latencyMs;
        if (failFirst) d.lose = form.get('lose') === 'request' ? 'request' : 'reply';
        if (form.get('outOfOrder') === '1') d.outOfOrder = true;
        next.delivery = d;
      }
    } else if ((ENDPOINTS as readonly string[]).includes(target)) {
      const endpoint = target as Endpoint;
      if (off) delete next[endpoint];
      else {
        const f: EndpointFaults = {};
        for (const key of [
          'latencyMs',
          'error5xxRate',
          'resetBeforeRate',
          'resetAfterRate',
          'hangRate',
        ] as const) {
          const v = field(form, key);
          if (v !== undefined) f[key] = v;
        }
        next[endpoint] = f;
      }
    } else {
      throw new SandboxError('invalid_request', `unknown endpoint ${JSON.stringify(target)}`);
    }
    sandbox.setFaults(next);
    redirect(res, withFlash('/faults', 'notice', `${target}: faults ${off ? 'off' : 'saved'}.`));
  } catch (error) {
    if (!(error instanceof SandboxError)) throw error;
    redirect(res, withFlash('/faults', 'error', oneLine(error)));
  }
}
