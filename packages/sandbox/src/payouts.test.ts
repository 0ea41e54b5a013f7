// Payouts and balances over loopback, with request bodies and notification checks signed by the
// independent node:crypto signer (never the sandbox's or core's own code).
import { DiamondPay } from '@diamondpay/core';
import { independentCanonical, signedBody } from '@diamondpay-internal/test-signer';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MERCHANT, type Sandbox, SandboxError, type SandboxMerchant, startSandbox } from './index.js';
import { type ReceivedRequest, type Reply, startReceiver, type TestReceiver } from './test-receiver.js';

const RICH: SandboxMerchant = {
  platformId: 'PF0077',
  platformKey: 'rich-merchant-key-77',
  authorization: 'token-0077',
  balance: 100_000_000_000, // ₩1,000,000,000 in cents
};
const PAYOUTS = '/gateway/api/v2/payouts';
let seq = 0;
const id = (prefix = 'po') => `${prefix}-${Date.now()}-${++seq}`;
const now = () => Math.floor(Date.now() / 1000);

/** A valid create-payout request for `platformId` (before signing). */
function payoutFields(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    platform_id: RICH.platformId,
    service_id: 'SVC0004',
    payout_cl_id: id(),
    amount: 1_000_000,
    bank_name: 'KB',
    name: '홍길동',
    number: '43700100123456',
    phone_number: '01012345678',
    currency: 'krw',
    request_time: now(),
    ...overrides,
  };
}

