// The demos under faults: the sandbox adds latency, 5xx answers, connection resets before and after
// processing and hung requests on create-deposit, and slow or lost notification deliveries, while the
// three demo shops take 100 orders each. Afterwards: every order the gateway holds as paid is paid
// exactly once in its shop, none twice, and no deposit was ever sent twice for one payment_cl_id.

import { type Sandbox, startSandbox } from '@diamondpay/sandbox';
import { loadShopConfig, type Shop, type ShopConfig } from '@diamondpay-demo/shop';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApp as startHono } from '../apps/hono-demo/src/app.js';
import { startApp as startKoa } from '../apps/koa-demo/src/app.js';
import { startApp as startNest } from '../apps/nestjs-demo/src/app.js';

const ORDERS_PER_SHOP = 100;
const CONCURRENCY = 10;
// Nest's logger off: it would print a line per refused delivery; the test prints one summary per shop.
const STARTERS = {
  hono: startHono,
  koa: startKoa,
  nestjs: (config: ShopConfig) => startNest(config, undefined, false),
};

let sandbox: Sandbox;
const shops = new Map<string, { url: string; shop: Shop; close(): Promise<void> }>();

beforeAll(async () => {
  sandbox = await startSandbox({
    timeScale: 0.002,
    seed: 20261126,
    faults: {
      createDeposit: {
        latencyMs: 25,
        error5xxRate: 0.08,
        resetBeforeRate: 0.04,
        resetAfterRate: 0.05,
        hangRate: 0.01,
      },
      delivery: { latencyMs: 15 },
    },
  });
  for (const [name, start] of Object.entries(STARTERS)) {
    const config = loadShopConfig(
      {},
      {
        host: '127.0.0.1',
        port: 0,
        gateway: {
          ...loadShopConfig({}).gateway,
          baseUrl: sandbox.url,
          timeoutMs: 1_500,
          maxRetries: 4,
          retryBaseDelayMs: 20,
          retryMaxDelayMs: 200,
        },
      },
    );
    const running = await start(config);
    // Koa prints every 5xx it answers (here the 502s of refused creates): the summary below counts them.
    if (name === 'koa') (running.app as { silent?: boolean }).silent = true;
    shops.set(name, running);
  }
});

afterAll(async () => {
  await Promise.all([...shops.values()].map((s) => s.close()));
  await sandbox?.close();
});

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<unknown>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

it('loses nothing and doubles nothing under gateway and delivery faults', async () => {
  const createAnswers: Record<string, Record<number, number>> = {};
  for (const [name, s] of shops) {
    createAnswers[name] = {};
    await inBatches(
      Array.from({ length: ORDERS_PER_SHOP }, (_, i) => i),
      CONCURRENCY,
      async (i) => {
        const res = await fetch(`${s.url}/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({
            product_id: 'red-ginseng',
            service_id: ['SVC0015', 'SVC0016', 'SVC0017'][i % 3],
          }),
        });
        await res.arrayBuffer();
        createAnswers[name]![res.status] = (createAnswers[name]![res.status] ?? 0) + 1;
      },
    );
  }
  sandbox.setFaults({}); // the rest of the day runs on a healthy gateway API; deliveries keep their own faults below

  // Settle every order the gateway holds: most paid, some underpaid, some cancelled; some first deliveries lost.
  const held = sandbox.orders();
  const fates = new Map<string, 'paid' | 'underpaid' | 'cancelled'>();
  await inBatches(
    held.map((o, i) => ({ o, i })),
    20,
    async ({ o, i }) => {
      const delivery =
        i % 7 === 0
          ? { failFirst: 1, lose: 'reply' as const }
          : i % 11 === 0
            ? { failFirst: 2, lose: 'request' as const }
            : { latencyMs: 15 };
      if (i % 5 === 4) {
        fates.set(o.paymentClId, 'cancelled');
        await sandbox.cancel(o.paymentClId, { delivery });
      } else if (i % 10 === 3) {
        fates.set(o.paymentClId, 'underpaid');
        await sandbox.pay(o.paymentClId, { realAmount: o.amount - 100, delivery });
      } else {
        fates.set(o.paymentClId, 'paid');
        await sandbox.pay(o.paymentClId, { delivery });
      }
    },
  );
  await Promise.all(held.map((o) => sandbox.waitForDelivery(o.paymentClId, { timeoutMs: 60_000 })));
  await sandbox.idle();

  const report: Record<string, unknown>[] = [];
  for (const [name, s] of shops) {
    const mine = held.filter((o) => o.notifyUrl.startsWith(s.url));
    const stats = s.shop.stats();
    const orders = await s.shop.listOrders();
    const wrong: string[] = [];
    for (const o of mine) {
      const local = orders.find((x) => x.id === o.paymentClId);
      if (local?.status !== fates.get(o.paymentClId))
        wrong.push(`${o.paymentClId}: ${local?.status} ≠ ${fates.get(o.paymentClId)}`);
    }
    expect(wrong, `${name}: orders in the wrong state`).toEqual([]);
    // Exactly one handler run per settled order: duplicates and retried deliveries were absorbed.
    expect(stats.notificationsHandled, `${name}: handler runs`).toBe(mine.length);
    expect(stats.ordersUpdated).toBe(mine.length);
    // Orders the gateway never got stay pending in the shop; nothing else does.
    expect(orders.filter((o) => o.status === 'pending').length).toBe(ORDERS_PER_SHOP - mine.length);
    report.push({
      shop: name,
      'POST /orders answers': Object.entries(createAnswers[name] ?? {})
        .map(([status, n]) => `${status} ×${n}`)
        .join(' '),
      'held by gateway': mine.length,
      paid: orders.filter((o) => o.status === 'paid').length,
      underpaid: orders.filter((o) => o.status === 'underpaid').length,
      cancelled: orders.filter((o) => o.status === 'cancelled').length,
      'never reached gateway': ORDERS_PER_SHOP - mine.length,
      'handler runs': stats.notificationsHandled,
      'duplicates absorbed': stats.deliveries.duplicate,
    });
  }
  const gateway = sandbox.stats();
  // No deposit was ever sent twice for one payment_cl_id, and every held order is unique.
  expect(gateway.duplicateCreates).toBe(0);
  expect(new Set(held.map((o) => o.paymentClId)).size).toBe(held.length);
  for (const row of report) {
    console.log(
      Object.entries(row)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')
        .replace(/^shop (\w+),/, '$1:'),
    );
  }
  console.log(
    `gateway: ${gateway.requests.createDeposit} create requests, ${gateway.requests.queryDeposit} queries, ${gateway.ordersCreated} deposits, ` +
      `${gateway.duplicateCreates} duplicate creates, ${gateway.deliveriesAttempted} delivery attempts, ${gateway.deliveriesAcked} acknowledged`,
  );
});
