import { DiamondPay, type DiamondPayConfig, isDiamondPayError } from '@diamondpay/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FaultPlan } from './faults.js';
import { DEFAULT_MERCHANT, type Sandbox, startSandbox } from './index.js';

describe('FaultPlan', () => {
  it('replays the same rate-based faults for the same seed', () => {
    const faults = {
      createDeposit: { error5xxRate: 0.2, resetBeforeRate: 0.2, resetAfterRate: 0.1, hangRate: 0.1 },
    };
    const run = (seed: number) => {
      const plan = new FaultPlan(faults, seed);
      return Array.from({ length: 200 }, () => plan.decide('createDeposit').kind ?? 'none');
    };
    expect(run(42)).toEqual(run(42));
    expect(run(42)).not.toEqual(run(43));
    const counts: Record<string, number> = {};
    for (const kind of run(7)) counts[kind] = (counts[kind] ?? 0) + 1;
    // 200 draws: each kind appears, roughly at its rate.
    expect(counts.none).toBeGreaterThan(50);
    for (const kind of ['error500', 'error503', 'resetBefore', 'resetAfter', 'hang'])
      expect(counts[kind]).toBeGreaterThan(0);
  });

  it('applies one-shot faults first, in order, then the rates', () => {
    const plan = new FaultPlan({ balance: { latencyMs: 30 } }, 1);
    plan.inject('balance', 'error503', 2);
    plan.inject('balance', 'latency');
    expect(plan.decide('balance')).toEqual({ latencyMs: 30, kind: 'error503' });
    expect(plan.decide('balance')).toEqual({ latencyMs: 30, kind: 'error503' });
    expect(plan.decide('balance')).toEqual({ latencyMs: 30 });
    expect(plan.decide('balance')).toEqual({ latencyMs: 30 });
    expect(plan.decide('queryDeposit')).toEqual({ latencyMs: 0 });
    const bare = new FaultPlan(undefined, 1);
    bare.inject('createDeposit', 'latency');
    expect(bare.decide('createDeposit')).toEqual({ latencyMs: 1000 });
  });

  it('refuses invalid configurations with a message naming the setting', () => {
    expect(() => new FaultPlan({ createDeposit: { error5xxRate: 1.5 } }, 1)).toThrow(/error5xxRate/);
    expect(() => new FaultPlan({ createDeposit: { hangRate: 0.6, resetAfterRate: 0.6 } }, 1)).toThrow(
      /add up/,
    );
    expect(() => new FaultPlan({ createDepost: {} } as never, 1)).toThrow(/createDepost/);
    expect(() => new FaultPlan({ balance: { latency: 5 } } as never, 1)).toThrow(/latency/);
    expect(() => new FaultPlan({ delivery: { lose: 'both' } } as never, 1)).toThrow(/lose/);
    const plan = new FaultPlan(undefined, 1);
    expect(() => plan.inject('payouts' as never, 'hang')).toThrow(/endpoint/);
    expect(() => plan.inject('balance', 'explode' as never)).toThrow(/fault/);
    expect(() => plan.inject('balance', 'hang', 0)).toThrow(/times/);
  });
});