async function post(sandbox: Sandbox, text: string) {
  const res = await fetch(sandbox.url + PAYOUTS, {
    method: 'POST',
    headers: { 'content-type': 'application/json;charset=utf-8' },
    body: text,
  });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

/** Signs with the independent signer (key of the merchant named in the fields) and POSTs. */
function create(
  sandbox: Sandbox,
  fields: Record<string, unknown>,
  { key = RICH.platformKey, signType = 'HMAC-SHA256' as 'HMAC-SHA256' | 'MD5' } = {},
) {
  return post(sandbox, signedBody(fields, { key, signType }));
}

async function query(sandbox: Sandbox, payoutClId: string, token = RICH.authorization) {
  const res = await fetch(`${sandbox.url}${PAYOUTS}/${encodeURIComponent(payoutClId)}`, {
    headers: { authorization: token },
  });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

async function balanceOf(sandbox: Sandbox, token: string) {
  const res = await fetch(`${sandbox.url}/gateway/api/v2/platforms/balance`, {
    headers: { authorization: token },
  });
  return ((await res.json()) as { data: Record<string, unknown> }).data;
}

/** True when `body` is exactly what the independent signer produces for its fields (order, sign_type, sign). */
function signedIndependently(body: string, key: string): boolean {
  const { sign, sign_type, ...fields } = JSON.parse(body) as Record<string, unknown>;
  const signType = sign_type === 'HMAC-SHA256' ? 'HMAC-SHA256' : 'MD5';
  return typeof sign === 'string' && signedBody(fields, { key, signType }) === body;
}

describe('create and query payout', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ merchants: [DEFAULT_MERCHANT, RICH], timeScale: 0.001 });
  });
  afterAll(() => sandbox.close());

  it('accepts a valid payout (0000 with data.payout_id only) and records it pending', async () => {
    const fields = payoutFields();
    const { status, json } = await create(sandbox, fields);
    expect(status).toBe(200);
    expect(json.error_code).toBe('0000');
    expect(Object.keys(json.data)).toEqual(['payout_id']);
    expect(json.data.payout_id).toMatch(/^PO\d{8}$/);
    const q = await query(sandbox, fields.payout_cl_id as string);
    expect(q.json).toEqual({
      error_code: '0000',
      data: {
        payout_id: json.data.payout_id,
        payout_cl_id: fields.payout_cl_id,
        amount: 1_000_000,
        fee: 5_000, // 0.5 % of 1 000 000
        status: 1,
        create_time: expect.any(Number),
        success_time: 0,
      },
    });
    expect(sandbox.payout(fields.payout_cl_id as string)).toMatchObject({
      platformId: RICH.platformId,
      bankName: 'KB',
      name: '홍길동',
      number: '43700100123456',
      phoneNumber: '01012345678',
      currency: 'krw',
      signType: 'HMAC-SHA256',
    });
  });

  it('accepts MD5-signed requests and amounts sent as digit strings', async () => {
    const fields = payoutFields({ amount: '2500000', request_time: String(now()) });
    const { json } = await create(sandbox, fields, { signType: 'MD5' });
    expect(json.error_code).toBe('0000');
    expect(sandbox.payout(fields.payout_cl_id as string)).toMatchObject({
      amount: 2_500_000,
      signType: 'MD5',
    });
  });

  it('refuses a wrong key and a body changed after signing with 0004', async () => {
    expect((await create(sandbox, payoutFields(), { key: 'not-the-key' })).json).toEqual({
      error_code: '0004',
      error_msg: 'Signature verification failed!',
    });
    const tampered = signedBody(payoutFields()).replace('"amount":1000000', '"amount":9000000');
    expect((await post(sandbox, tampered)).json.error_code).toBe('0004');
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['service_id missing', { service_id: undefined }, /service_id is required/],
    ['service_id malformed', { service_id: 'SVC04' }, /service_id must be "SVC" followed by 4 digits/],
    ['payout_cl_id missing', { payout_cl_id: '' }, /payout_cl_id is required/],
    ['payout_cl_id too long', { payout_cl_id: 'x'.repeat(65) }, /payout_cl_id must be at most 64/],
    ['amount zero', { amount: 0 }, /amount must be an integer from 1 to 9999999999/],
    ['amount 11 digits', { amount: 10_000_000_000 }, /amount must be an integer/],
    ['amount fractional', { amount: 1.5 }, /amount must be an integer/],
    ['notify_url not a URL', { notify_url: 'ftp://x' }, /notify_url must be a complete http\(s\) URL/],
    ['bank_name missing', { bank_name: undefined }, /bank_name is required/],
    ['bank_name too long', { bank_name: 'B'.repeat(17) }, /bank_name must be at most 16/],
    ['name missing', { name: undefined }, /name is required/],
    ['name too long', { name: '가'.repeat(17) }, /name must be at most 16/],
    ['number missing', { number: undefined }, /number is required/],
    ['number with letters', { number: '1234-5678' }, /number must be 1–32 digits/],
    ['number too long', { number: '1'.repeat(33) }, /number must be 1–32 digits/],
    ['phone_number missing for krw', { phone_number: undefined }, /phone_number is required for krw/],
    ['phone_number too long', { phone_number: '010123456789' }, /phone_number must be at most 11 digits/],
    ['currency missing', { currency: undefined }, /currency is required/],
    ['currency uppercase', { currency: 'KRW' }, /currency must be lowercase/],
    ['currency not paid out here', { currency: 'vnd' }, /currency vnd is not paid out here/],
    ['request_time not 10 digits', { request_time: 12345 }, /request_time must be Unix seconds/],
    ['sign_type unknown', { sign_type: 'SHA1' }, /sign_type must be/],
  ])('9001 for %s, naming the field', async (_what, overrides, message) => {
    const fields = payoutFields(overrides);
    for (const k of Object.keys(fields)) if (fields[k] === undefined) delete fields[k];
    // An unknown sign_type must survive signing: the independent signer appends its own, so write it in.
    const text =
      overrides.sign_type !== undefined
        ? signedBody(fields).replace(
            '"sign_type":"HMAC-SHA256"',
            `"sign_type":${JSON.stringify(overrides.sign_type)}`,
          )
        : signedBody(fields);
    const { status, json } = await post(sandbox, text);
    expect(status).toBe(200);
    expect(json.error_code).toBe('9001');
    expect(json.error_msg).toMatch(message);
    expect(sandbox.payout(fields.payout_cl_id as string)).toBeUndefined();
  });

  it('lists every problem at once', async () => {
    const { json } = await create(
      sandbox,
      payoutFields({ amount: -1, currency: 'KRW', number: 'abc', name: '' }),
    );
    expect(json.error_code).toBe('9001');
    for (const field of ['amount', 'currency', 'number', 'name']) expect(json.error_msg).toContain(field);
  });

  it('refuses a malformed body, an unknown merchant, a missing sign', async () => {
    expect((await post(sandbox, '{"platform_id":')).json.error_code).toBe('9001');
    expect((await post(sandbox, '[]')).json.error_code).toBe('9001');
    expect((await create(sandbox, payoutFields({ platform_id: 'PF9999' }))).json.error_code).toBe('9003');
    const { sign: _s, ...unsigned } = JSON.parse(signedBody(payoutFields())) as Record<string, unknown>;
    const { json } = await post(sandbox, JSON.stringify(unsigned));
    expect(json).toMatchObject({ error_code: '9001', error_msg: expect.stringMatching(/sign is required/) });
  });

  it('refuses a reused payout_cl_id (9002) and counts it in stats().duplicatePayouts', async () => {
    const before = sandbox.stats();
    const fields = payoutFields();
    expect((await create(sandbox, fields)).json.error_code).toBe('0000');
    const again = await create(sandbox, { ...fields, request_time: now() });
    expect(again.json).toMatchObject({
      error_code: '9002',
      error_msg: expect.stringMatching(/payout_cl_id/),
    });
    const after = sandbox.stats();
    expect(after.duplicatePayouts - before.duplicatePayouts).toBe(1);
    expect(after.payoutsCreated - before.payoutsCreated).toBe(1);
    expect(sandbox.payouts().filter((p) => p.payoutClId === fields.payout_cl_id)).toHaveLength(1);
  });

  it('ids are per merchant: another merchant may use the same payout_cl_id', async () => {
    const payoutClId = id('shared');
    expect((await create(sandbox, payoutFields({ payout_cl_id: payoutClId }))).json.error_code).toBe('0000');
    // DEFAULT_MERCHANT has no money: the same id is not a duplicate there, only short of balance.
    const other = await create(sandbox, payoutFields({ payout_cl_id: payoutClId, platform_id: 'PF0002' }), {
      key: DEFAULT_MERCHANT.platformKey,
    });
    expect(other.json.error_code).toBe('0018');
  });

  it('answers 0012 for the default unsupported bank code, without recording the payout', async () => {
    const fields = payoutFields({ bank_name: 'UNSUPPORTED' });
    expect((await create(sandbox, fields)).json).toEqual({
      error_code: '0012',
      error_msg: 'Bank not supported!',
    });
    expect(sandbox.payout(fields.payout_cl_id as string)).toBeUndefined();
    // Not recorded: the same id may be used with a supported bank.
    expect((await create(sandbox, { ...fields, bank_name: 'KB' })).json.error_code).toBe('0000');
  });

  it('query: 0050 for an unknown id, 0006 for a bad token, another merchant cannot see it', async () => {
    expect((await query(sandbox, 'no-such-payout')).json).toEqual({
      error_code: '0050',
      error_msg: 'Order not found!',
    });
    const fields = payoutFields();
    await create(sandbox, fields);
    expect((await query(sandbox, fields.payout_cl_id as string, 'wrong-token')).json.error_code).toBe('0006');
    expect(
      (await query(sandbox, fields.payout_cl_id as string, DEFAULT_MERCHANT.authorization)).json.error_code,
    ).toBe('0050');
  });

  it('wrong methods get 405', async () => {
    expect((await fetch(sandbox.url + PAYOUTS)).status).toBe(405);
    expect((await fetch(`${sandbox.url}${PAYOUTS}/x`, { method: 'POST', body: '{}' })).status).toBe(405);
  });
});

