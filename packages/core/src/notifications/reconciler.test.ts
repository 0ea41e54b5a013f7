import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Sandbox, startSandbox } from '@diamondpay/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiamondPay } from '../client/index.js';
import type { Ledger, LedgerOrderRef } from './ledger.js';
import type { LedgerSource } from './ledger-inbox.js';
import { MemoryLedger } from './memory-ledger.js';
import { createNotificationReceiver, type NotificationReceiver } from './receiver.js';
import { createReconciler, NEVER_CREATED_MESSAGE, nextCheckAt } from './reconciler.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
// The sandbox gives up after three attempts here; losing all three is a shop down past the retries.
const RETRIES = [0, 10_000, 20_000];
const LOSE_ALL = { failFirst: RETRIES.length, lose: 'request' as const };

describe('nextCheckAt (default schedule: 1, 2, 5, 10, 30 min, then hourly to 72 h)', () => {
  it('walks the schedule from the creation time', () => {
    const c = 1_000_000;
    expect(nextCheckAt(c, c)).toBe(c + MIN);
    expect(nextCheckAt(c, c + MIN - 1)).toBe(c + MIN);
    expect(nextCheckAt(c, c + MIN)).toBe(c + 2 * MIN);
    expect(nextCheckAt(c, c + 3 * MIN)).toBe(c + 5 * MIN);
    expect(nextCheckAt(c, c + 10 * MIN)).toBe(c + 30 * MIN);
    expect(nextCheckAt(c, c + 30 * MIN)).toBe(c + 90 * MIN);
    expect(nextCheckAt(c, c + 100 * MIN)).toBe(c + 150 * MIN);
    expect(nextCheckAt(c, c + 71 * HOUR)).toBe(c + 71.5 * HOUR);
    expect(nextCheckAt(c, c + 71.5 * HOUR)).toBeNull();
    expect(nextCheckAt(c, c + 80 * HOUR)).toBeNull();
  });

  it('follows a custom schedule, repeat and horizon', () => {
    expect(nextCheckAt(0, 0, [10, 20], 100, 1_000)).toBe(10);
    expect(nextCheckAt(0, 20, [10, 20], 100, 1_000)).toBe(120);
    expect(nextCheckAt(0, 950, [10, 20], 100, 1_000)).toBeNull();
  });
});