describe('gateway faults against the core client', () => {
  let sandbox: Sandbox;
  let seq = 0;
  const NOTIFY = 'https://shop.example.com/notify';

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 1234 });
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.setFaults({}));

  // The sandbox refuses a reused payment_cl_id, so it is a deployment where resendUnknown is safe.
  const client = (overrides: Partial<DiamondPayConfig> = {}) =>
    new DiamondPay({
      baseUrl: sandbox.url,
      ...DEFAULT_MERCHANT,
      retryBaseDelayMs: 1,
      retryMaxDelayMs: 5,
      timeoutMs: 2_000,
      settleMs: 10,
      resendUnknown: true,
      ...overrides,
    });
  const params = () => ({
    service_id: 'SVC0015',
    payment_cl_id: `ft-${Date.now()}-${++seq}`,
    amount: 100,
    notify_url: NOTIFY,
  });
  const ordersOf = (paymentClId: string) => sandbox.orders().filter((o) => o.paymentClId === paymentClId);

  it('latency: answers after the configured delay', async () => {
    sandbox.setFaults({ createDeposit: { latencyMs: 150 } });
    const started = performance.now();
    const d = await client().deposits.create(params());
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(d.payment_id).toMatch(/^PM/);
  });

  it.each([
    'error500',
    'error503',
  ] as const)('%s: nothing is processed; the client queries, resends, and gets one order', async (fault) => {
    const before = sandbox.stats().requests;
    sandbox.injectFault('createDeposit', fault);
    const p = params();
    const d = await client().deposits.create(p);
    expect(ordersOf(p.payment_cl_id)).toHaveLength(1);
    expect(ordersOf(p.payment_cl_id)[0]!.paymentId).toBe(d.payment_id);
    const after = sandbox.stats().requests;
    expect(after.createDeposit - before.createDeposit).toBe(2);
    expect(after.queryDeposit - before.queryDeposit).toBe(1);
  });

  it('without resendUnknown, a 5xx leaves the outcome unknown: queried, never sent twice', async () => {
    const before = sandbox.stats().requests;
    sandbox.injectFault('createDeposit', 'error503');
    const p = params();
    const error = await client({ resendUnknown: false })
      .deposits.create(p)
      .catch((e: unknown) => e);
    expect(isDiamondPayError(error) && error.code).toBe('outcome_unknown');
    expect(ordersOf(p.payment_cl_id)).toHaveLength(0);
    const after = sandbox.stats().requests;
    expect(after.createDeposit - before.createDeposit).toBe(1);
    expect(after.queryDeposit - before.queryDeposit).toBe(1);
  });

  it('error5xx answers carry a non-envelope body with the right status', async () => {
    sandbox.injectFault('balance', 'error503');
    const res = await fetch(`${sandbox.url}/gateway/api/v2/platforms/balance`, {
      headers: { authorization: DEFAULT_MERCHANT.authorization },
    });
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('503 Service Temporarily Unavailable');
  });

  it('resetBefore: the order is not created; the client resends and gets it', async () => {
    sandbox.injectFault('createDeposit', 'resetBefore');
    const p = params();
    const d = await client().deposits.create(p);
    expect(ordersOf(p.payment_cl_id).map((o) => o.paymentId)).toEqual([d.payment_id]);
  });

  it('resetAfter: the order is created, the answer lost; the client reports deposit_details_lost, one order', async () => {
    sandbox.injectFault('createDeposit', 'resetAfter');
    const p = params();
    const error = await client()
      .deposits.create(p)
      .catch((e: unknown) => e);
    expect(isDiamondPayError(error) && error.code).toBe('deposit_details_lost');
    const orders = ordersOf(p.payment_cl_id);
    expect(orders).toHaveLength(1);
    expect(error).toMatchObject({ paymentId: orders[0]!.paymentId, paymentClId: p.payment_cl_id });
  });

  it('hang: the client times out, finds no order, resends, and gets one order', async () => {
    sandbox.injectFault('createDeposit', 'hang');
    const p = params();
    const started = performance.now();
    const d = await client({ timeoutMs: 300 }).deposits.create(p);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(ordersOf(p.payment_cl_id).map((o) => o.paymentId)).toEqual([d.payment_id]);
  });

  it('resets and 5xx on GET endpoints are retried by the client', async () => {
    const p = params();
    await client().deposits.create(p);
    sandbox.injectFault('queryDeposit', 'resetBefore');
    sandbox.injectFault('queryDeposit', 'error500');
    expect((await client({ maxRetries: 3 }).deposits.retrieve(p.payment_cl_id)).status).toBe(0);
    sandbox.injectFault('balance', 'resetAfter');
    expect((await client().platforms.balance()).platform_id).toBe('PF0002');
  });

  it('rate-based faults (seeded): every create ends with exactly one order or a clear error, never two', async () => {
    sandbox.setFaults({
      createDeposit: { error5xxRate: 0.2, resetBeforeRate: 0.15, resetAfterRate: 0.15 },
    });
    // No hang here (it has its own test): a generous timeout keeps a loaded machine from timing out.
    const dp = client({ timeoutMs: 5_000, maxRetries: 4 });
    const outcomes: Record<string, number> = {};
    for (let i = 0; i < 30; i++) {
      const p = params();
      let outcome = 'created';
      try {
        const d = await dp.deposits.create(p);
        expect(ordersOf(p.payment_cl_id).map((o) => o.paymentId)).toEqual([d.payment_id]);
      } catch (error) {
        outcome = isDiamondPayError(error) ? error.code : String(error);
        if (outcome === 'deposit_details_lost') expect(ordersOf(p.payment_cl_id)).toHaveLength(1);
        else expect(ordersOf(p.payment_cl_id).length).toBeLessThanOrEqual(1);
      }
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
    // With maxRetries 4 the client always gets through: created, or created-but-answer-lost.
    expect(Object.keys(outcomes).sort()).toEqual(['created', 'deposit_details_lost']);
    expect(outcomes.created).toBeGreaterThan(5);
    expect(outcomes.deposit_details_lost).toBeGreaterThan(0);
  });

  it('is configurable over HTTP: PUT /_sandbox/faults and POST /_sandbox/faults/inject', async () => {
    const put = await fetch(`${sandbox.url}/_sandbox/faults`, {
      method: 'PUT',
      body: JSON.stringify({ balance: { latencyMs: 5 }, delivery: { duplicates: 1 } }),
    });
    expect(put.status).toBe(200);
    expect(sandbox.faults()).toEqual({ balance: { latencyMs: 5 }, delivery: { duplicates: 1 } });
    const bad = await fetch(`${sandbox.url}/_sandbox/faults`, {
      method: 'PUT',
      body: '{"balance":{"hangRate":2}}',
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid_request' });
    const inject = await fetch(`${sandbox.url}/_sandbox/faults/inject`, {
      method: 'POST',
      body: JSON.stringify({ endpoint: 'balance', fault: 'error500' }),
    });
    expect(inject.status).toBe(200);
    const res = await fetch(`${sandbox.url}/gateway/api/v2/platforms/balance`, {
      headers: { authorization: DEFAULT_MERCHANT.authorization },
    });
    expect(res.status).toBe(500);
  });
});

describe('close()', () => {
  it('releases hung requests and stops at once', async () => {
    const sandbox = await startSandbox({ faults: { balance: { hangRate: 1 } } });
    const pending = fetch(`${sandbox.url}/gateway/api/v2/platforms/balance`).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    const started = performance.now();
    await sandbox.close();
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(await pending).toBeInstanceOf(Error);
  });
});