describe('unsupported bank codes are configurable', () => {
  it('0012 for the configured codes only', async () => {
    const sandbox = await startSandbox({ merchants: [RICH], unsupportedBankCodes: ['NH', 'IBK'] });
    try {
      expect((await create(sandbox, payoutFields({ bank_name: 'NH' }))).json.error_code).toBe('0012');
      expect((await create(sandbox, payoutFields({ bank_name: 'IBK' }))).json.error_code).toBe('0012');
      expect((await create(sandbox, payoutFields({ bank_name: 'UNSUPPORTED' }))).json.error_code).toBe(
        '0000',
      );
    } finally {
      await sandbox.close();
    }
    await expect(startSandbox({ unsupportedBankCodes: [''] })).rejects.toThrow(/unsupportedBankCodes/);
  });
});

describe('balance arithmetic', () => {
  const SHOP: SandboxMerchant = {
    platformId: 'PF0100',
    platformKey: 'shop-key-100',
    authorization: 'token-100',
  };
  let sandbox: Sandbox;
  let receiver: TestReceiver;
  beforeAll(async () => {
    receiver = await startReceiver();
    sandbox = await startSandbox({ merchants: [SHOP], timeScale: 0.001 });
  });
  afterAll(async () => {
    await sandbox.close();
    await receiver.close();
  });

  const payout = (amount: number, payoutClId = id('bal')) =>
    create(sandbox, payoutFields({ platform_id: SHOP.platformId, payout_cl_id: payoutClId, amount }), {
      key: SHOP.platformKey,
    }).then((r) => ({ ...r, payoutClId }));
  const expectBalance = async (total: number, frozen: number) => {
    expect(await balanceOf(sandbox, SHOP.authorization)).toEqual({
      platform_id: SHOP.platformId,
      total_balance: total,
      total_frozen_balance: frozen,
    });
    expect(sandbox.balance()).toEqual({
      platformId: SHOP.platformId,
      total,
      frozen,
      available: total - frozen,
    });
  };

  it('deposits credit received − fee; payouts freeze amount + fee, debit on success, unfreeze on failure', async () => {
    const dp = new DiamondPay({ baseUrl: sandbox.url, ...SHOP, retryBaseDelayMs: 1 });
    const deposit = async (amount: number, realAmount?: number) => {
      const paymentClId = id('dep');
      await dp.deposits.create({
        service_id: 'SVC0015',
        payment_cl_id: paymentClId,
        amount,
        notify_url: receiver.url,
      });
      await sandbox.pay(paymentClId, { realAmount });
    };
    await expectBalance(0, 0);
    // 0018 with nothing on the account.
    expect((await payout(100)).json.error_code).toBe('0018');

    await deposit(10_000_000); // received 10 000 000, fee 80 000 → +9 920 000
    await expectBalance(9_920_000, 0);
    await deposit(5_000_000, 4_000_000); // underpaid: received 4 000 000, fee 32 000 → +3 968 000
    await expectBalance(13_888_000, 0);
    // A pending (unpaid) or cancelled deposit credits nothing.
    const unpaid = id('dep');
    await dp.deposits.create({
      service_id: 'SVC0015',
      payment_cl_id: unpaid,
      amount: 7_000_000,
      notify_url: receiver.url,
    });
    await sandbox.cancel(unpaid);
    await expectBalance(13_888_000, 0);

    const a = await payout(6_000_000); // freezes 6 000 000 + fee 30 000
    expect(a.json.error_code).toBe('0000');
    await expectBalance(13_888_000, 6_030_000);
    const b = await payout(4_000_000); // freezes 4 000 000 + 20 000
    expect(b.json.error_code).toBe('0000');
    await expectBalance(13_888_000, 10_050_000);
    // Available is 3 838 000: a payout of 3 820 000 needs 3 820 000 + 19 100 = 3 839 100 → short.
    expect((await payout(3_820_000)).json).toEqual({
      error_code: '0018',
      error_msg: 'Insufficient balance!',
    });
    await expectBalance(13_888_000, 10_050_000);
    // 3 818 000 needs 3 818 000 + 19 090 = 3 837 090 ≤ 3 838 000 → accepted.
    const c = await payout(3_818_000);
    expect(c.json.error_code).toBe('0000');
    await expectBalance(13_888_000, 13_887_090);

    await sandbox.completePayout(a.payoutClId); // 6 030 000 leaves the account
    await expectBalance(7_858_000, 7_857_090);
    await sandbox.failPayout(b.payoutClId); // 4 020 000 available again
    await expectBalance(7_858_000, 3_837_090);
    await sandbox.failPayout(c.payoutClId, { status: 4, errorMsg: 'cancelled by operator' });
    await expectBalance(7_858_000, 0);
    // The freed money pays out again.
    const d = await payout(7_818_000); // + 39 090 = 7 857 090
    expect(d.json.error_code).toBe('0000');
    await sandbox.completePayout(d.payoutClId);
    await expectBalance(910, 0);

    expect(sandbox.payout(a.payoutClId)).toMatchObject({ status: 3, fee: 30_000 });
    expect(sandbox.payout(b.payoutClId)).toMatchObject({ status: 5, fee: 0, errorMsg: 'Payout failed' });
    expect(sandbox.payout(c.payoutClId)).toMatchObject({
      status: 4,
      fee: 0,
      errorMsg: 'cancelled by operator',
    });
    expect((await query(sandbox, b.payoutClId, SHOP.authorization)).json.data).toMatchObject({
      status: 5,
      fee: 0,
      error_msg: 'Payout failed',
    });
    expect((await query(sandbox, a.payoutClId, SHOP.authorization)).json.data.success_time).toBeGreaterThan(
      0,
    );
  });

  it('an opening balance counts, and a final payout cannot be completed or failed again', async () => {
    const s = await startSandbox({ merchants: [{ ...SHOP, balance: 1_000_000 }] });
    try {
      const payoutClId = id('open');
      const r = await create(
        s,
        payoutFields({ platform_id: SHOP.platformId, payout_cl_id: payoutClId, amount: 990_000 }),
        {
          key: SHOP.platformKey,
        },
      );
      expect(r.json.error_code).toBe('0000'); // 990 000 + 4 950 = 994 950 ≤ 1 000 000
      await s.completePayout(payoutClId);
      expect(s.balance()).toEqual({ platformId: SHOP.platformId, total: 5_050, frozen: 0, available: 5_050 });
      await expect(s.completePayout(payoutClId)).rejects.toMatchObject({ code: 'payout_final' });
      await expect(s.failPayout(payoutClId)).rejects.toBeInstanceOf(SandboxError);
      await expect(s.completePayout('missing')).rejects.toMatchObject({ code: 'payout_not_found' });
      expect(s.balance()).toEqual({ platformId: SHOP.platformId, total: 5_050, frozen: 0, available: 5_050 });
    } finally {
      await s.close();
    }
  });
});

