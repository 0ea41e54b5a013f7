// The adapter against the sandbox gateway over loopback: a deposit created through
// ctx.state.diamondPay, paid on the sandbox, and its signed notification delivered to the route.

import { notificationFields, type Sandbox, signedNotificationBody, startSandbox } from '@diamondpay/sandbox';
import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type CreatedDeposit,
  type DepositNotification,
  DiamondPay,
  type DiamondPayConfig,
  depositNotifications,
  diamondPay,
} from './index.js';
import { ACK, listen, post, type Running } from './test-support.js';

const PATH = '/diamondpay/notifications/deposit';
type Setup = 'none' | 'bodyparser' | 'consuming-parser';

let sb: Sandbox;
let gateway: DiamondPayConfig;
const running: Running[] = [];

beforeAll(async () => {
  sb = await startSandbox({ timeScale: 0.001, seed: 1 });
  gateway = { baseUrl: sb.url, ...sb.merchant, retryBaseDelayMs: 10 };
});
afterEach(async () => {
  await sb.idle();
  await Promise.all(running.splice(0).map((r) => r.close()));
});
afterAll(async () => {
  await sb.close();
});

interface Shop {
  url: string;
  calls: { notification: DepositNotification; hadClient: boolean }[];
  checkout(): Promise<CreatedDeposit>;
}

/** A tiny Koa shop: POST /checkout creates a deposit through ctx.state.diamondPay. */
async function startShop(setup: Setup, onDeposit: (n: DepositNotification) => unknown = () => {}) {
  const calls: Shop['calls'] = [];
  const app = new Koa();
  app.on('error', () => {}); // the consuming-parser setup reports its misconfiguration here
  app.use(diamondPay(gateway));
  if (setup === 'bodyparser') app.use(bodyParser());
  if (setup === 'consuming-parser') {
    app.use(async (ctx, next) => {
      let text = '';
      for await (const chunk of ctx.req) text += chunk;
      (ctx.request as { body?: unknown }).body = text ? JSON.parse(text) : {};
      await next();
    });
  }
  let url = '';
  let n = 0;
  app.use(async (ctx, next) => {
    if (ctx.method !== 'POST' || ctx.path !== '/checkout') return next();
    ctx.body = await ctx.state.diamondPay.deposits.create({
      service_id: 'SVC0015',
      payment_cl_id: `KOA-${setup}-${Date.now()}-${++n}`,
      amount: 8_900_000,
      notify_url: `${url}${PATH}`,
    });
  });
  // The same options object serves both factories.
  const options = {
    ...gateway,
    path: PATH,
    async onDeposit(notification: DepositNotification, ctx: Koa.Context) {
      calls.push({ notification, hadClient: ctx.state.diamondPay instanceof DiamondPay });
      await onDeposit(notification);
    },
  };
  app.use(depositNotifications(options));
  const server = await listen(app);
  running.push(server);
  url = server.url;
  const shop: Shop = {
    url,
    calls,
    async checkout() {
      const res = await fetch(`${url}/checkout`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
      expect(res.status).toBe(200);
      return (await res.json()) as CreatedDeposit;
    },
  };
  return shop;
}

describe.each(['none', 'bodyparser'] as const)('sandbox → Koa (%s)', (setup) => {
  it('creates a deposit via ctx.state.diamondPay; the paid notification runs onDeposit once and is acked', async () => {
    const shop = await startShop(setup);
    const created = await shop.checkout();
    expect(created.link).toContain(sb.url);
    expect(created.amount).toBe(8_900_000);
    await sb.pay(created.payment_cl_id);
    const delivered = await sb.waitForDelivery(created.payment_cl_id, { timeoutMs: 10_000 });
    expect(delivered.reply).toBe(ACK);
    await sb.idle();
    expect(shop.calls).toHaveLength(1);
    expect(shop.calls[0]?.hadClient).toBe(true);
    expect(shop.calls[0]?.notification).toMatchObject({
      payment_cl_id: created.payment_cl_id,
      payment_id: created.payment_id,
      platform_id: 'PF0002',
      amount: 8_900_000,
      real_amount: 8_900_000,
      status: 2,
      outcome: 'paid',
    });
    expect(sb.deliveries({ paymentClId: created.payment_cl_id }).map((d) => d.acked)).toEqual([true]);
  });

  it('a cancelled order arrives as not_paid', async () => {
    const shop = await startShop(setup);
    const created = await shop.checkout();
    await sb.cancel(created.payment_cl_id);
    await sb.waitForDelivery(created.payment_cl_id, { timeoutMs: 10_000 });
    expect(shop.calls.map((c) => [c.notification.status, c.notification.outcome])).toEqual([[3, 'not_paid']]);
  });
});

describe('sandbox → Koa: failures and copies', () => {
  it('behind a parser that keeps no raw body, every delivery gets the 500 setup error, none is acked', async () => {
    const shop = await startShop('consuming-parser');
    const created = await shop.checkout();
    await sb.pay(created.payment_cl_id);
    await expect(sb.waitForDelivery(created.payment_cl_id, { timeoutMs: 15_000 })).rejects.toThrow(
      /exhausted/,
    );
    const attempts = sb.deliveries({ paymentClId: created.payment_cl_id });
    expect(attempts.length).toBe(10);
    for (const a of attempts) {
      expect(a.acked).toBe(false);
      expect(a.httpStatus).toBe(500);
      expect(JSON.parse(a.reply ?? '{}')).toMatchObject({ error_code: 'configuration_error' });
    }
    expect(shop.calls).toHaveLength(0);
  });

  it('a throwing handler is not acked; the sandbox retry runs it again and is acked once', async () => {
    let runs = 0;
    const shop = await startShop('none', () => {
      runs++;
      if (runs === 1) throw new Error('database down');
    });
    const created = await shop.checkout();
    await sb.pay(created.payment_cl_id);
    await sb.waitForDelivery(created.payment_cl_id, { timeoutMs: 10_000 });
    await sb.idle();
    const attempts = sb.deliveries({ paymentClId: created.payment_cl_id });
    expect(attempts.map((a) => [a.attempt, a.httpStatus, a.acked])).toEqual([
      [1, 500, false],
      [2, 200, true],
    ]);
    expect(shop.calls).toHaveLength(2);
  });

  it('20 concurrent copies of one notification: handler once, all 20 acked', async () => {
    const shop = await startShop('bodyparser', () => new Promise((resolve) => setTimeout(resolve, 150)));
    const created = await shop.checkout();
    // The sandbox sends at most 11 copies at once (first attempt + 10 duplicates); 9 more copies of
    // the same sandbox-signed body go out alongside them.
    const order = await sb.pay(created.payment_cl_id, { delivery: { duplicates: 10 } });
    const body = await signedNotificationBody(
      notificationFields(order),
      sb.merchant.platformKey,
      order.signType,
    );
    const replays = await Promise.all(Array.from({ length: 9 }, () => post(`${shop.url}${PATH}`, body)));
    await sb.waitForDelivery(created.payment_cl_id, { timeoutMs: 10_000 });
    await sb.idle();
    const attempts = sb.deliveries({ paymentClId: created.payment_cl_id });
    expect(attempts).toHaveLength(11);
    expect(attempts.every((a) => a.acked && a.reply === ACK)).toBe(true);
    expect(replays.map((r) => r.text)).toEqual(Array(9).fill(ACK));
    expect(shop.calls).toHaveLength(1);
  });
});
