// The whole purchase through the Koa demo and the sandbox gateway: order, pay (or underpay, or
// cancel) through the sandbox's HTTP control API, notification, order page.

import { type Sandbox, startSandbox } from '@diamondpay/sandbox';
import { loadShopConfig } from '@diamondpay-demo/shop';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type RunningApp, startApp } from './app.js';

const ACK = '{"error_code":"0000"}';
const PRICE_CENTS = 8_900_000; // the featured product, ₩89,000

let sb: Sandbox;
let app: RunningApp;

beforeAll(async () => {
  sb = await startSandbox({ timeScale: 0.001, seed: 7 });
  app = await startApp(
    loadShopConfig({}, { host: '127.0.0.1', port: 0, gateway: { baseUrl: sb.url, ...sb.merchant } }),
  );
});
afterAll(async () => {
  await app?.close();
  await sb?.close();
});

const timeout = () => AbortSignal.timeout(10_000);

/** Submits the home page's form for a service, as a browser would (no redirect following). */
async function orderViaForm(serviceId: string) {
  const res = await fetch(`${app.url}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ product_id: 'red-ginseng', service_id: serviceId }).toString(),
    redirect: 'manual',
    signal: timeout(),
  });
  return res;
}

async function orderViaJson(serviceId: string): Promise<{ id: string; link: string; status: string }> {
  const res = await fetch(`${app.url}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ product_id: 'red-ginseng', service_id: serviceId }),
    signal: timeout(),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; link: string; status: string };
}

async function control(paymentClId: string, action: 'pay' | 'cancel', body: object = {}) {
  const res = await fetch(`${sb.url}/_sandbox/orders/${encodeURIComponent(paymentClId)}/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: timeout(),
  });
  expect(res.status).toBe(200);
}

async function orderJson(id: string) {
  const res = await fetch(`${app.url}/orders/${id}`, {
    headers: { accept: 'application/json' },
    signal: timeout(),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

describe('koa-demo', () => {
  it('serves the home page with one Pay button per Korea service', async () => {
    const res = await fetch(`${app.url}/`, { signal: timeout() });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    for (const svc of ['SVC0015', 'SVC0016', 'SVC0017']) expect(html).toContain(`data-testid="pay-${svc}"`);
    expect(html).toContain('₩89,000');
  });

  it('paid: the form redirects to the cashier, the paid notification marks the order paid', async () => {
    const res = await orderViaForm('SVC0015');
    expect(res.status).toBe(303);
    const link = res.headers.get('location') ?? '';
    expect(link.startsWith(`${sb.url}/cashier/`)).toBe(true);
    const [order] = (await app.shop.listOrders()).filter((o) => o.link === link);
    expect(order?.status).toBe('pending');
    const id = order!.id;
    expect(sb.order(id)?.notifyUrl).toBe(`${app.url}/diamondpay/notifications/deposit`);

    await control(id, 'pay');
    const delivered = await sb.waitForDelivery(id, { timeoutMs: 10_000 });
    expect(delivered.reply).toBe(ACK);
    expect(await orderJson(id)).toMatchObject({
      id,
      status: 'paid',
      amount: PRICE_CENTS,
      real_amount: PRICE_CENTS,
    });

    const page = await fetch(`${app.url}/orders/${id}`, { signal: timeout() });
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toMatch(/data-testid="order-status">[^<]*paid/);
    const viaSuffix = await fetch(`${app.url}/orders/${id}.json`, { signal: timeout() });
    expect(await viaSuffix.json()).toMatchObject({ id, status: 'paid' });
  });

  it('underpaid: less money than the price marks the order underpaid', async () => {
    const order = await orderViaJson('SVC0016');
    expect(order.status).toBe('pending');
    await control(order.id, 'pay', { real_amount: PRICE_CENTS - 500_000 });
    await sb.waitForDelivery(order.id, { timeoutMs: 10_000 });
    expect(await orderJson(order.id)).toMatchObject({
      status: 'underpaid',
      real_amount: PRICE_CENTS - 500_000,
    });
  });

  it('cancelled: the cancel notification marks the order cancelled', async () => {
    const order = await orderViaJson('SVC0017');
    await control(order.id, 'cancel');
    await sb.waitForDelivery(order.id, { timeoutMs: 10_000 });
    expect(await orderJson(order.id)).toMatchObject({ status: 'cancelled' });
  });

  it('duplicate deliveries change the order once and are all acknowledged', async () => {
    const order = await orderViaJson('SVC0015');
    const before = app.shop.stats();
    await control(order.id, 'pay', { delivery: { duplicates: 4 } });
    await sb.waitForDelivery(order.id, { timeoutMs: 10_000 });
    await sb.idle();
    const attempts = sb.deliveries({ paymentClId: order.id });
    expect(attempts).toHaveLength(5);
    expect(attempts.every((a) => a.acked)).toBe(true);
    const after = app.shop.stats();
    expect(after.ordersUpdated - before.ordersUpdated).toBe(1);
    expect(after.notificationsHandled - before.notificationsHandled).toBe(1);
    expect(after.deliveries.duplicate - before.deliveries.duplicate).toBe(4);
    expect(await orderJson(order.id)).toMatchObject({ status: 'paid' });
  });

  it('refuses a bad order, an unknown order and a forged notification', async () => {
    const bad = await fetch(`${app.url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ product_id: 'nope', service_id: 'SVC0015' }),
      signal: timeout(),
    });
    expect(bad.status).toBe(400);
    expect((await fetch(`${app.url}/orders/ORD-NOPE`, { signal: timeout() })).status).toBe(404);
    const forged = await fetch(`${app.url}/diamondpay/notifications/deposit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        payment_cl_id: 'x',
        platform_id: 'PF0002',
        sign: 'f'.repeat(64),
        sign_type: 'HMAC-SHA256',
      }),
      signal: timeout(),
    });
    expect(forged.status).toBe(401);
    expect(await forged.text()).not.toBe(ACK);
  });

  it('createApp needs a notify URL it can give the gateway', () => {
    expect(() => createApp(loadShopConfig({}, { port: 0 }))).toThrow(/publicUrl/);
  });
});
