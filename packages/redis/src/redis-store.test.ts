import { createNotificationReceiver, type DepositNotification, type ReceiveResult } from '@diamondpay/core';
import { signedBody } from '@diamondpay-internal/test-signer';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisNotificationStore } from './redis-store.js';
import { startTestRedis, type TestRedis } from './testing/redis-server.js';

const KEY = 'ThisIsYourSecretKey123';

// Signed by the SDK's independent signer (node:crypto, canonical string written from the protocol text).
function notification(i: number, status = 2): string {
  const now = Math.floor(Date.now() / 1000);
  return signedBody(
    {
      payment_id: `PM${String(i).padStart(8, '0')}`,
      payment_cl_id: `ORDER-${i}`,
      platform_id: 'PF0002',
      amount: 1000 * i,
      real_amount: 1000 * i,
      fee: i,
      status,
      create_time: now - 10,
      update_time: now,
    },
    { key: KEY },
  );
}

let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis({ persistent: true });
});
afterAll(async () => {
  await redis?.destroy();
});

const clients = {
  'node-redis': async () => {
    const c = createClient({
      url: redis.url,
      disableOfflineQueue: true,
      socket: { reconnectStrategy: () => 50 },
    });
    c.on('error', () => {});
    await c.connect();
    return { client: c, close: () => c.destroy() };
  },
  ioredis: async () => {
    const c = new Redis(redis.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => 50,
      lazyConnect: true,
    });
    c.on('error', () => {});
    await c.connect();
    return { client: c, close: () => c.disconnect() };
  },
};

describe.each(Object.entries(clients))('RedisNotificationStore with %s', (_name, connect) => {
  it('claims once, reports processing and done, and releases only its own claim', async () => {
    const { client, close } = await connect();
    try {
      const store = new RedisNotificationStore({ client, prefix: `t:${_name}:${Date.now()}:` });
      expect(await store.claim('k', 'a', 10_000)).toBe('claimed');
      expect(await store.claim('k', 'b', 10_000)).toBe('processing');
      await store.release('k', 'b'); // not b's claim: no effect
      expect(await store.claim('k', 'c', 10_000)).toBe('processing');
      await store.release('k', 'a');
      expect(await store.claim('k', 'd', 10_000)).toBe('claimed');
      await store.complete('k', 'd', 10_000);
      expect(await store.claim('k', 'e', 10_000)).toBe('done');
      await store.release('k', 'd'); // done records are never released
      expect(await store.claim('k', 'f', 10_000)).toBe('done');
      // A claim expires after its lease (crashed instance), a record after its retention.
      expect(await store.claim('lease', 'a', 100)).toBe('claimed');
      await new Promise((r) => setTimeout(r, 250));
      expect(await store.claim('lease', 'b', 10_000)).toBe('claimed');
    } finally {
      await close();
    }
  });

  it('two instances sharing Redis run each handler exactly once under concurrent duplicates', async () => {
    const a = await connect();
    const b = await connect();
    try {
      const prefix = `dup:${_name}:${Date.now()}:`;
      const runs = new Map<string, number>();
      const onDeposit = async (n: DepositNotification) => {
        runs.set(n.payment_id, (runs.get(n.payment_id) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, 5));
      };
      const instances = [a, b].map((c) =>
        createNotificationReceiver({
          platformId: 'PF0002',
          platformKey: KEY,
          onDeposit,
          store: new RedisNotificationStore({ client: c.client, prefix }),
        }),
      );
      const bodies = Array.from({ length: 100 }, (_, i) => notification(i + 1));
      // Every notification three times to each instance, all at once.
      const deliveries: Promise<ReceiveResult>[] = [];
      for (const body of bodies)
        for (let copy = 0; copy < 3; copy++)
          for (const r of instances) deliveries.push(r.receive(body, undefined));
      const results = await Promise.all(deliveries);
      // Anything not acknowledged (409: the other instance was busy with it) is retried, as the gateway does.
      let pending = results
        .map((r, i) => ({ r, body: bodies[Math.floor(i / 6)]! }))
        .filter((x) => x.r.status !== 200);
      for (let round = 0; round < 20 && pending.length > 0; round++) {
        await new Promise((r) => setTimeout(r, 20));
        const again = await Promise.all(pending.map((p) => instances[round % 2]!.receive(p.body, undefined)));
        pending = pending.filter((_p, i) => again[i]!.status !== 200);
      }
      expect(pending).toHaveLength(0);
      expect(runs.size).toBe(100);
      expect([...runs.values()].every((n) => n === 1)).toBe(true);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('a Redis restart in the middle', () => {
  it('loses nothing: deliveries fail (not acknowledged) while it is down and complete once, after', async () => {
    const { client, close } = await clients['node-redis']();
    try {
      const runs = new Map<string, number>();
      const r = createNotificationReceiver({
        platformId: 'PF0002',
        platformKey: KEY,
        store: new RedisNotificationStore({ client, prefix: `restart:${Date.now()}:` }),
        onDeposit: (n) => void runs.set(n.payment_id, (runs.get(n.payment_id) ?? 0) + 1),
      });
      const bodies = Array.from({ length: 20 }, (_, i) => notification(1000 + i));
      for (const body of bodies.slice(0, 10)) expect((await r.receive(body, undefined)).status).toBe(200);
      await redis.stop();
      const during = await Promise.all(bodies.map((body) => r.receive(body, undefined)));
      expect(during.every((x) => x.status === 503)).toBe(true); // never acknowledged without a record
      await redis.start();
      // The gateway retries everything it did not get an ack for (bounded: 50 rounds).
      let unacked = [...bodies];
      for (let round = 0; round < 50 && unacked.length > 0; round++) {
        const answers = await Promise.all(unacked.map((body) => r.receive(body, undefined)));
        unacked = unacked.filter((_b, i) => answers[i]!.status !== 200);
        if (unacked.length > 0) await new Promise((res) => setTimeout(res, 100));
      }
      expect(unacked).toHaveLength(0);
      expect(runs.size).toBe(20);
      expect([...runs.values()].every((n) => n === 1)).toBe(true);
    } finally {
      await close();
    }
  });
});
