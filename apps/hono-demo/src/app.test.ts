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
  shop = await startApp(config, new Shop());
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

describe('hono-demo purchase through the sandbox', () => {
  it('serves the home page with one Pay button per Korea service', async () => {
    const res = await fetch(`${shop.url}/`);
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const svc of ['SVC0015', 'SVC0016', 'SVC0017']) expect(html).toContain(`data-testid="pay-${svc}"`);
    expect(html).toContain('action="/orders"');
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

  it('duplicate and lost-reply deliveries change the order once', async () => {
    const created = await order();
    await sb.pay(created.id, { delivery: { duplicates: 3, failFirst: 1, lose: 'reply' } });
    await sb.waitForDelivery(created.id, { timeoutMs: 5_000 });
    await sb.idle();
    expect((await status(created.id)).status).toBe('paid');
    expect(sb.deliveries({ paymentClId: created.id }).filter((d) => d.acked).length).toBeGreaterThanOrEqual(
      1,
    );
  });

  it('a form post redirects (303) to the cashier page; the order page is HTML, or JSON at .json', async () => {
    const res = await fetch(`${shop.url}/orders`, {
      method: 'POST',
      body: new URLSearchParams({ product_id: shop.shop.featured.id, service_id: 'SVC0015' }),
      redirect: 'manual',
    });
    expect(res.status).toBe(303);
    const link = res.headers.get('location') ?? '';
    expect(link.startsWith(`${sb.url}/cashier/`)).toBe(true);
    const [latest] = (await shop.shop.listOrders()).filter((o) => o.link === link);
    expect(latest).toBeDefined();
    const html = await (await fetch(`${shop.url}/orders/${latest!.id}`)).text();
    expect(html).toMatch(/data-testid="order-status"[^>]*>[^<]*pending/);
    expect(((await (await fetch(`${shop.url}/orders/${latest!.id}.json`)).json()) as OrderView).status).toBe(
      'pending',
    );
  });

  it('refuses an unknown service (400), an unknown order (404) and a forged notification (401)', async () => {
    const bad = await fetch(`${shop.url}/orders`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify({ product_id: shop.shop.featured.id, service_id: 'SVC9999' }),
    });
    expect(bad.status).toBe(400);
    expect((await fetch(`${shop.url}/orders/NO-SUCH-ORDER`)).status).toBe(404);
    const created = await order();
    const forged = await fetch(`${shop.url}${NOTIFICATION_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        payment_id: created.payment_id,
        payment_cl_id: created.id,
        platform_id: 'PF0002',
        amount: created.amount,
        real_amount: created.amount,
        fee: 0,
        status: 2,
        create_time: Math.floor(Date.now() / 1000),
        update_time: Math.floor(Date.now() / 1000),
        sign_type: 'HMAC-SHA256',
        sign: '0'.repeat(64),
      }),
    });
    expect(forged.status).toBe(401);
    expect((await status(created.id)).status).toBe('pending');
  });
});
