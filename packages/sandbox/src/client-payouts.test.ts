// core's payouts client against the sandbox over loopback: accepted, paid out, refused with 0012/0018,
// and the unknown-outcome paths, none of which may ever send a payout twice.
import {
  DiamondPay,
  type DiamondPayConfig,
  DiamondPayOutcomeUnknownError,
  isDiamondPayError,
  PayoutService,
} from '@diamondpay/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Sandbox, type SandboxMerchant, startSandbox } from './index.js';

const SHOP: SandboxMerchant = {
  platformId: 'PF0555',
  platformKey: 'client-payout-key',
  authorization: 'token-0555',
  balance: 1_000_000_000, // ₩10,000,000 in cents
};
let sandbox: Sandbox;
let seq = 0;

beforeAll(async () => {
  sandbox = await startSandbox({ merchants: [SHOP], unsupportedBankCodes: ['NOBANK'], seed: 7 });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.setFaults({}));

const client = (overrides: Partial<DiamondPayConfig> = {}) =>
  new DiamondPay({
    baseUrl: sandbox.url,
    ...SHOP,
    retryBaseDelayMs: 1,
    retryMaxDelayMs: 5,
    timeoutMs: 2_000,
    settleMs: 20,
    ...overrides,
  });
const params = (overrides: Record<string, unknown> = {}) => ({
  service_id: PayoutService.BANK_CARD,
  payout_cl_id: `cp-${Date.now()}-${++seq}`,
  amount: 1_000_000,
  bank_name: 'KB',
  name: '홍길동',
  number: '43700100123456',
  phone_number: '01012345678',
  currency: 'krw',
  ...overrides,
});
const payoutsOf = (id: string) => sandbox.payouts().filter((p) => p.payoutClId === id);

describe('payouts client against the sandbox', () => {
  it('accepted, then paid out; retrieve and balance follow', async () => {
    const dp = client();
    const before = await dp.platforms.balance();
    const p = params({ amount: 2_000_000 });
    const { payout_id } = await dp.payouts.create(p);
    expect(payout_id).toBe(payoutsOf(p.payout_cl_id)[0]!.payoutId);
    expect(await dp.payouts.retrieve(p.payout_cl_id)).toMatchObject({
      payout_id,
      status: 1,
      outcome: 'pending',
      fee: 10_000,
    });
    expect(await dp.platforms.balance()).toEqual({
      platform_id: SHOP.platformId,
      total_balance: before.total_balance,
      total_frozen_balance: before.total_frozen_balance + 2_010_000,
    });
    await sandbox.completePayout(p.payout_cl_id);
    const record = await dp.payouts.retrieve(p.payout_cl_id);
    expect(record).toMatchObject({ status: 3, outcome: 'paid_out', amount: 2_000_000 });
    expect(record.success_time).toBeGreaterThan(0);
    expect((await dp.platforms.balance()).total_balance).toBe(before.total_balance - 2_010_000);
  });

  it('MD5 clients are accepted too; a failed payout reads back with its error_msg', async () => {
    const dp = client({ signType: 'MD5' });
    const p = params();
    await dp.payouts.create(p);
    await sandbox.failPayout(p.payout_cl_id, { errorMsg: 'account closed' });
    expect(await dp.payouts.retrieve(p.payout_cl_id)).toMatchObject({
      status: 5,
      outcome: 'failed',
      error_msg: 'account closed',
      fee: 0,
    });
  });

  it('0012 and 0018 are api_errors with their codes; nothing is recorded', async () => {
    const dp = client();
    const bank = params({ bank_name: 'NOBANK' });
    expect(await dp.payouts.create(bank).catch((e: unknown) => e)).toMatchObject({
      code: 'api_error',
      errorCode: '0012',
    });
    const big = params({ amount: 9_999_999_999 });
    const e = await dp.payouts.create(big).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'api_error', errorCode: '0018' });
    expect((e as Error).message).toMatch(/Top up/);
    expect(payoutsOf(bank.payout_cl_id)).toHaveLength(0);
    expect(payoutsOf(big.payout_cl_id)).toHaveLength(0);
  });

  it('resetAfter: accepted, answer lost → found by query, { payout_id }, one POST', async () => {
    const before = sandbox.stats();
    sandbox.injectFault('createPayout', 'resetAfter');
    const p = params();
    const { payout_id } = await client({ resendUnknown: true }).payouts.create(p);
    expect(payoutsOf(p.payout_cl_id).map((x) => x.payoutId)).toEqual([payout_id]);
    const after = sandbox.stats();
    expect(after.requests.createPayout - before.requests.createPayout).toBe(1);
    expect(after.requests.queryPayout - before.requests.queryPayout).toBe(1);
    expect(after.duplicatePayouts).toBe(0);
  });

  it.each([
    'error500',
    'error503',
    'resetBefore',
  ] as const)('%s: nothing accepted → outcome_unknown (payoutClId), never resent even with resendUnknown', async (fault) => {
    const before = sandbox.stats();
    sandbox.injectFault('createPayout', fault);
    const p = params();
    const e = await client({ resendUnknown: true, maxRetries: 5 })
      .payouts.create(p)
      .catch((x: unknown) => x);
    // A reset before processing may surface as not_sent on some stacks: never as a second POST.
    expect(isDiamondPayError(e) && e.code).toBe('outcome_unknown');
    expect((e as DiamondPayOutcomeUnknownError).payoutClId).toBe(p.payout_cl_id);
    expect(payoutsOf(p.payout_cl_id)).toHaveLength(0);
    const after = sandbox.stats();
    expect(after.requests.createPayout - before.requests.createPayout).toBe(1);
    expect(after.duplicatePayouts).toBe(0);
  });

  it('timeout while the sandbox is slow: the payout is accepted late and found after the settle time', async () => {
    sandbox.setFaults({ createPayout: { latencyMs: 400 } });
    const before = sandbox.stats();
    const p = params();
    const { payout_id } = await client({ timeoutMs: 150, settleMs: 700 }).payouts.create(p);
    expect(payoutsOf(p.payout_cl_id).map((x) => x.payoutId)).toEqual([payout_id]);
    expect(sandbox.stats().requests.createPayout - before.requests.createPayout).toBe(1);
  });

  it('hang: timeout, nothing found → outcome_unknown, one POST', async () => {
    sandbox.injectFault('createPayout', 'hang');
    const before = sandbox.stats();
    const p = params();
    const e = await client({ timeoutMs: 200 })
      .payouts.create(p)
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DiamondPayOutcomeUnknownError);
    expect(sandbox.stats().requests.createPayout - before.requests.createPayout).toBe(1);
  });

  it('under rate-based faults on both payout endpoints: every payout sent once, results agree with the sandbox', async () => {
    sandbox.setFaults({
      createPayout: { error5xxRate: 0.15, resetBeforeRate: 0.1, resetAfterRate: 0.15 },
      queryPayout: { error5xxRate: 0.2 },
    });
    const dp = client({ resendUnknown: true, timeoutMs: 1_000, maxRetries: 3 });
    const before = sandbox.stats();
    const all = Array.from({ length: 40 }, () => params({ amount: 10_000 }));
    const results = await Promise.all(
      all.map((p) =>
        dp.payouts.create(p).then(
          (r) => ({ id: p.payout_cl_id, payoutId: r.payout_id }),
          (e: unknown) => ({ id: p.payout_cl_id, error: isDiamondPayError(e) ? e.code : String(e) }),
        ),
      ),
    );
    const after = sandbox.stats();
    expect(after.duplicatePayouts).toBe(0);
    expect(after.requests.createPayout - before.requests.createPayout).toBe(40);
    for (const r of results) {
      const records = payoutsOf(r.id);
      expect(records.length).toBeLessThanOrEqual(1);
      if ('payoutId' in r) expect(records.map((x) => x.payoutId)).toEqual([r.payoutId]);
      else expect(['outcome_unknown', 'connection_error']).toContain(r.error);
    }
    // Some payouts are accepted and some unknown: the faults really were exercised.
    expect(results.some((r) => 'payoutId' in r)).toBe(true);
    expect(results.some((r) => 'error' in r)).toBe(true);
  });
});
