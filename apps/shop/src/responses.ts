// The shop's answers as plain values (status, headers, body), so the three demos answer the same
// requests the same way: JSON when the client sends `Accept: application/json` (or asks for
// /orders/{id}.json), HTML otherwise. Each demo only writes these onto its framework's response.
import type { ShopBadge } from './badge.js';
import type { Shop, ShopOrder } from './orders.js';
import { orderJson, renderError, renderOrder } from './pages.js';
import type { RefundClient } from './refund-desk.js';
import { refundJson } from './refund-pages.js';
import { type Refund, RefundRequestError } from './refunds.js';

export interface ShopResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const HTML = 'text/html; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

/** True when the `Accept` header names application/json. */
export function wantsJson(accept: string | null | undefined): boolean {
  return (accept ?? '').toLowerCase().includes('application/json');
}

const json = (status: number, value: unknown, headers: Record<string, string> = {}): ShopResponse => ({
  status,
  headers: { 'content-type': JSON_TYPE, 'cache-control': 'no-store', ...headers },
  body: JSON.stringify(value),
});

const html = (status: number, body: string): ShopResponse => ({
  status,
  headers: { 'content-type': HTML, 'cache-control': 'no-store' },
  body,
});

/** After POST /orders: 201 and the order for JSON clients, else 303 to the shop's own order page. */
export function orderCreatedResponse(order: ShopOrder, accept: string | null | undefined): ShopResponse {
  const location = `/orders/${encodeURIComponent(order.id)}`;
  if (wantsJson(accept)) return json(201, orderJson(order), { location });
  return { status: 303, headers: { location, 'content-length': '0' }, body: '' };
}

/** A refused request (400 unknown product, 404, 502 gateway refused…), as JSON `{ error }` or a page. */
export function errorResponse(
  status: number,
  message: string,
  accept: string | null | undefined,
  badge?: ShopBadge,
  /** Each problem of a refused form, naming its field (JSON `issues`). */
  issues: readonly { field: string; rule: string; message: string }[] = [],
): ShopResponse {
  return wantsJson(accept)
    ? json(status, issues.length > 0 ? { error: message, issues } : { error: message })
    : html(status, renderError(status, message, badge));
}

/** The order id in GET /orders/{param}, and whether `.json` asked for JSON. */
export function orderParam(param: string): { id: string; json: boolean } {
  return param.endsWith('.json')
    ? { id: param.slice(0, -'.json'.length), json: true }
    : { id: param, json: false };
}

/** GET /orders/{id} (or {id}.json): the order as JSON or its page; 404 when there is none. */
export function orderResponse(
  param: string,
  order: ShopOrder | undefined,
  accept: string | null | undefined,
  badge?: ShopBadge,
  refund?: Refund,
): ShopResponse {
  const { id, json: suffix } = orderParam(param);
  const asJson = suffix || wantsJson(accept);
  if (!order) return errorResponse(404, `No order ${id}`, asJson ? 'application/json' : accept, badge);
  return asJson ? json(200, orderJson(order, refund)) : html(200, renderOrder(order, badge, refund));
}

/** GET /orders/{id} (or {id}.json) for a shop: looks the order and its refund up, then `orderResponse`. */
export async function orderPageResponse(
  shop: Shop,
  param: string,
  accept: string | null | undefined,
  badge?: ShopBadge,
): Promise<ShopResponse> {
  const { id } = orderParam(param);
  const [order, refund] = await Promise.all([shop.getOrder(id), shop.refunds.forOrder(id)]);
  return orderResponse(param, order, accept, badge, refund);
}

/**
 * POST /orders/{id}/refund: the form (or JSON) body as parsed by the framework, the framework's
 * Diamond Pay client, and the notify URL of the shop's payout route. A form post is redirected (303)
 * to the order page, which shows the refund; a JSON client gets the refund, 201 when this request
 * created it, 200 when it existed. Refusals: 400 (naming the field), 404, 409.
 */
export async function refundRequestResponse(
  shop: Shop,
  request: {
    orderId: string;
    body: Record<string, unknown> | undefined;
    accept: string | null | undefined;
    client: RefundClient;
    notifyUrl: string;
    badge?: ShopBadge | undefined;
  },
): Promise<ShopResponse> {
  const { orderId, accept } = request;
  try {
    const { refund, created } = await shop.refunds.request(
      orderId,
      request.body ?? {},
      request.client,
      request.notifyUrl,
    );
    if (wantsJson(accept)) return json(created ? 201 : 200, refundJson(refund));
    const location = `/orders/${encodeURIComponent(orderId)}`;
    return { status: 303, headers: { location, 'content-length': '0' }, body: '' };
  } catch (error) {
    if (!(error instanceof RefundRequestError)) throw error;
    return errorResponse(error.status, error.message, accept, request.badge, error.issues);
  }
}
