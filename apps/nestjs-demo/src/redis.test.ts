// nestjs-demo honours REDIS_URL as the other demos do: two instances sharing one Redis process a
// notification once between them (a copy reaching the second instance is acknowledged as a duplicate).
import { type Sandbox, startSandbox } from '@diamondpay/sandbox';
import { loadShopConfig, Shop } from '@diamondpay-demo/shop';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestRedis, type TestRedis } from '../../../packages/redis/src/testing/redis-server.js';
import { NOTIFICATION_PATH, type RunningApp, startApp } from './app.js';

let redis: TestRedis;
let sandbox: Sandbox;
const instances: RunningApp[] = [];
const shop = new Shop(); // the shared order database of both instances

beforeAll(async () => {
  redis = await startTestRedis();
  sandbox = await startSandbox({ timeScale: 0.002, seed: 7 });
  const config = loadShopConfig(
    { REDIS_URL: redis.url },
    { host: '127.0.0.1', port: 0, gateway: { ...loadShopConfig({}).gateway, baseUrl: sandbox.url } },
  );
  instances.push(await startApp(config, shop, false), await startApp(config, shop, false));
});

afterAll(async () => {
  await Promise.all(instances.map((i) => i.close()));
  await sandbox?.close();
  await redis?.destroy();
});

it('processes a notification once across two instances sharing REDIS_URL', async () => {
  const [a, b] = instances as [RunningApp, RunningApp];
  const res = await fetch(`${a.url}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ product_id: 'jeju-tea', service_id: 'SVC0016' }),
  });
  expect(res.status).toBe(201);
  const { id } = (await res.json()) as { id: string };
  await sandbox.pay(id);
  await sandbox.waitForDelivery(id, { timeoutMs: 20_000 });
  expect(shop.stats().notificationsHandled).toBe(1);

  // The same delivery reaching the other instance: acknowledged, not processed again.
  const delivered = sandbox.deliveries().find((d) => d.paymentClId === id && d.acked)!;
  const copy = await fetch(`${b.url}${NOTIFICATION_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: delivered.body,
  });
  expect(copy.status).toBe(200);
  expect(await copy.text()).toBe('{"error_code":"0000"}');
  expect(shop.stats().notificationsHandled).toBe(1);
  expect(shop.stats().deliveries.duplicate).toBe(1);
});
