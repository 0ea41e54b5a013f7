import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type DepositNotification, depositNotifications, MemoryNotificationStore } from '@diamondpay/hono';
import { type ServerType, serve } from '@hono/node-server';
import { type Context, Hono } from 'hono';
import { env } from 'hono/adapter';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ACK, jsonPost, PLATFORM_ID, PLATFORM_KEY, signedDeposit } from './test-support.js';

type Send = (path: string, init?: RequestInit) => Promise<Response>;
interface Transport {
  send: Send;
  close(): Promise<void>;
}

// The same app is driven in-process (`app.request`) and over a real loopback socket (@hono/node-server).
const transports: [string, (app: Hono<any>) => Promise<Transport>][] = [
  [
    'app.request',
    async (app) => ({ send: async (path, init) => app.request(path, init), close: async () => {} }),
  ],
  [
    'a real socket',
    async (app) => {
      const server = await new Promise<ServerType>((resolve) => {
        const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
      });
      const { port } = server.address() as AddressInfo;
      return {
        send: (path, init) => fetch(`http://127.0.0.1:${port}${path}`, init),
        close: () =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            (server as import('node:http').Server).closeAllConnections();
          }),
      };
    },
  ],
];

let nextId = 0;
const uniqueId = () => `PM${Date.now()}${++nextId}`;
const errorCode = async (res: Response) => ((await res.json()) as { error_code: string }).error_code;

