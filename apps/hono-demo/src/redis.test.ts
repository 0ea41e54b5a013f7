// Two instances of the demo behind a round-robin balancer, sharing one Redis: the sandbox delivers
// 100 notifications, each with duplicates sent concurrently (so copies land on both instances), and
// Redis is restarted in the middle. Every notification is handled exactly once across the pair.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Sandbox, startSandbox } from '@diamondpay/sandbox';
import { loadShopConfig, Shop } from '@diamondpay-demo/shop';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestRedis, type TestRedis } from '../../../packages/redis/src/testing/redis-server.js';
import { type RunningApp, startApp } from './app.js';

let redis: TestRedis;
let sandbox: Sandbox;
let balancer: Server;
const instances: RunningApp[] = [];
const shop = new Shop(); // the shared order database of both instances

beforeAll(async () => {
  redis = await startTestRedis({ persistent: true });
  sandbox = await startSandbox({ timeScale: 0.002, seed: 42 });
  let next = 0;
  balancer = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const target = instances[next++ % instances.length]!;
    try {
      const r = await fetch(target.url + req.url, {
        method: req.method,
        headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
        body: Buffer.concat(chunks),
      });
      res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'text/plain' });
      res.end(await r.text());
    } catch {
      res.writeHead(502).end();
    }
  });
  await new Promise<void>((r) => balancer.listen(0, '127.0.0.1', r));
  const publicUrl = `http://127.0.0.1:${(balancer.address() as AddressInfo).port}`;
  const config = loadShopConfig(
    {},
    {
      host: '127.0.0.1',
      port: 0,
      publicUrl,
      redisUrl: redis.url,
      gateway: { ...loadShopConfig({}).gateway, baseUrl: sandbox.url },
    },
  );
  instances.push(await startApp(config, shop), await startApp(config, shop));
});

afterAll(async () => {
  await Promise.all(instances.map((i) => i.close()));
  await new Promise((r) => balancer?.close(r));
  await sandbox?.close();
  await redis?.destroy();
});

async function createOrder(via: RunningApp): Promise<string> {
  const res = await fetch(`${via.url}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ product_id: 'jeju-tea', service_id: 'SVC0016' }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

it('runs each handler exactly once across two instances, through duplicates and a Redis restart', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 100; i++) ids.push(await createOrder(instances[i % 2]!));

  // First half: three concurrent copies of each notification, spread over both instances.
  await Promise.all(ids.slice(0, 50).map((id) => sandbox.pay(id, { delivery: { duplicates: 2 } })));
  await Promise.all(ids.slice(0, 50).map((id) => sandbox.waitForDelivery(id, { timeoutMs: 20_000 })));

  // Redis goes away while the next 25 are paid: their deliveries are refused (503), never acknowledged.
  await redis.stop();
  await Promise.all(ids.slice(50, 75).map((id) => sandbox.pay(id, { delivery: { duplicates: 2 } })));
  await new Promise((r) => setTimeout(r, 300));
  expect(shop.stats().notificationsHandled).toBe(50);
  await redis.start();

  await Promise.all(ids.slice(75).map((id) => sandbox.pay(id, { delivery: { duplicates: 2 } })));
  await Promise.all(ids.slice(50).map((id) => sandbox.waitForDelivery(id, { timeoutMs: 30_000 })));
  await sandbox.idle();

  const stats = shop.stats();
  expect(stats.notificationsHandled).toBe(100); // exactly once per notification, across the pair
  expect(stats.ordersUpdated).toBe(100);
  const orders = await Promise.all(ids.map((id) => shop.getOrder(id)));
  expect(orders.every((o) => o?.status === 'paid')).toBe(true);
  // Both instances took part, and the refused deliveries were retried rather than lost.
  expect(stats.deliveries.duplicate).toBeGreaterThan(0);
  expect(sandbox.deliveries().some((d) => d.httpStatus === 503)).toBe(true);
}, 90_000);
