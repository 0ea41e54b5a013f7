import { type Sandbox, startSandbox } from '@diamondpay/sandbox';
import { loadShopConfig, Shop } from '@diamondpay-demo/shop';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTIFICATION_PATH, type RunningApp, startApp } from './app.js';

let sb: Sandbox;
let shop: RunningApp;

beforeAll(async () => {
  sb = await startSandbox({ timeScale: 0.001, seed: 1 });
  // An empty env: the defaults, pointed at this test's sandbox.
  const config = loadShopConfig(
    {},
    { host: '127.0.0.1', port: 0, gateway: { baseUrl: sb.url, ...sb.merchant } },
  );
  shop = await startApp(config, new Shop(), false);
});
afterAll(async () => {
  await shop?.close();
  await sb?.close();
});

interface OrderView {
  id: string;
  status: string;
  amount: number;
  link: string | null;
  payment_id: string | null;
  real_amount: number | null;
}

async function order(serviceId = 'SVC0015'): Promise<OrderView> {
  const res = await fetch(`${shop.url}/orders`, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify({ product_id: shop.shop.featured.id, service_id: serviceId }),
  });
  expect(res.status).toBe(201);
  const created = (await res.json()) as OrderView;
  expect(res.headers.get('location')).toBe(`/orders/${created.id}`);
  return created;
}

async function status(id: string): Promise<OrderView> {
  const res = await fetch(`${shop.url}/orders/${id}`, { headers: { accept: 'application/json' } });
  expect(res.status).toBe(200);
  return (await res.json()) as OrderView;
}

describe('nestjs-demo purchase through the sandbox', () => {
  it('serves the home page with one Pay button per Korea service', async () => {
    const res = await fetch(`${shop.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    for (const svc of ['SVC0015', 'SVC0016', 'SVC0017']) expect(html).toContain(`data-testid="pay-${svc}"`);
    expect(html).toContain('action="/orders"');
  });

  it('a form post redirects (303) to the sandbox cashier page', async () => {
    const res = await fetch(`${shop.url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ product_id: shop.shop.featured.id, service_id: 'SVC0015' }),
      redirect: 'manual',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(new RegExp(`^${sb.url}/cashier/`));
  });

  it('a paid order turns paid after the sandbox notification', async () => {
    const created = await order();
    expect(created.status).toBe('pending');
    expect(created.link).toMatch(/\/cashier\//);
    await sb.pay(created.id);
    await sb.waitForDelivery(created.id, { timeoutMs: 5_000 });
    const paid = await status(created.id);
    expect(paid.status).toBe('paid');
    expect(paid.real_amount).toBe(created.amount);
    expect(sb.deliveries({ paymentClId: created.id })[0]?.url).toBe(`${shop.url}${NOTIFICATION_PATH}`);
  });

  it('an underpaid order turns underpaid', async () => {
    const created = await order('SVC0016');
    await sb.pay(created.id, { realAmount: created.amount - 100_000 });
    await sb.waitForDelivery(created.id, { timeoutMs: 5_000 });
    const seen = await status(created.id);
    expect(seen.status).toBe('underpaid');
    expect(seen.real_amount).toBe(created.amount - 100_000);
  });

  it('a cancelled order turns cancelled', async () => {
    const created = await order('SVC0017');
    await sb.cancel(created.id);
    await sb.waitForDelivery(created.id, { timeoutMs: 5_000 });
    expect((await status(created.id)).status).toBe('cancelled');
  });

  it('duplicate and retried deliveries change the order once', async () => {
    const created = await order();
    const before = shop.shop.stats();
    // 4 extra concurrent copies, and the first attempt's reply is lost so the sandbox retries.
    await sb.pay(created.id, { delivery: { duplicates: 4, failFirst: 1 } });
    await sb.waitForDelivery(created.id, { timeoutMs: 5_000 });
    await sb.idle();
    expect((await status(created.id)).status).toBe('paid');
    expect(sb.deliveries({ paymentClId: created.id }).length).toBeGreaterThanOrEqual(6);
    const after = shop.shop.stats();
    expect(after.notificationsHandled - before.notificationsHandled).toBe(1);
    expect(after.ordersUpdated - before.ordersUpdated).toBe(1);
    expect(after.deliveries.processed - before.deliveries.processed).toBe(1);
    expect(after.deliveries.duplicate - before.deliveries.duplicate).toBeGreaterThanOrEqual(5);
  });

  it('serves the order page as HTML and /orders/:id.json as JSON', async () => {
    const created = await order();
    const html = await fetch(`${shop.url}/orders/${created.id}`);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await html.text()).toContain('data-testid="order-status"');
    const json = await fetch(`${shop.url}/orders/${created.id}.json`);
    expect(((await json.json()) as OrderView).id).toBe(created.id);
  });

  it('answers 404 for an unknown order and 400 for an unknown service', async () => {
    expect((await fetch(`${shop.url}/orders/nope`)).status).toBe(404);
    const res = await fetch(`${shop.url}/orders`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify({ product_id: shop.shop.featured.id, service_id: 'SVC9999' }),
    });
    expect(res.status).toBe(400);
  });
});