describe('payout notifications', () => {
  const FAST = 0.0001;
  const opened: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((x) => x.close()));
  });

  async function setup(reply?: (n: number, req: ReceivedRequest) => Reply | Promise<Reply>) {
    const receiver = await startReceiver(reply);
    const sandbox = await startSandbox({ merchants: [RICH], timeScale: FAST });
    opened.push(sandbox, receiver);
    return { sandbox, receiver };
  }

  it('a paid-out payout is notified in the protocol field order, signed (checked independently)', async () => {
    const { sandbox, receiver } = await setup();
    const fields = payoutFields({ notify_url: receiver.url, amount: 2_000_000 });
    const created = await create(sandbox, fields);
    await sandbox.completePayout(fields.payout_cl_id as string);
    const attempt = await sandbox.waitForPayoutDelivery(fields.payout_cl_id as string);
    expect(receiver.received).toHaveLength(1);
    const body = receiver.received[0]!.body;
    expect(attempt).toMatchObject({
      payoutClId: fields.payout_cl_id,
      payoutId: created.json.data.payout_id,
      status: 3,
      attempt: 1,
      acked: true,
      body,
    });
    const parsed = JSON.parse(body) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual([
      'payout_id',
      'payout_cl_id',
      'platform_id',
      'amount',
      'fee',
      'status',
      'create_time',
      'update_time',
      'sign_type',
      'sign',
    ]);
    expect(parsed).toMatchObject({
      payout_id: created.json.data.payout_id,
      platform_id: RICH.platformId,
      amount: 2_000_000,
      fee: 10_000,
      status: 3,
      sign_type: 'HMAC-SHA256',
    });
    expect(signedIndependently(body, RICH.platformKey)).toBe(true);
    expect(signedIndependently(body, 'another-key')).toBe(false);
    expect(independentCanonical(parsed)).toContain('amount=2000000&create_time=');
    // Deposits' log stays separate.
    expect(sandbox.deliveries()).toEqual([]);
    expect(sandbox.stats()).toMatchObject({ deliveriesAttempted: 1, deliveriesAcked: 1, payoutsCreated: 1 });
  });

  it('a failed payout carries error_msg; an MD5 payout is MD5-signed without sign_type', async () => {
    const { sandbox, receiver } = await setup();
    const fields = payoutFields({ notify_url: receiver.url });
    await create(sandbox, fields, { signType: 'MD5' });
    await sandbox.failPayout(fields.payout_cl_id as string, { errorMsg: 'account closed' });
    const attempt = await sandbox.waitForPayoutDelivery(fields.payout_cl_id as string, { status: 5 });
    const parsed = JSON.parse(attempt.body) as Record<string, unknown>;
    expect(parsed).toMatchObject({ status: 5, fee: 0, error_msg: 'account closed' });
    expect(parsed).not.toHaveProperty('sign_type');
    expect(String(parsed.sign)).toMatch(/^[0-9a-f]{32}$/);
    expect(signedIndependently(attempt.body, RICH.platformKey)).toBe(true);
  });

  it('retries on the schedule until the exact acknowledgement, each attempt the same body', async () => {
    const { sandbox, receiver } = await setup((n) =>
      n < 3 ? { status: 500, body: '{"error_code":"9999"}' } : { body: '{"error_code":"0000"}' },
    );
    const fields = payoutFields({ notify_url: receiver.url });
    await create(sandbox, fields);
    await sandbox.completePayout(fields.payout_cl_id as string);
    const attempt = await sandbox.waitForPayoutDelivery(fields.payout_cl_id as string);
    expect(attempt.attempt).toBe(3);
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
    expect(
      sandbox.payoutDeliveries({ payoutClId: fields.payout_cl_id as string }).map((a) => a.acked),
    ).toEqual([false, false, true]);
  });

  it('delivery faults: lost replies, duplicates, a stale processing notice after success', async () => {
    const { sandbox, receiver } = await setup();
    const fields = payoutFields({ notify_url: receiver.url });
    await create(sandbox, fields);
    const payoutClId = fields.payout_cl_id as string;
    await sandbox.completePayout(payoutClId, { delivery: { failFirst: 2, duplicates: 1, outOfOrder: true } });
    await sandbox.waitForPayoutDelivery(payoutClId, { status: 3 });
    await sandbox.idle();
    const log = sandbox.payoutDeliveries({ payoutClId });
    const final = log.filter((a) => a.status === 3);
    // Attempts 1 and 2 reached the receiver but their replies were discarded; a duplicate of attempt 1; attempt 3 acked.
    expect(final.map((a) => [a.attempt, a.acked, a.duplicate ?? false])).toEqual(
      expect.arrayContaining([
        [1, false, false],
        [1, true, true],
        [2, false, false],
        [3, true, false],
      ]),
    );
    expect(final.filter((a) => !a.duplicate && a.error === 'reply discarded (failFirst fault)')).toHaveLength(
      2,
    );
    const stale = log.filter((a) => a.status === 2);
    expect(stale).toHaveLength(1);
    expect(JSON.parse(stale[0]!.body)).toMatchObject({ status: 2, payout_cl_id: payoutClId });
    expect(signedIndependently(stale[0]!.body, RICH.platformKey)).toBe(true);
    // Every copy the receiver got is validly signed.
    expect(receiver.received.length).toBe(5);
    for (const r of receiver.received) expect(signedIndependently(r.body, RICH.platformKey)).toBe(true);
  });

  it('lose: request — lost attempts never reach the receiver; sandbox-wide delivery faults apply too', async () => {
    const { sandbox, receiver } = await setup();
    sandbox.setFaults({ delivery: { failFirst: 1, lose: 'request' } });
    const fields = payoutFields({ notify_url: receiver.url });
    await create(sandbox, fields);
    await sandbox.failPayout(fields.payout_cl_id as string, { status: 4 });
    const attempt = await sandbox.waitForPayoutDelivery(fields.payout_cl_id as string);
    expect(attempt).toMatchObject({ attempt: 2, status: 4 });
    expect(receiver.received).toHaveLength(1);
  });

  it('all retries failing rejects waitForPayoutDelivery, saying why; no notify_url means no notification', async () => {
    const { sandbox, receiver } = await setup(() => ({ body: 'OK' }));
    const fields = payoutFields({ notify_url: receiver.url });
    await create(sandbox, fields);
    await sandbox.completePayout(fields.payout_cl_id as string);
    await expect(sandbox.waitForPayoutDelivery(fields.payout_cl_id as string)).rejects.toThrow(
      /all retries exhausted.*10 attempt/,
    );
    expect(receiver.received).toHaveLength(10);

    const quiet = payoutFields();
    await create(sandbox, quiet);
    await sandbox.completePayout(quiet.payout_cl_id as string);
    await sandbox.idle();
    expect(sandbox.payoutDeliveries({ payoutClId: quiet.payout_cl_id as string })).toEqual([]);
    await expect(
      sandbox.waitForPayoutDelivery(quiet.payout_cl_id as string, { timeoutMs: 50 }),
    ).rejects.toThrow(/without notify_url/);
  });
});