describe.each(transports)('depositNotifications through %s', (_name, start) => {
  type Vars = { Variables: { tag: string } };
  const runs: { notification: DepositNotification; path: string; tag: string }[] = [];
  const failing = new Set<string>();
  const errors: unknown[] = [];
  let transport: Transport;

  const onDeposit = async (notification: DepositNotification, c: Context<Vars>) => {
    runs.push({ notification, path: c.req.path, tag: c.var.tag });
    await new Promise((r) => setTimeout(r, 20));
    if (failing.delete(notification.payment_id)) throw new Error('the shop database is down');
  };
  const route = depositNotifications<Vars>({
    platformId: PLATFORM_ID,
    platformKey: PLATFORM_KEY,
    onDeposit,
    onError: (error) => errors.push(error),
  });

  beforeAll(async () => {
    const app = new Hono<Vars>();
    app.use('*', async (c, next) => {
      c.set('tag', 'from-middleware');
      await next();
    });
    app.post('/notify', route);
    app.all('/notify-any', route);
    // A middleware that reads the body first (e.g. a logger or validator).
    app.post(
      '/notify-after-json',
      async (c, next) => {
        await c.req.json();
        await next();
      },
      route,
    );
    transport = await start(app);
  });
  afterAll(() => transport.close());

  const runsFor = (paymentId: string) => runs.filter((r) => r.notification.payment_id === paymentId);

  it('acknowledges a valid HMAC-signed notification after onDeposit ran once with the typed notification and c', async () => {
    const id = uniqueId();
    const res = await transport.send('/notify', jsonPost(await signedDeposit({ payment_id: id })));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(ACK);
    const [run, ...more] = runsFor(id);
    expect(more).toHaveLength(0);
    expect(run?.notification).toMatchObject({
      kind: 'deposit',
      payment_id: id,
      payment_cl_id: 'order-1',
      platform_id: 'PF0002',
      amount: 400000,
      real_amount: 400000,
      outcome: 'paid',
    });
    expect(run?.path).toBe('/notify');
    expect(run?.tag).toBe('from-middleware');
  });

  it('acknowledges an MD5-signed notification', async () => {
    const id = uniqueId();
    const res = await transport.send(
      '/notify',
      jsonPost(await signedDeposit({ payment_id: id }, { signType: 'MD5' })),
    );
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(ACK);
    expect(runsFor(id)).toHaveLength(1);
  });

  it('refuses a bad signature with 401 without running onDeposit', async () => {
    const id = uniqueId();
    const body = await signedDeposit({ payment_id: id }, { key: 'NotTheMerchantKey' });
    const res = await transport.send('/notify', jsonPost(body));
    expect(res.status).toBe(401);
    expect(await res.text()).not.toBe(ACK);
    expect(runsFor(id)).toHaveLength(0);
  });

  it('refuses a tampered body (amount changed after signing) with 401', async () => {
    const id = uniqueId();
    const body = (await signedDeposit({ payment_id: id })).replace(
      '"real_amount":400000',
      '"real_amount":900000',
    );
    const res = await transport.send('/notify', jsonPost(body));
    expect(res.status).toBe(401);
    expect(runsFor(id)).toHaveLength(0);
  });

  it('refuses a notification for another platform_id, signed with the right key, with 401', async () => {
    const id = uniqueId();
    const res = await transport.send(
      '/notify',
      jsonPost(await signedDeposit({ payment_id: id, platform_id: 'PF0014' })),
    );
    expect(res.status).toBe(401);
    expect(runsFor(id)).toHaveLength(0);
  });

  it('refuses malformed JSON with 400', async () => {
    const res = await transport.send('/notify', jsonPost('{"payment_id":"PM1",'));
    expect(res.status).toBe(400);
    expect(await errorCode(res)).not.toBe('0000');
  });

  it('refuses a body over 64 KiB with 413 (declared length)', async () => {
    const res = await transport.send('/notify', jsonPost(`{"pad":"${'x'.repeat(64 * 1024)}"}`));
    expect(res.status).toBe(413);
  });

  it('refuses a non-JSON content type with 415', async () => {
    const res = await transport.send(
      '/notify',
      jsonPost(await signedDeposit({ payment_id: uniqueId() }), { 'content-type': 'text/plain' }),
    );
    expect(res.status).toBe(415);
  });

  it('answers another method with 405 and Allow: POST where the route takes every method', async () => {
    const res = await transport.send('/notify-any', { method: 'GET' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });

  it('does not acknowledge when onDeposit throws; the retry runs it again and is acknowledged once', async () => {
    const id = uniqueId();
    const body = await signedDeposit({ payment_id: id });
    failing.add(id);
    const first = await transport.send('/notify', jsonPost(body));
    expect(first.status).toBe(500);
    expect(await first.text()).not.toBe(ACK);
    const retry = await transport.send('/notify', jsonPost(body));
    expect(retry.status).toBe(200);
    expect(await retry.text()).toBe(ACK);
    const again = await transport.send('/notify', jsonPost(body));
    expect(await again.text()).toBe(ACK);
    expect(runsFor(id)).toHaveLength(2);
    expect(errors.some((e) => e instanceof Error && e.message === 'the shop database is down')).toBe(true);
  });

  it('runs onDeposit once for 20 concurrent copies of one notification and acknowledges all 20', async () => {
    const id = uniqueId();
    const body = await signedDeposit({ payment_id: id });
    const replies = await Promise.all(
      Array.from({ length: 20 }, () =>
        transport.send('/notify', jsonPost(body)).then(async (r) => [r.status, await r.text()]),
      ),
    );
    expect(replies).toEqual(Array.from({ length: 20 }, () => [200, ACK]));
    expect(runsFor(id)).toHaveLength(1);
  });

  it('still verifies the exact bytes when a middleware read the body first through c.req', async () => {
    const id = uniqueId();
    const res = await transport.send(
      '/notify-after-json',
      jsonPost(await signedDeposit({ payment_id: id, amount: 400000 })),
    );
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(ACK);
    expect(runsFor(id)).toHaveLength(1);
  });

  it('refuses a notification older than the retention with 400', async () => {
    const old = Math.floor(Date.now() / 1000) - 3 * 86_400;
    const id = uniqueId();
    const res = await transport.send(
      '/notify',
      jsonPost(await signedDeposit({ payment_id: id, create_time: old - 60, update_time: old })),
    );
    expect(res.status).toBe(400);
    expect(runsFor(id)).toHaveLength(0);
  });
  it('refuses a body over 64 KiB with 413 (streamed, no declared length)', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(16 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        // Bounded: 8 chunks (128 KiB) at most.
        if (sent++ < 8) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await transport.send('/notify', { ...jsonPost(body), duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
  });
});

describe('depositNotifications options', () => {
  type Bindings = { DIAMONDPAY_PLATFORM_ID: string; DIAMONDPAY_PLATFORM_KEY: string };
  const bindings: Bindings = { DIAMONDPAY_PLATFORM_ID: PLATFORM_ID, DIAMONDPAY_PLATFORM_KEY: PLATFORM_KEY };

  it('takes a function of c reading secrets from env(c), and builds its receiver once', async () => {
    const runs: string[] = [];
    const app = new Hono<{ Bindings: Bindings }>();
    let calls = 0;
    app.post(
      '/notify',
      depositNotifications((c) => {
        calls++;
        // On Workers env(c) is c.env; under Node it is process.env, so name the runtime to read the bindings.
        const e = env<Bindings>(c, 'workerd');
        return {
          platformId: e.DIAMONDPAY_PLATFORM_ID,
          platformKey: e.DIAMONDPAY_PLATFORM_KEY,
          // Written inline: a new function on every request, which must not rebuild the receiver.
          onDeposit: async (n) => {
            runs.push(n.payment_id);
            await new Promise((r) => setTimeout(r, 20));
          },
        };
      }),
    );
    const id = uniqueId();
    const body = await signedDeposit({ payment_id: id });
    const replies = await Promise.all(
      Array.from({ length: 20 }, () =>
        Promise.resolve(app.request('/notify', jsonPost(body), bindings)).then(async (r) => [
          r.status,
          await r.text(),
        ]),
      ),
    );
    // One receiver for all 20 (a receiver per request would answer copies 409 while the first runs).
    expect(replies).toEqual(Array.from({ length: 20 }, () => [200, ACK]));
    expect(runs).toEqual([id]);
    expect(calls).toBe(20);

    const wrongKey = await app.request('/notify', jsonPost(await signedDeposit({ payment_id: uniqueId() })), {
      ...bindings,
      DIAMONDPAY_PLATFORM_KEY: 'RotatedKey456',
    });
    expect(wrongKey.status).toBe(401);
    const rotated = await app.request(
      '/notify',
      jsonPost(await signedDeposit({ payment_id: uniqueId() }, { key: 'RotatedKey456' })),
      { ...bindings, DIAMONDPAY_PLATFORM_KEY: 'RotatedKey456' },
    );
    expect(rotated.status).toBe(200);
    // The duplicate record survives the key change: the same notification is not run again.
    const replay = await app.request('/notify', jsonPost(await signedDeposit({ payment_id: id })), bindings);
    expect(await replay.text()).toBe(ACK);
    expect(runs.filter((r) => r === id)).toHaveLength(1);
  });

  it('reads process.env through env(c) under Node', async () => {
    vi.stubEnv('DIAMONDPAY_PLATFORM_KEY', PLATFORM_KEY);
    try {
      const runs: string[] = [];
      const app = new Hono();
      app.post(
        '/notify',
        depositNotifications((c) => ({
          platformId: PLATFORM_ID,
          platformKey: env<{ DIAMONDPAY_PLATFORM_KEY: string }>(c).DIAMONDPAY_PLATFORM_KEY,
          onDeposit: (n) => void runs.push(n.payment_id),
        })),
      );
      const id = uniqueId();
      const res = await app.request('/notify', jsonPost(await signedDeposit({ payment_id: id })));
      expect(await res.text()).toBe(ACK);
      expect(runs).toEqual([id]);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('fails the request (not acknowledged) when the function form yields no key', async () => {
    const failures: unknown[] = [];
    const app = new Hono<{ Bindings: Partial<Bindings> }>();
    app.onError((error, c) => {
      failures.push(error);
      return c.text('failed', 500);
    });
    app.post(
      '/notify',
      depositNotifications((c) => ({
        platformId: PLATFORM_ID,
        platformKey: env<Partial<Bindings>>(c, 'workerd').DIAMONDPAY_PLATFORM_KEY ?? '',
        onDeposit: () => {},
      })),
    );
    const res = await app.request('/notify', jsonPost(await signedDeposit()), {});
    expect(res.status).toBe(500);
    expect(await res.text()).not.toBe(ACK);
    expect((failures[0] as { code?: string }).code).toBe('configuration_error');
  });

  it('throws at startup on invalid static options, naming the field but never the key', () => {
    expect(() =>
      depositNotifications({ platformId: PLATFORM_ID, platformKey: ` ${PLATFORM_KEY}`, onDeposit: () => {} }),
    ).toThrowError(/platformKey/);
    try {
      depositNotifications({ platformId: PLATFORM_ID, platformKey: ` ${PLATFORM_KEY}`, onDeposit: () => {} });
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(PLATFORM_KEY);
    }
  });

  it('accepts the same options object the client takes, plus a shared store', async () => {
    const store = new MemoryNotificationStore();
    const config = { baseUrl: 'http://127.0.0.1:9', platformId: PLATFORM_ID, platformKey: PLATFORM_KEY };
    const runs: string[] = [];
    const a = new Hono();
    const b = new Hono();
    a.post(
      '/notify',
      depositNotifications({ ...config, store, onDeposit: (n) => void runs.push(n.payment_id) }),
    );
    b.post(
      '/notify',
      depositNotifications({ ...config, store, onDeposit: (n) => void runs.push(n.payment_id) }),
    );
    const body = await signedDeposit({ payment_id: uniqueId() });
    expect(await (await a.request('/notify', jsonPost(body))).text()).toBe(ACK);
    // Another "instance" sharing the store acknowledges the copy without running its handler.
    expect(await (await b.request('/notify', jsonPost(body))).text()).toBe(ACK);
    expect(runs).toHaveLength(1);
    expect(store.size).toBe(1);
  });

  it('reports every delivery to onResult with its outcome and c', async () => {
    const seen: [string, number, string][] = [];
    const app = new Hono();
    app.post(
      '/notify',
      depositNotifications(() => ({
        platformId: PLATFORM_ID,
        platformKey: PLATFORM_KEY,
        onDeposit: () => {},
        onResult: (result, ctx) => void seen.push([result.outcome, result.status, ctx.req.path]),
      })),
    );
    const body = await signedDeposit({ payment_id: uniqueId() });
    await app.request('/notify', jsonPost(body));
    await app.request('/notify', jsonPost(body));
    await app.request('/notify', jsonPost(body, { 'content-type': 'text/plain' }));
    expect(seen).toEqual([
      ['processed', 200, '/notify'],
      ['duplicate', 200, '/notify'],
      ['rejected', 415, '/notify'],
    ]);
  });

  it('hands payout notifications to onPayout when given', async () => {
    const { sign } = await import('@diamondpay/hono');
    const now = Math.floor(Date.now() / 1000);
    const payout: Record<string, unknown> = {
      payout_id: 'PO00000001',
      payout_cl_id: 'payout-1',
      platform_id: PLATFORM_ID,
      amount: 100000,
      fee: 0,
      status: 3,
      create_time: now - 60,
      update_time: now,
      sign_type: 'HMAC-SHA256',
    };
    payout.sign = await sign(payout, PLATFORM_KEY);
    const body = JSON.stringify(payout);
    const payouts: string[] = [];
    const withPayout = new Hono();
    withPayout.post(
      '/notify',
      depositNotifications({
        platformId: PLATFORM_ID,
        platformKey: PLATFORM_KEY,
        onDeposit: () => {},
        onPayout: (n) => void payouts.push(n.payout_id),
      }),
    );
    expect(await (await withPayout.request('/notify', jsonPost(body))).text()).toBe(ACK);
    expect(payouts).toEqual(['PO00000001']);
    const depositOnly = new Hono();
    depositOnly.post(
      '/notify',
      depositNotifications({ platformId: PLATFORM_ID, platformKey: PLATFORM_KEY, onDeposit: () => {} }),
    );
    expect((await depositOnly.request('/notify', jsonPost(body))).status).toBe(500);
  });
});

describe('depositNotifications on @hono/node-server', () => {
  let server: ServerType;
  let port: number;
  const runs: string[] = [];
  beforeAll(async () => {
    const app = new Hono();
    app.post(
      '/notify',
      depositNotifications({
        platformId: PLATFORM_ID,
        platformKey: PLATFORM_KEY,
        onDeposit: (n) => void runs.push(n.payment_id),
      }),
    );
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    port = (server.address() as AddressInfo).port;
  });
  afterAll(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as http.Server).closeAllConnections();
      }),
  );

  /** POSTs `chunks` (chunked encoding) through `agent`; resolves with the reply and the socket used. */
  const post = (agent: http.Agent, chunks: string[]) =>
    new Promise<{ status: number; body: string; socket: unknown }>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          path: '/notify',
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        },
        (res) => {
          let body = '';
          res.on('data', (d) => {
            body += d;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body, socket: req.socket }));
        },
      );
      req.on('error', reject);
      for (const chunk of chunks) req.write(chunk);
      req.end();
    });

  it('refuses a streamed body over 64 KiB with 413 and closes that connection; the next delivery works', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = 0; i < 3; i++) {
        const big = await post(
          agent,
          Array.from({ length: 8 }, () => 'x'.repeat(16 * 1024)),
        );
        expect(big.status).toBe(413);
        const id = uniqueId();
        const next = await post(agent, [await signedDeposit({ payment_id: id })]);
        expect([next.status, next.body]).toEqual([200, ACK]);
        // The unread rest of the oversized body is never parsed as a request: that connection was closed.
        expect(next.socket).not.toBe(big.socket);
        expect(runs).toContain(id);
      }
    } finally {
      agent.destroy();
    }
  });
});
