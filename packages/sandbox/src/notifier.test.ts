import {
  ACK_BODY,
  createNotificationReceiver,
  type DepositNotification,
  DiamondPay,
  type SignType,
} from '@diamondpay/core';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MERCHANT, type SandboxOptions, startSandbox } from './index.js';
import { type ReceivedRequest, type Reply, startReceiver } from './test-receiver.js';

// Scaled schedule: 0, 1.5, 3, 6, 12, 30, 60, 60, 90, 90 ms (352.5 ms in all).
const FAST = 0.0001;
const opened: { close(): Promise<void> }[] = [];
let seq = 0;

afterEach(async () => {
  await Promise.all(opened.splice(0).map((x) => x.close()));
});

async function setup(
  reply?: (n: number, req: ReceivedRequest) => Reply | Promise<Reply>,
  options: SandboxOptions = {},
  signType: SignType = 'HMAC-SHA256',
) {
  const receiver = await startReceiver(reply);
  const sandbox = await startSandbox({ timeScale: FAST, ...options });
  opened.push(sandbox, receiver);
  const dp = new DiamondPay({
    baseUrl: sandbox.url,
    ...DEFAULT_MERCHANT,
    signType,
    retryBaseDelayMs: 1,
  });
  const paymentClId = `nt-${Date.now()}-${++seq}`;
  await dp.deposits.create({
    service_id: 'SVC0015',
    payment_cl_id: paymentClId,
    amount: 400000,
    notify_url: receiver.url,
  });
  return { sandbox, receiver, dp, paymentClId };
}

const nack = (): Reply => ({ status: 500, body: '{"error_code":"9999","error_msg":"try later"}' });

describe('notification body', () => {
  it('sends the docs field order, JSON numbers, HMAC sign_type, and verifies with core', async () => {
    const { sandbox, receiver, dp, paymentClId } = await setup();
    await sandbox.pay(paymentClId);
    const attempt = await sandbox.waitForDelivery(paymentClId);
    expect(receiver.received).toHaveLength(1);
    const req = receiver.received[0]!;
    expect(req.method).toBe('POST');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.body).toBe(attempt.body);
    expect(Object.keys(JSON.parse(req.body))).toEqual([
      'payment_id',
      'payment_cl_id',
      'platform_id',
      'amount',
      'real_amount',
      'fee',
      'status',
      'create_time',
      'update_time',
      'sign_type',
      'sign',
    ]);
    expect(req.body).toMatch(/"amount":400000,"real_amount":400000,"fee":3200,"status":2,/);
    const n: DepositNotification = await dp.notifications.parseDeposit(req.body);
    expect(n).toMatchObject({
      payment_cl_id: paymentClId,
      status: 2,
      outcome: 'paid',
      fee: 3200,
      sign_type: 'HMAC-SHA256',
    });
    expect(attempt).toMatchObject({ attempt: 1, acked: true, httpStatus: 200, reply: ACK_BODY, status: 2 });
  });

  it('omits sign_type and signs with MD5 for an order created with MD5', async () => {
    const { sandbox, receiver, dp, paymentClId } = await setup(undefined, {}, 'MD5');
    await sandbox.pay(paymentClId, { realAmount: 123456 });
    await sandbox.waitForDelivery(paymentClId);
    const body = JSON.parse(receiver.received[0]!.body);
    expect(body.sign_type).toBeUndefined();
    expect(body.sign).toMatch(/^[0-9a-f]{32}$/);
    expect(body).toMatchObject({ real_amount: 123456, fee: 987 });
    const n = await dp.notifications.parseDeposit(receiver.received[0]!.body);
    expect(n.sign_type).toBeUndefined();
  });

  it('carries payment_cl_name (the request name) after update_time, and still verifies', async () => {
    const receiver = await startReceiver();
    const sandbox = await startSandbox({ timeScale: FAST });
    opened.push(sandbox, receiver);
    const dp = new DiamondPay({ baseUrl: sandbox.url, ...DEFAULT_MERCHANT });
    await dp.deposits.create({
      service_id: 'SVC0016',
      payment_cl_id: 'named-1',
      amount: 1000,
      notify_url: receiver.url,
      name: '홍길동',
    });
    await sandbox.pay('named-1');
    await sandbox.waitForDelivery('named-1');
    const body = receiver.received[0]!.body;
    expect(Object.keys(JSON.parse(body)).slice(8)).toEqual([
      'update_time',
      'payment_cl_name',
      'sign_type',
      'sign',
    ]);
    expect((await dp.notifications.parseDeposit(body)).payment_cl_name).toBe('홍길동');
  });

  it('notifies cancellations (3 by default, 4 or 5 on request) with real_amount 0', async () => {
    const { sandbox, receiver, dp, paymentClId } = await setup();
    await sandbox.cancel(paymentClId, { status: 5 });
    await sandbox.waitForDelivery(paymentClId, { status: 5 });
    const n = await dp.notifications.parseDeposit(receiver.received[0]!.body);
    expect(n).toMatchObject({ status: 5, real_amount: 0, fee: 0, outcome: 'not_paid' });
  });
});