describe('faults on the payout endpoints', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ merchants: [RICH], seed: 99 });
  });
  afterAll(() => sandbox.close());

  it('resetBefore: nothing accepted; resetAfter: accepted, answer lost', async () => {
    sandbox.injectFault('createPayout', 'resetBefore');
    const lost = payoutFields();
    await expect(create(sandbox, lost)).rejects.toThrow();
    expect(sandbox.payout(lost.payout_cl_id as string)).toBeUndefined();

    sandbox.injectFault('createPayout', 'resetAfter');
    const accepted = payoutFields();
    await expect(create(sandbox, accepted)).rejects.toThrow();
    expect(sandbox.payout(accepted.payout_cl_id as string)).toMatchObject({ status: 1 });
    // The record is there to be found by query, which is how a client resolves the unknown outcome.
    expect((await query(sandbox, accepted.payout_cl_id as string)).json.data.status).toBe(1);
  });

  it.each(['error500', 'error503'] as const)('%s: an HTML page, nothing accepted', async (fault) => {
    sandbox.injectFault('createPayout', fault);
    const fields = payoutFields();
    const res = await fetch(sandbox.url + PAYOUTS, { method: 'POST', body: signedBody(fields) });
    expect(res.status).toBe(fault === 'error500' ? 500 : 503);
    expect(await res.text()).toContain('<html>');
    expect(sandbox.payout(fields.payout_cl_id as string)).toBeUndefined();
  });

  it('hang: never answered (the client must time out); queryPayout faults too; requests counted', async () => {
    const before = sandbox.stats().requests;
    sandbox.injectFault('createPayout', 'hang');
    const fields = payoutFields();
    const hung = await fetch(sandbox.url + PAYOUTS, {
      method: 'POST',
      body: signedBody(fields),
      signal: AbortSignal.timeout(200),
    }).catch((e: unknown) => e);
    expect((hung as Error).name).toBe('TimeoutError');

    expect((await create(sandbox, fields)).json.error_code).toBe('0000');
    sandbox.injectFault('queryPayout', 'error503');
    const res = await fetch(`${sandbox.url}${PAYOUTS}/${fields.payout_cl_id}`, {
      headers: { authorization: RICH.authorization },
    });
    expect(res.status).toBe(503);
    sandbox.injectFault('queryPayout', 'resetAfter');
    await expect(query(sandbox, fields.payout_cl_id as string)).rejects.toThrow();
    expect((await query(sandbox, fields.payout_cl_id as string)).json.error_code).toBe('0000');
    const after = sandbox.stats().requests;
    expect(after.createPayout - before.createPayout).toBe(2);
    expect(after.queryPayout - before.queryPayout).toBe(3);
  });

  it('rate-based faults and latency are configured per payout endpoint', async () => {
    sandbox.setFaults({ createPayout: { latencyMs: 5, error5xxRate: 1 }, queryPayout: { latencyMs: 1 } });
    try {
      const res = await fetch(sandbox.url + PAYOUTS, { method: 'POST', body: signedBody(payoutFields()) });
      expect([500, 503]).toContain(res.status);
      await res.text();
      expect(sandbox.faults()).toEqual({
        createPayout: { latencyMs: 5, error5xxRate: 1 },
        queryPayout: { latencyMs: 1 },
      });
    } finally {
      sandbox.setFaults({});
    }
    expect(() => sandbox.setFaults({ createPayouts: {} } as never)).toThrow(/createPayouts/);
  });
});

