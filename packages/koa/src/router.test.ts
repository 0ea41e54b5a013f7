// The @koa/router plugin on a real Koa server: prefix, method handling, sandbox delivery.

import { type Sandbox, startSandbox } from '@diamondpay/sandbox';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa from 'koa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type DepositNotification, DiamondPay } from './index.js';
import { diamondPayRouter } from './router.js';
import { ACK, listen, post, type Running, signedNotification, TEST_MERCHANT } from './test-support.js';

let sb: Sandbox;
const running: Running[] = [];
beforeAll(async () => {
  sb = await startSandbox({ timeScale: 0.001, seed: 2 });
});
afterEach(async () => {
  await sb.idle();
  await Promise.all(running.splice(0).map((r) => r.close()));
});
afterAll(async () => {
  await sb.close();
});

async function start(routerOptions: { prefix?: string; path?: string }, withParser: boolean) {
  const calls: DepositNotification[] = [];
  const app = new Koa();
  if (withParser) app.use(bodyParser());
  const notifications = diamondPayRouter({
    ...TEST_MERCHANT,
    ...routerOptions,
    onDeposit: (n) => {
      calls.push(n);
    },
  });
  const shop = new Router();
  shop.get('/', (ctx) => {
    ctx.body = 'shop';
  });
  app.use(notifications.routes()).use(notifications.allowedMethods());
  app.use(shop.routes()).use(shop.allowedMethods());
  const server = await listen(app);
  running.push(server);
  return { ...server, calls };
}

describe('diamondPayRouter', () => {
  it('mounts the notification route under the prefix; the sandbox delivers to it', async () => {
    const h = await start({ prefix: '/webhooks' }, true);
    const endpoint = `${h.url}/webhooks/diamondpay/notifications/deposit`;
    const client = new DiamondPay({ baseUrl: sb.url, ...sb.merchant });
    const created = await client.deposits.create({
      service_id: 'SVC0016',
      payment_cl_id: `KOA-ROUTER-${Date.now()}`,
      amount: 2_500_000,
      notify_url: endpoint,
    });
    await sb.pay(created.payment_cl_id, { realAmount: 2_000_000 });
    const delivered = await sb.waitForDelivery(created.payment_cl_id, { timeoutMs: 10_000 });
    expect(delivered.url).toBe(endpoint);
    expect(delivered.reply).toBe(ACK);
    expect(h.calls).toHaveLength(1);
    expect(h.calls[0]).toMatchObject({ payment_cl_id: created.payment_cl_id, real_amount: 2_000_000 });
    // Without the prefix there is no route.
    const { body } = await signedNotification();
    expect((await post(`${h.url}/diamondpay/notifications/deposit`, body)).status).toBe(404);
    expect((await fetch(`${h.url}/`)).status).toBe(200);
  });

  it('answers other methods with 405 (Allow: POST) and honours a custom path', async () => {
    const h = await start({ path: '/hooks/dp' }, false);
    const endpoint = `${h.url}/hooks/dp`;
    const get = await fetch(endpoint);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(JSON.parse(await get.text())).toMatchObject({ error_code: 'method_not_allowed' });
    const del = await fetch(endpoint, { method: 'DELETE' });
    expect(del.status).toBe(405);
    const { body } = await signedNotification();
    const res = await post(endpoint, body);
    expect(res.text).toBe(ACK);
    expect(h.calls).toHaveLength(1);
  });

  it('uses the default path when none is given', async () => {
    const h = await start({}, false);
    const { body, fields } = await signedNotification();
    const res = await post(`${h.url}/diamondpay/notifications/deposit`, body);
    expect(res.text).toBe(ACK);
    expect(h.calls[0]?.payment_cl_id).toBe(fields.payment_cl_id);
  });
});
