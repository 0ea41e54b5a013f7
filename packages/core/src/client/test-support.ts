// Shared pieces of the client tests: the fake gateway's order book and answers, and a client on it.
// Not part of the package entry.
import type { ServerResponse } from 'node:http';
import { afterEach } from 'vitest';
import type { DiamondPayError } from '../errors.js';
import { type FakeGateway, json, type SeenRequest, startFakeGateway } from '../testing/fake-gateway.js';
import { TEST_KEY } from '../testing/independent-signer.js';
import { DiamondPay, type DiamondPayConfig } from './client.js';

export const AUTH = 'test-authorization-token';
export const NOW = 1_795_000_000_000;

export const params = {
  service_id: 'SVC0015',
  payment_cl_id: 'ORDER-1',
  amount: 50000000,
  notify_url: 'https://shop.example/notify',
};

let gateways: FakeGateway[] = [];

/** Registers an afterEach that closes every gateway started through `gateway()`. */
export function closeGatewaysAfterEach(): void {
  afterEach(async () => {
    await Promise.all(gateways.map((g) => g.close()));
    gateways = [];
  });
}

export async function gateway(script: Parameters<typeof startFakeGateway>[0], port?: number) {
  const g = await startFakeGateway(script, port);
  gateways.push(g);
  return g;
}

/** A client on `g` with short retry delays and a short settle time (tests). */
export function client(g: { url: string }, extra: Partial<DiamondPayConfig> = {}) {
  return new DiamondPay({
    baseUrl: g.url,
    platformId: 'PF0002',
    platformKey: TEST_KEY,
    authorization: AUTH,
    retryBaseDelayMs: 5,
    retryMaxDelayMs: 20,
    settleMs: 20,
    now: () => NOW,
    ...extra,
  });
}

/** The fake's "create" behaviour: remember the order, answer like the gateway. */
export function createOrder(req: SeenRequest, gw: FakeGateway) {
  const body = JSON.parse(req.body);
  const order = { payment_id: `PM${String(gw.orders.size + 1).padStart(8, '0')}`, ...body };
  gw.orders.set(body.payment_cl_id, order);
  return order;
}

export function answerCreated(res: ServerResponse, order: Record<string, unknown>) {
  json(res, {
    error_code: '0000',
    data: {
      link: `https://pay.example/c/${order.payment_id}`,
      payment_id: order.payment_id,
      payment_cl_id: order.payment_cl_id,
      amount: order.amount,
    },
  });
}

/** Answers a deposit query from the fake's order book (`0006` for a wrong token, `0050` when absent). */
export function answerQuery(
  req: SeenRequest,
  res: ServerResponse,
  gw: FakeGateway,
  override: Record<string, unknown> = {},
) {
  if (req.headers.authorization !== AUTH)
    return json(res, { error_code: '0006', error_msg: 'Invalid Authorization!' });
  const id = decodeURIComponent(req.path.split('/').pop()!);
  const order = gw.orders.get(id);
  if (!order) return json(res, { error_code: '0050', error_msg: 'Order not found!' });
  json(res, {
    error_code: '0000',
    data: {
      payment_id: order.payment_id,
      payment_cl_id: id,
      amount: order.amount,
      real_amount: 0,
      fee: 0,
      status: 0,
      create_time: 1,
      success_time: 0,
      ...override,
    },
  });
}

export async function caught(p: Promise<unknown>): Promise<DiamondPayError & Record<string, unknown>> {
  try {
    await p;
  } catch (e) {
    return e as DiamondPayError & Record<string, unknown>;
  }
  throw new Error('expected a rejection');
}

export const methods = (g: FakeGateway) => g.requests.map((r) => r.method);