describe('payout control routes', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ merchants: [RICH] });
  });
  afterAll(() => sandbox.close());

  const control = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sandbox.url}/_sandbox/${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as any };
  };

  it('complete, fail (status and error_msg), read payouts and the balance', async () => {
    const a = payoutFields();
    const b = payoutFields();
    await create(sandbox, a);
    await create(sandbox, b);
    const done = await control('POST', `payouts/${a.payout_cl_id}/complete`);
    expect(done).toMatchObject({ status: 200, json: { payoutClId: a.payout_cl_id, status: 3 } });
    const failed = await control('POST', `payouts/${b.payout_cl_id}/fail`, {
      status: 4,
      error_msg: 'holder mismatch',
    });
    expect(failed.json).toMatchObject({ status: 4, errorMsg: 'holder mismatch', fee: 0 });
    expect((await control('GET', `payouts/${a.payout_cl_id}`)).json.status).toBe(3);
    expect((await control('GET', 'payouts')).json).toHaveLength(2);
    expect((await control('GET', 'balance')).json).toEqual({
      platformId: RICH.platformId,
      total: 100_000_000_000 - 1_005_000,
      frozen: 0,
      available: 100_000_000_000 - 1_005_000,
    });
    expect((await control('GET', 'payout-deliveries')).json).toEqual([]);
  });

  it('refuses with the sandbox error codes', async () => {
    const a = payoutFields();
    await create(sandbox, a);
    expect(await control('POST', 'payouts/nope/complete')).toMatchObject({
      status: 404,
      json: { error: 'payout_not_found' },
    });
    expect((await control('POST', `payouts/${a.payout_cl_id}/fail`, { status: 3 })).status).toBe(400);
    expect((await control('POST', `payouts/${a.payout_cl_id}/fail`, { reason: 'x' })).status).toBe(400);
    expect(
      (await control('POST', `payouts/${a.payout_cl_id}/complete`, { delivery: { bogus: 1 } })).status,
    ).toBe(400);
    expect(sandbox.payout(a.payout_cl_id as string)?.status).toBe(1); // nothing changed by the refusals
    await control('POST', `payouts/${a.payout_cl_id}/complete`);
    expect(await control('POST', `payouts/${a.payout_cl_id}/fail`)).toMatchObject({
      status: 409,
      json: { error: 'payout_final' },
    });
    expect((await control('GET', 'payouts/nope')).status).toBe(404);
    expect((await control('GET', 'balance?platform_id=PF9999')).status).toBe(400);
  });
});
