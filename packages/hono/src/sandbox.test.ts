// End to end over loopback: a Hono app on @hono/node-server creates deposits through c.var.diamondPay;
// the sandbox gateway pays them and delivers its signed notifications to the app's route.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type DepositNotification, depositNotifications, diamondPay } from '@diamondpay/hono';
import { type Sandbox, startSandbox } from '@diamondpay/sandbox';
import { type ServerType, serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACK } from './test-support.js';

let sb: Sandbox;
let server: ServerType;
let base: string;
/** Every onDeposit run, in order. */
const runs: DepositNotification[] = [];
/** The "database": one record per order, written by onDeposit. */
const recorded = new Map<string, { status: string; realAmount: number; writes: number }>();
const failOnce = new Set<string>();

beforeAll(async () => {
  sb = await startSandbox({ timeScale: 0.001, seed: 1 });
  const config = { baseUrl: sb.url, ...sb.merchant };
  const app = new Hono().use('/orders', diamondPay(config));
  app.post('/orders', async (c) => {
    const { id, amount } = await c.req.json<{ id: string; amount: number }>();
    const created = await c.var.diamondPay.deposits.create({
      service_id: 'SVC0015',
      payment_cl_id: id,
      amount,
      notify_url: `${base}/diamondpay/notifications/deposit`,
    });
    return c.json(created, 201);
  });
  app.post(
    '/diamondpay/notifications/deposit',
    depositNotifications({
      ...config,
      onDeposit: async (n) => {
        runs.push(n);
        if (failOnce.delete(n.payment_cl_id)) throw new Error('the database is down');
        const previous = recorded.get(n.payment_cl_id);
        recorded.set(n.payment_cl_id, {
          status: n.outcome,
          realAmount: n.real_amount,
          writes: (previous?.writes ?? 0) + 1,
        });
      },
    }),
  );
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await sb?.close();
  await new Promise<void>((resolve) => {
    server?.close(() => resolve());
    (server as Server | undefined)?.closeAllConnections();
  });
});

let nextId = 0;
async function newDeposit(amount = 50_000_000): Promise<string> {
  const id = `hono-e2e-${Date.now()}-${++nextId}`;
  const res = await fetch(`${base}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id, amount }),
  });
  expect(res.status).toBe(201);
  return id;
}
const runsFor = (id: string) => runs.filter((n) => n.payment_cl_id === id);

describe('Hono app with the sandbox gateway, over a real socket', () => {
  it('a paid deposit reaches onDeposit once and the sandbox counts it delivered', async () => {
    const id = await newDeposit();
    await sb.pay(id);
    const delivery = await sb.waitForDelivery(id, { timeoutMs: 5_000 });
    expect(delivery.httpStatus).toBe(200);
    expect(delivery.reply).toBe(ACK);
    await sb.idle();
    expect(runsFor(id)).toHaveLength(1);
    expect(runsFor(id)[0]).toMatchObject({ outcome: 'paid', amount: 50_000_000, real_amount: 50_000_000 });
    expect(recorded.get(id)).toEqual({ status: 'paid', realAmount: 50_000_000, writes: 1 });
    expect(sb.deliveries({ paymentClId: id }).filter((d) => d.acked)).toHaveLength(1);
  });

  it('a throwing handler is not acknowledged; the sandbox retry succeeds; the deposit is recorded once', async () => {
    const id = await newDeposit();
    failOnce.add(id);
    await sb.pay(id);
    await sb.waitForDelivery(id, { timeoutMs: 5_000 });
    await sb.idle();
    const attempts = sb.deliveries({ paymentClId: id });
    expect(attempts.map((a) => [a.httpStatus, a.acked])).toEqual([
      [500, false],
      [200, true],
    ]);
    expect(runsFor(id)).toHaveLength(2);
    expect(recorded.get(id)?.writes).toBe(1);
  });

  it('duplicate deliveries (concurrent copies, lost replies) run the handler once', async () => {
    const id = await newDeposit();
    await sb.pay(id, { delivery: { duplicates: 4, failFirst: 2, lose: 'reply' } });
    await sb.waitForDelivery(id, { timeoutMs: 5_000 });
    await sb.idle();
    expect(runsFor(id)).toHaveLength(1);
    expect(recorded.get(id)?.writes).toBe(1);
    const sent = sb.deliveries({ paymentClId: id }).filter((d) => d.httpStatus !== undefined);
    expect(sent.length).toBeGreaterThanOrEqual(5);
    expect(sent.every((d) => d.httpStatus === 200 && d.reply === ACK)).toBe(true);
  });

  it('an underpaid deposit carries the received amount', async () => {
    const id = await newDeposit(50_000_000);
    await sb.pay(id, { realAmount: 30_000_000 });
    await sb.waitForDelivery(id, { timeoutMs: 5_000 });
    expect(recorded.get(id)).toEqual({ status: 'paid', realAmount: 30_000_000, writes: 1 });
  });

  it('a cancelled deposit arrives as not paid', async () => {
    const id = await newDeposit();
    await sb.cancel(id);
    await sb.waitForDelivery(id, { timeoutMs: 5_000 });
    expect(recorded.get(id)?.status).toBe('not_paid');
  });
});