describe('retries', () => {
  it('retries on the scaled schedule until acknowledged: fail, fail, ack → 3 attempts', async () => {
    const { sandbox, receiver, paymentClId } = await setup((n) => (n <= 2 ? nack() : { body: ACK_BODY }), {
      timeScale: 0.002, // 0, 30, 60 ms
    });
    await sandbox.pay(paymentClId);
    const acked = await sandbox.waitForDelivery(paymentClId);
    expect(acked.attempt).toBe(3);
    const log = sandbox.deliveries({ paymentClId });
    expect(log.map((a) => [a.attempt, a.acked, a.httpStatus])).toEqual([
      [1, false, 500],
      [2, false, 500],
      [3, true, 200],
    ]);
    expect(log[0]!.error).toContain('not acknowledged');
    expect(log[1]!.at - log[0]!.at).toBeGreaterThanOrEqual(29);
    expect(log[2]!.at - log[1]!.at).toBeGreaterThanOrEqual(59);
    await sandbox.idle();
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
  });

  it('gives up after exactly 10 attempts, and waitForDelivery says so', async () => {
    const { sandbox, receiver, paymentClId } = await setup(nack);
    await sandbox.pay(paymentClId);
    await expect(sandbox.waitForDelivery(paymentClId)).rejects.toThrow(/all retries exhausted.*10 attempt/);
    await sandbox.idle();
    expect(sandbox.deliveries({ paymentClId }).map((a) => a.attempt)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
    expect(receiver.received).toHaveLength(10);
    expect(sandbox.stats()).toMatchObject({ deliveriesAttempted: 10, deliveriesAcked: 0 });
  });

  it('honours a custom retry schedule (its length is the number of attempts)', async () => {
    const { sandbox, paymentClId } = await setup(nack, { retrySchedule: [0, 10, 10], timeScale: 1 });
    await sandbox.pay(paymentClId);
    await sandbox.idle();
    expect(sandbox.deliveries({ paymentClId })).toHaveLength(3);
  });

  it.each([
    [200, `${ACK_BODY}\n`, true],
    [201, `  ${ACK_BODY}`, true],
    // Defect 9: public integrations answer with a space or extra fields; any JSON object with "0000" counts.
    [200, '{"error_code": "0000"}', true],
    [200, '{ "error_code" : "0000" }\r\n', true],
    [200, '{"error_code":"0000","data":{}}', true],
    [200, '{"error_msg":"ok","error_code":"0000"}', true],
    [200, '{"error_code":0}', false],
    [200, '{"error_code":"0001"}', false],
    [200, '["0000"]', false],
    [200, '{"error_code":"0000"', false],
    [200, 'OK', false],
    [500, ACK_BODY, false],
  ])('HTTP %i with reply %j acknowledges: %s', async (status, body, acked) => {
    const { sandbox, paymentClId } = await setup(() => ({ status, body }), { retrySchedule: [0] });
    await sandbox.pay(paymentClId);
    await sandbox.idle();
    expect(sandbox.deliveries({ paymentClId }).map((a) => a.acked)).toEqual([acked]);
  });

  it('counts a reply slower than notifyTimeoutMs as a failure and retries', async () => {
    const { sandbox, paymentClId } = await setup((n) => ({ body: ACK_BODY, delayMs: n === 1 ? 5_000 : 0 }), {
      notifyTimeoutMs: 400,
    });
    await sandbox.pay(paymentClId);
    const acked = await sandbox.waitForDelivery(paymentClId);
    expect(acked.attempt).toBe(2);
    expect(sandbox.deliveries({ paymentClId })[0]!.error).toMatch(/no reply within 400 ms/);
  });

  it('logs connection errors and retries', async () => {
    const receiver = await startReceiver();
    const deadUrl = receiver.url;
    await receiver.close();
    const sandbox = await startSandbox({ timeScale: FAST, retrySchedule: [0, 1] });
    opened.push(sandbox);
    const dp = new DiamondPay({ baseUrl: sandbox.url, ...DEFAULT_MERCHANT });
    await dp.deposits.create({
      service_id: 'SVC0015',
      payment_cl_id: 'dead-1',
      amount: 100,
      notify_url: deadUrl,
    });
    await sandbox.pay('dead-1');
    await expect(sandbox.waitForDelivery('dead-1')).rejects.toThrow(/ECONNREFUSED/);
    expect(sandbox.deliveries()).toHaveLength(2);
  });

  it('close() cancels scheduled retries and rejects waiters', async () => {
    const { sandbox, receiver, paymentClId } = await setup(nack, { timeScale: 1 });
    await sandbox.pay(paymentClId);
    const waiting = sandbox.waitForDelivery(paymentClId, { timeoutMs: 60_000 });
    for (let i = 0; i < 500 && receiver.received.length === 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(receiver.received).toHaveLength(1);
    await sandbox.close();
    await expect(waiting).rejects.toThrow(/closed/);
    await sandbox.idle();
    expect(receiver.received).toHaveLength(1);
  });

  it('waitForDelivery times out with a clear message when nothing was sent', async () => {
    const { sandbox, paymentClId } = await setup();
    await expect(sandbox.waitForDelivery(paymentClId, { timeoutMs: 50 })).rejects.toThrow(
      /no notification was sent \(pay or cancel the order first\) within 50 ms/,
    );
  });
});

describe('delivery faults', () => {
  it('failFirst with lose=reply: the merchant sees the same notification 3 times, its handler runs once', async () => {
    const handled: string[] = [];
    const merchantReceiver = createNotificationReceiver({
      platformId: DEFAULT_MERCHANT.platformId,
      platformKey: DEFAULT_MERCHANT.platformKey,
      onDeposit: (n) => {
        handled.push(`${n.payment_cl_id}:${n.status}`);
      },
    });
    const { sandbox, receiver, paymentClId } = await setup(async (_n, req) => {
      const r = await merchantReceiver.receive(req.body, undefined);
      return { status: r.status, body: r.body };
    });
    await sandbox.pay(paymentClId, { delivery: { failFirst: 2 } });
    const acked = await sandbox.waitForDelivery(paymentClId);
    expect(acked.attempt).toBe(3);
    expect(receiver.received).toHaveLength(3);
    expect(sandbox.deliveries({ paymentClId }).map((a) => a.error ?? 'acked')).toEqual([
      'reply discarded (failFirst fault)',
      'reply discarded (failFirst fault)',
      'acked',
    ]);
    expect(handled).toEqual([`${paymentClId}:2`]);
  });

  it('failFirst with lose=request: lost attempts never reach the merchant', async () => {
    const { sandbox, receiver, paymentClId } = await setup();
    await sandbox.pay(paymentClId, { delivery: { failFirst: 1, lose: 'request' } });
    await sandbox.waitForDelivery(paymentClId);
    expect(receiver.received).toHaveLength(1);
    expect(sandbox.deliveries({ paymentClId }).map((a) => [a.attempt, a.acked, a.httpStatus])).toEqual([
      [1, false, undefined],
      [2, true, 200],
    ]);
  });

  it('duplicates: extra identical copies arrive concurrently; an idempotent receiver runs its handler once', async () => {
    let runs = 0;
    const merchantReceiver = createNotificationReceiver({
      platformId: DEFAULT_MERCHANT.platformId,
      platformKey: DEFAULT_MERCHANT.platformKey,
      onDeposit: async () => {
        runs++;
        await new Promise((r) => setTimeout(r, 20));
      },
    });
    const { sandbox, receiver, paymentClId } = await setup(async (_n, req) => {
      const r = await merchantReceiver.receive(req.body, undefined);
      return { status: r.status, body: r.body };
    });
    await sandbox.pay(paymentClId, { delivery: { duplicates: 2 } });
    await sandbox.waitForDelivery(paymentClId);
    await sandbox.idle();
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
    const log = sandbox.deliveries({ paymentClId });
    expect(log.filter((a) => a.duplicate)).toHaveLength(2);
    expect(log.every((a) => a.attempt === 1 && a.acked)).toBe(true);
    expect(runs).toBe(1);
  });

  it('outOfOrder: a stale, validly signed status-1 notification arrives after the final one', async () => {
    const { sandbox, receiver, dp, paymentClId } = await setup();
    await sandbox.pay(paymentClId, { delivery: { outOfOrder: true } });
    await sandbox.waitForDelivery(paymentClId, { status: 1 });
    await sandbox.idle();
    const statuses = [];
    for (const r of receiver.received) statuses.push((await dp.notifications.parseDeposit(r.body)).status);
    expect(statuses).toEqual([2, 1]);
    const stale = await dp.notifications.parseDeposit(receiver.received[1]!.body);
    expect(stale).toMatchObject({ outcome: 'pending', real_amount: 0 });
    expect(sandbox.order(paymentClId)?.status).toBe(2);
  });

  it('latencyMs delays each attempt (scaled), and faults.delivery applies to every order', async () => {
    const { sandbox, receiver, paymentClId } = await setup(undefined, {
      timeScale: 1,
      faults: { delivery: { latencyMs: 120 } },
    });
    const started = Date.now();
    await sandbox.pay(paymentClId);
    await sandbox.waitForDelivery(paymentClId);
    expect(receiver.received[0]!.at - started).toBeGreaterThanOrEqual(110);
  });

  it('refuses invalid delivery faults before changing the order', async () => {
    const { sandbox, paymentClId } = await setup();
    await expect(sandbox.pay(paymentClId, { delivery: { duplicates: -1 } })).rejects.toMatchObject({
      code: 'invalid_request',
    });
    await expect(sandbox.pay(paymentClId, { delivery: { lost: 'reply' } as never })).rejects.toThrow(/lost/);
    expect(sandbox.order(paymentClId)?.status).toBe(0);
  });
});
