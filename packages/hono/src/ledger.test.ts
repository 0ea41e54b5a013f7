// depositNotifications with a ledger: handlers get { tx, order, source } and run in its transaction.
import type { AddressInfo } from 'node:net';
import {
  type DiscrepancyEvent,
  depositNotifications,
  type LedgerHandlerContext,
  MemoryLedger,
  MemoryNotificationStore,
} from '@diamondpay/hono';
import { type ServerType, serve } from '@hono/node-server';
import { type Context, Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACK, jsonPost, PLATFORM_ID, PLATFORM_KEY, signedDeposit } from './test-support.js';

type Vars = { Variables: { tag: string } };

describe('depositNotifications with a ledger, over a real socket', () => {
  const ledger = new MemoryLedger();
  const runs: { payment_id: string; tag: string; ledger: LedgerHandlerContext }[] = [];
  const discrepancies: DiscrepancyEvent[] = [];
  let failNext = false;
  let server: ServerType;
  let base: string;

  beforeAll(async () => {
    const app = new Hono<Vars>();
    app.use(async (c, next) => {
      c.set('tag', 'from-middleware');
      await next();
    });
    app.post(
      '/notify',
      depositNotifications<Vars>({
        platformId: PLATFORM_ID,
        platformKey: PLATFORM_KEY,
        ledger,
        onDeposit: async (n, c: Context<Vars>, l) => {
          if (failNext) {
            failNext = false;
            throw new Error('shop database hiccup');
          }
          runs.push({ payment_id: n.payment_id, tag: c.var.tag, ledger: l });
        },
        onDiscrepancy: (event, _c, { tx }) => {
          expect(typeof tx.query).toBe('function');
          discrepancies.push(event);
        },
      }),
    );
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as import('node:http').Server).closeAllConnections();
      }),
  );

  const post = async (body: string) => {
    const res = await fetch(`${base}/notify`, jsonPost(body));
    return { status: res.status, text: await res.text() };
  };

  it('runs onDeposit once with c and { tx, order, source }; a copy is acknowledged without running it', async () => {
    const body = await signedDeposit({ payment_id: 'PM-H-1', payment_cl_id: 'hono-1' });
    expect(await post(body)).toEqual({ status: 200, text: ACK });
    expect(await post(body)).toEqual({ status: 200, text: ACK });
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      payment_id: 'PM-H-1',
      tag: 'from-middleware',
      ledger: { source: 'notification', order: { cl_id: 'hono-1', status: 2, final: true } },
    });
    expect(await ledger.getInboxEntry('deposit:PF0002:PM-H-1:2')).toMatchObject({ effect: 'applied' });
  });

  it('answers 500 and records nothing when the handler throws; the retry runs it', async () => {
    const body = await signedDeposit({ payment_id: 'PM-H-2', payment_cl_id: 'hono-2' });
    failNext = true;
    const failed = await post(body);
    expect(failed.status).toBe(500);
    expect(JSON.parse(failed.text)).toMatchObject({ error_code: 'handler_failed' });
    expect(await ledger.getInboxEntry('deposit:PF0002:PM-H-2:2')).toBeUndefined();
    expect(await post(body)).toEqual({ status: 200, text: ACK });
    expect(runs.filter((r) => r.payment_id === 'PM-H-2')).toHaveLength(1);
  });

  it('hands a conflicting final status to onDiscrepancy, not onDeposit', async () => {
    await post(
      await signedDeposit({ payment_id: 'PM-H-3', payment_cl_id: 'hono-3', status: 3, real_amount: 0 }),
    );
    const before = runs.length;
    expect(await post(await signedDeposit({ payment_id: 'PM-H-3', payment_cl_id: 'hono-3' }))).toEqual({
      status: 200,
      text: ACK,
    });
    expect(runs.length).toBe(before);
    expect(discrepancies.map((d) => d.reason)).toEqual(['conflicting_final']);
  });
});

describe('depositNotifications ledger configuration', () => {
  it('refuses a ledger together with a store at startup', () => {
    expect(() =>
      depositNotifications({
        platformId: PLATFORM_ID,
        platformKey: PLATFORM_KEY,
        ledger: new MemoryLedger(),
        store: new MemoryNotificationStore(),
        onDeposit: () => {},
      }),
    ).toThrow(/store/);
  });

  it('the function form builds one receiver per ledger', async () => {
    const ledger = new MemoryLedger();
    let runs = 0;
    const app = new Hono();
    app.post(
      '/notify',
      depositNotifications(() => ({
        platformId: PLATFORM_ID,
        platformKey: PLATFORM_KEY,
        ledger,
        onDeposit: () => {
          runs++;
        },
      })),
    );
    const body = await signedDeposit({ payment_id: 'PM-H-F', payment_cl_id: 'hono-f' });
    expect((await app.request('/notify', jsonPost(body))).status).toBe(200);
    expect((await app.request('/notify', jsonPost(body))).status).toBe(200);
    expect(runs).toBe(1);
  });
});