describe('reconciler against the sandbox', () => {
  let sandbox: Sandbox;
  let shop: Server;
  let shopUrl: string;
  // The shop's receiver is swapped per test; the loopback server stays.
  let current: NotificationReceiver | undefined;

  beforeAll(async () => {
    sandbox = await startSandbox({ timeScale: 0.001, retrySchedule: RETRIES });
    shop = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const r = current
        ? await current.receive(Buffer.concat(chunks), undefined)
        : { status: 503, headers: {}, body: '{"error_code":"down"}' };
      res.writeHead(r.status, r.headers).end(r.body);
    });
    await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
    shopUrl = `http://127.0.0.1:${(shop.address() as AddressInfo).port}/notify`;
  });
  afterAll(async () => {
    await sandbox.close();
    await new Promise((resolve) => shop.close(resolve));
  });

  function client(): DiamondPay {
    return new DiamondPay({
      baseUrl: sandbox.url,
      ...sandbox.merchant,
      maxRetries: 0,
      retryBaseDelayMs: 1,
      settleMs: 5,
    });
  }

  /** A shop: a ledger, a receiver counting credits, a clock the test moves. */
  function setup(clockStart = Date.now()) {
    const ledger = new MemoryLedger();
    const clock = { t: clockStart };
    const credits: { cl_id: string; source: LedgerSource; real_amount: number }[] = [];
    const receiver = createNotificationReceiver({
      platformId: sandbox.merchant.platformId,
      platformKey: sandbox.merchant.platformKey,
      ledger,
      now: () => clock.t,
      onDeposit: async (n, _ctx, { source }) => {
        if (n.outcome === 'paid')
          credits.push({ cl_id: n.payment_cl_id, source, real_amount: n.real_amount });
      },
    });
    current = receiver as NotificationReceiver;
    return { ledger, clock, credits, receiver };
  }

  const ref = (cl_id: string): LedgerOrderRef => ({ kind: 'deposit', platform_id: 'PF0002', cl_id });

  /** Records the intent, then creates the order at the sandbox (what the create outbox will do). */
  async function createOrder(ledger: Ledger, t: number, cl_id: string, amount = 50_000_000): Promise<void> {
    await ledger.beginCreate({
      ...ref(cl_id),
      amount,
      service_id: 'SVC0015',
      notify_url: shopUrl,
      intent: null,
      now: t,
      next_check_at: t + MIN,
    });
    const created = await client().deposits.create({
      service_id: 'SVC0015',
      payment_cl_id: cl_id,
      amount,
      notify_url: shopUrl,
    });
    await ledger.finishCreate(
      ref(cl_id),
      { state: 'created', gateway_id: created.payment_id, link: created.link },
      t,
    );
  }

  it('completes an order whose every notification was lost; a later redelivery is a duplicate', async () => {
    const { ledger, clock, credits, receiver } = setup();
    const cl = `down-${Date.now()}`;
    await createOrder(ledger, clock.t, cl);
    await sandbox.pay(cl, { delivery: LOSE_ALL });
    await sandbox.idle();
    expect(sandbox.deliveries({ paymentClId: cl }).some((d) => d.acked)).toBe(false);
    expect(credits).toEqual([]);

    const reconciler = createReconciler({ client: client(), receiver, now: () => clock.t });
    clock.t += 30_000;
    expect(await reconciler.runOnce()).toEqual({ checked: 0, resolved: 0, pending: 0, unknown: 0 });
    clock.t += 30_000;
    expect(await reconciler.runOnce()).toEqual({ checked: 1, resolved: 1, pending: 0, unknown: 0 });
    expect(credits).toEqual([{ cl_id: cl, source: 'reconciliation', real_amount: 50_000_000 }]);
    expect(await ledger.getOrder(ref(cl))).toMatchObject({
      status: 2,
      final: true,
      next_check_at: null,
      checks: 1,
    });

    // The gateway's copy arrives after all (the shop is back): acknowledged, not credited again.
    const lost = sandbox.deliveries({ paymentClId: cl })[0]!;
    const res = await fetch(shopUrl, {
      method: 'POST',
      body: lost.body,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"error_code":"0000"}');
    expect(credits).toHaveLength(1);
    clock.t += HOUR;
    expect((await reconciler.runOnce()).checked).toBe(0);
  });

  it('resolves a create whose answer was lost (the process died mid-request), then follows it to paid', async () => {
    const { ledger, clock, credits, receiver } = setup();
    const cl = `lost-answer-${Date.now()}`;
    await ledger.beginCreate({
      ...ref(cl),
      amount: 50_000_000,
      service_id: 'SVC0015',
      notify_url: shopUrl,
      intent: null,
      now: clock.t,
      next_check_at: clock.t + MIN,
    });
    sandbox.injectFault('createDeposit', 'resetAfter');
    await expect(
      client().deposits.create({
        service_id: 'SVC0015',
        payment_cl_id: cl,
        amount: 50_000_000,
        notify_url: shopUrl,
      }),
    ).rejects.toThrow();
    const creates = sandbox.stats().requests.createDeposit;

    const reconciler = createReconciler({ client: client(), receiver, now: () => clock.t });
    clock.t += MIN;
    expect(await reconciler.runOnce()).toEqual({ checked: 1, resolved: 0, pending: 1, unknown: 0 });
    const order = await ledger.getOrder(ref(cl));
    expect(order).toMatchObject({
      create_state: 'created',
      status: 0,
      final: false,
      next_check_at: clock.t + MIN,
    });
    expect(order?.gateway_id).toBe(sandbox.order(cl)?.paymentId);

    await sandbox.pay(cl, { delivery: LOSE_ALL });
    await sandbox.idle();
    clock.t += MIN;
    expect(await reconciler.runOnce()).toEqual({ checked: 1, resolved: 1, pending: 0, unknown: 0 });
    expect(credits.map((c) => c.cl_id)).toEqual([cl]);
    expect(sandbox.stats().requests.createDeposit).toBe(creates);
  });

  it('checks a create the gateway never received until the horizon, then records it refused (nothing created)', async () => {
    const { ledger, clock, receiver } = setup();
    const cl = `never-${Date.now()}`;
    await ledger.beginCreate({
      ...ref(cl),
      amount: 50_000_000,
      service_id: 'SVC0015',
      notify_url: shopUrl,
      intent: null,
      now: clock.t,
      next_check_at: clock.t + MIN,
    });
    sandbox.injectFault('createDeposit', 'resetBefore');
    await expect(
      client().deposits.create({
        service_id: 'SVC0015',
        payment_cl_id: cl,
        amount: 50_000_000,
        notify_url: shopUrl,
      }),
    ).rejects.toThrow();
    expect(sandbox.order(cl)).toBeUndefined();

    const reconciler = createReconciler({
      client: client(),
      receiver,
      now: () => clock.t,
      schedule: [MIN],
      repeatMs: MIN,
      horizonMs: 3 * MIN,
    });
    clock.t += MIN;
    expect(await reconciler.runOnce()).toMatchObject({ checked: 1, pending: 1 });
    clock.t += MIN;
    expect(await reconciler.runOnce()).toMatchObject({ checked: 1, pending: 1 });
    expect(await ledger.getOrder(ref(cl))).toMatchObject({ create_state: 'sending', checks: 2 });
    clock.t += MIN;
    expect(await reconciler.runOnce()).toEqual({ checked: 1, resolved: 1, pending: 0, unknown: 0 });
    expect(await ledger.getOrder(ref(cl))).toMatchObject({
      create_state: 'refused',
      error_code: null,
      error_msg: NEVER_CREATED_MESSAGE,
      next_check_at: null,
    });
    clock.t += HOUR;
    expect((await reconciler.runOnce()).checked).toBe(0);
    expect(sandbox.order(cl)).toBeUndefined();
  });

  it('counts a failed query as unknown and checks again after a backoff', async () => {
    const { ledger, clock, receiver } = setup();
    const cl = `query-fails-${Date.now()}`;
    await createOrder(ledger, clock.t, cl);
    const errors: unknown[] = [];
    const reconciler = createReconciler({
      client: client(),
      receiver,
      now: () => clock.t,
      onError: (e) => errors.push(e),
    });
    sandbox.injectFault('queryDeposit', 'error500');
    clock.t += MIN;
    expect(await reconciler.runOnce()).toEqual({ checked: 1, resolved: 0, pending: 0, unknown: 1 });
    expect(errors).toHaveLength(1);
    expect(await ledger.getOrder(ref(cl))).toMatchObject({ next_check_at: clock.t + MIN, checks: 1 });
    clock.t += MIN;
    expect(await reconciler.runOnce()).toEqual({ checked: 1, resolved: 0, pending: 1, unknown: 0 });
  });

  it('counts a handler that fails on a queried status as unknown; nothing is recorded, the next check applies it', async () => {
    const ledger = new MemoryLedger();
    const clock = { t: Date.now() };
    let fail = true;
    let credited = 0;
    const receiver = createNotificationReceiver({
      ...sandbox.merchant,
      ledger,
      now: () => clock.t,
      onDeposit: () => {
        if (fail) throw new Error('shop database down');
        credited++;
      },
    });
    current = receiver as NotificationReceiver;
    const cl = `handler-fails-${Date.now()}`;
    await createOrder(ledger, clock.t, cl);
    await sandbox.pay(cl, { delivery: LOSE_ALL });
    await sandbox.idle();
    const reconciler = createReconciler({ client: client(), receiver, now: () => clock.t });
    clock.t += MIN;
    expect(await reconciler.runOnce()).toMatchObject({ checked: 1, unknown: 1 });
    expect(await ledger.getOrder(ref(cl))).toMatchObject({ status: null, final: false });
    fail = false;
    clock.t += MIN;
    expect(await reconciler.runOnce()).toMatchObject({ checked: 1, resolved: 1 });
    expect(credited).toBe(1);
  });

  it('never gives one order to two reconcilers running at once', async () => {
    const { ledger, clock, receiver } = setup();
    const stamp = Date.now();
    for (let i = 0; i < 10; i++) await createOrder(ledger, clock.t, `many-${stamp}-${i}`);
    const other = createNotificationReceiver({
      ...sandbox.merchant,
      ledger,
      now: () => clock.t,
      onDeposit: () => {},
    });
    const queriesBefore = sandbox.stats().requests.queryDeposit;
    const a = createReconciler({ client: client(), receiver, now: () => clock.t, batchSize: 6 });
    const b = createReconciler({ client: client(), receiver: other, now: () => clock.t, batchSize: 6 });
    clock.t += MIN;
    const [ra, rb] = await Promise.all([a.runOnce(), b.runOnce()]);
    expect(ra.checked + rb.checked).toBe(10);
    expect(ra.pending + rb.pending).toBe(10);
    expect(sandbox.stats().requests.queryDeposit - queriesBefore).toBe(10);
  });

  it('runs the handler once when a notification and a reconciliation race', async () => {
    const { ledger, clock, credits, receiver } = setup();
    const cl = `race-${Date.now()}`;
    await createOrder(ledger, clock.t, cl);
    const reconciler = createReconciler({ client: client(), receiver, now: () => clock.t });
    clock.t += MIN;
    await sandbox.pay(cl); // the notification is on its way while the reconciler queries
    const report = await reconciler.runOnce();
    await sandbox.waitForDelivery(cl);
    expect(report.checked).toBe(1);
    expect(credits.map((c) => c.cl_id)).toEqual([cl]);
    expect(await ledger.getOrder(ref(cl))).toMatchObject({ status: 2, final: true });
  });

  it('start runs passes on a timer; stop waits for the running pass and ends them', async () => {
    const { ledger, clock, credits, receiver } = setup();
    const cl = `timer-${Date.now()}`;
    await createOrder(ledger, clock.t, cl);
    await sandbox.pay(cl, { delivery: LOSE_ALL });
    await sandbox.idle();
    clock.t += MIN;
    const reconciler = createReconciler({ client: client(), receiver, now: () => clock.t });
    reconciler.start({ intervalMs: 5 });
    for (let i = 0; i < 400 && credits.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    await reconciler.stop();
    expect(credits.map((c) => c.cl_id)).toEqual([cl]);
    // Stopped: a newly due order is left alone.
    const later = `timer-later-${Date.now()}`;
    await createOrder(ledger, clock.t, later);
    clock.t += MIN;
    const queries = sandbox.stats().requests.queryDeposit;
    await new Promise((r) => setTimeout(r, 50));
    expect(sandbox.stats().requests.queryDeposit).toBe(queries);
  });

  it('through the sandbox: concurrent duplicate copies run the handler once; a stale status after paid is recorded only', async () => {
    const ledger = new MemoryLedger();
    const calls: number[] = [];
    const receiver = createNotificationReceiver({
      ...sandbox.merchant,
      ledger,
      onDeposit: async (n) => {
        calls.push(n.status);
        await new Promise((r) => setTimeout(r, 5));
      },
    });
    current = receiver as NotificationReceiver;
    const cl = `dup-stale-${Date.now()}`;
    await createOrder(ledger, Date.now(), cl);
    await sandbox.pay(cl, { delivery: { duplicates: 5, outOfOrder: true } });
    await sandbox.waitForDelivery(cl);
    await sandbox.idle();
    expect(calls).toEqual([2]);
    const stale = sandbox.deliveries({ paymentClId: cl, status: 1 });
    expect(stale.length).toBeGreaterThan(0);
    expect(stale.every((d) => d.acked)).toBe(true);
    const gatewayId = sandbox.order(cl)?.paymentId;
    expect(await ledger.getInboxEntry(`deposit:PF0002:${gatewayId}:1`)).toMatchObject({ effect: 'stale' });
    expect(await ledger.getOrder(ref(cl))).toMatchObject({ status: 2, final: true });
  });

  it("leaves another merchant's orders in a shared ledger alone, schedule untouched", async () => {
    const { ledger, clock, receiver } = setup();
    const other: LedgerOrderRef = { kind: 'deposit', platform_id: 'PF0099', cl_id: `other-${Date.now()}` };
    await ledger.beginCreate({
      ...other,
      amount: 100,
      service_id: 'SVC0015',
      notify_url: null,
      intent: null,
      now: clock.t,
      next_check_at: clock.t + MIN,
    });
    const queries = sandbox.stats().requests.queryDeposit;
    const reconciler = createReconciler({ client: client(), receiver, now: () => clock.t });
    clock.t += MIN;
    expect(await reconciler.runOnce()).toEqual({ checked: 0, resolved: 0, pending: 0, unknown: 0 });
    expect(sandbox.stats().requests.queryDeposit).toBe(queries);
    expect(await ledger.getOrder(other)).toMatchObject({
      create_state: 'sending',
      checks: 0,
      next_check_at: clock.t,
    });
  });

  it('refuses a receiver without a ledger', () => {
    const plain = createNotificationReceiver({ ...sandbox.merchant, onDeposit: () => {} });
    expect(() => createReconciler({ client: client(), receiver: plain })).toThrow(/ledger/);
  });
});
