import {
  DiamondPay,
  DiamondPayApiError,
  type DiamondPayConfig,
  DiamondPayError,
  KoreaService,
  type SignType,
  sign,
} from '@diamondpay/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MERCHANT, type Sandbox, type SandboxMerchant, startSandbox } from './index.js';

const OTHER: SandboxMerchant = {
  platformId: 'PF0099',
  platformKey: 'another-key-0099',
  authorization: 'token-0099',
  balance: 1_000_000,
};
const NOTIFY = 'https://shop.example.com/diamondpay/notify';

let sandbox: Sandbox;
let seq = 0;
const id = (prefix = 'gw') => `${prefix}-${Date.now()}-${++seq}`;

function client(overrides: Partial<DiamondPayConfig> = {}): DiamondPay {
  return new DiamondPay({
    baseUrl: sandbox.url,
    platformId: DEFAULT_MERCHANT.platformId,
    platformKey: DEFAULT_MERCHANT.platformKey,
    authorization: DEFAULT_MERCHANT.authorization,
    retryBaseDelayMs: 1,
    retryMaxDelayMs: 5,
    timeoutMs: 5_000,
    ...overrides,
  });
}

/** Signs `body` with core's `sign` and POSTs it as given (field order and JSON text kept). */
async function rawCreate(
  fields: Record<string, unknown>,
  {
    key = DEFAULT_MERCHANT.platformKey,
    signType = 'HMAC-SHA256' as SignType,
    path = '/gateway/api/v2/payments',
  } = {},
) {
  const body: Record<string, unknown> = { ...fields };
  if (signType === 'HMAC-SHA256') body.sign_type = 'HMAC-SHA256';
  body.sign = await sign(body, key, signType);
  return rawPost(JSON.stringify(body), path);
}

async function rawPost(text: string, path = '/gateway/api/v2/payments') {
  const res = await fetch(sandbox.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json;charset=utf-8' },
    body: text,
  });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

const validFields = () => ({
  platform_id: 'PF0002',
  service_id: 'SVC0015',
  payment_cl_id: id('raw'),
  amount: 50000000,
  notify_url: NOTIFY,
  request_time: Math.floor(Date.now() / 1000),
});

beforeAll(async () => {
  sandbox = await startSandbox({ merchants: [DEFAULT_MERCHANT, OTHER], timeScale: 0.001 });
});
afterAll(() => sandbox.close());

describe('create deposit', () => {
  it('creates an order for an HMAC-SHA256 client with plausible Korean cashier details', async () => {
    const paymentClId = id();
    const d = await client().deposits.create({
      service_id: KoreaService.BANK_CARD,
      payment_cl_id: paymentClId,
      amount: 50_000_000,
      notify_url: NOTIFY,
    });
    expect(d.payment_id).toMatch(/^PM\d{8}$/);
    expect(d.link).toBe(`${sandbox.url}/cashier/${d.payment_id}`);
    expect(d).toMatchObject({ payment_cl_id: paymentClId, amount: 50_000_000, card_name: '다이아몬드페이' });
    expect(d.card_number).toMatch(/^\d{10,16}$/);
    expect(['국민은행', '신한은행', '우리은행', '하나은행']).toContain(d.bank_name);
    expect(d.bank_code).toMatch(/^[A-Z]+$/);
    expect(d.token).toMatch(/^[a-z]{10}$/);
    expect(d.qr_code_content).toBeUndefined();
    const order = sandbox.order(paymentClId)!;
    expect(order).toMatchObject({
      status: 0,
      signType: 'HMAC-SHA256',
      paymentId: d.payment_id,
      notifyUrl: NOTIFY,
    });
  });

  it('creates an order for an MD5 client and remembers the sign type', async () => {
    const paymentClId = id();
    const d = await client({ signType: 'MD5' }).deposits.create({
      service_id: KoreaService.BANK_DIRECT,
      payment_cl_id: paymentClId,
      amount: 1_000_000,
      notify_url: NOTIFY,
    });
    expect(d.payment_cl_id).toBe(paymentClId);
    expect(sandbox.order(paymentClId)?.signType).toBe('MD5');
  });

  it('gives the QR service (SVC0017) an EMV-shaped qr_code_content', async () => {
    const d = await client().deposits.create({
      service_id: KoreaService.QR_CODE,
      payment_cl_id: id(),
      amount: 12_345_600,
      notify_url: NOTIFY,
    });
    expect(d.qr_code_content).toMatch(/^000201.*5802KR.*6304[0-9A-F]{4}$/);
    expect(d.qr_code_content).toContain(d.payment_id);
  });

  it('accepts amount and request_time as digit strings, as in the docs example, and the v1 path', async () => {
    const fields = {
      ...validFields(),
      amount: '50000000',
      request_time: String(Math.floor(Date.now() / 1000)),
    };
    const r = await rawCreate(fields, { signType: 'MD5', path: '/gateway/api/v1/payments' });
    expect(r.status).toBe(200);
    expect(r.json.error_code).toBe('0000');
    expect(r.json.data.amount).toBe(50000000);
  });

  it('verifies over every field that arrived, numbers as their source text', async () => {
    // 1.50 would become 1.5 through JSON.parse: the signature must be checked over "1.50".
    const fields = validFields();
    const canonicalSigned = await sign(
      { ...fields, rate: '1.50', sign_type: 'HMAC-SHA256' },
      DEFAULT_MERCHANT.platformKey,
    );
    const text = `${JSON.stringify({ ...fields, sign_type: 'HMAC-SHA256' }).slice(0, -1)},"rate":1.50,"sign":"${canonicalSigned}"}`;
    const r = await rawPost(text);
    expect(r.json.error_code).toBe('0000');
    // The same body with the extra field changed no longer verifies.
    const tampered = await rawPost(
      text.replace('"rate":1.50', '"rate":1.5').replace(fields.payment_cl_id, `${fields.payment_cl_id}x`),
    );
    expect(tampered.json).toEqual({ error_code: '0004', error_msg: 'Signature verification failed!' });
  });

  it('signs and accepts extra gateway fields sent through extraParams', async () => {
    const d = await client().deposits.create(
      { service_id: 'SVC0015', payment_cl_id: id(), amount: 100, notify_url: NOTIFY },
      { extraParams: { user_ip: '203.0.113.7', device: 'mobile' } },
    );
    expect(d.payment_id).toMatch(/^PM\d{8}$/);
  });

  it('refuses a wrong key with 0004 (the client throws authentication_error)', async () => {
    const paymentClId = id();
    const error = await client({ platformKey: 'not-the-key' })
      .deposits.create({ service_id: 'SVC0015', payment_cl_id: paymentClId, amount: 100, notify_url: NOTIFY })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiamondPayError);
    expect(error).toMatchObject({
      code: 'authentication_error',
      errorCode: '0004',
      errorMsg: 'Signature verification failed!',
    });
    expect(sandbox.order(paymentClId)).toBeUndefined();
  });

  it('refuses a body changed after signing with 0004', async () => {
    const body: Record<string, unknown> = { ...validFields(), sign_type: 'HMAC-SHA256' };
    body.sign = await sign(body, DEFAULT_MERCHANT.platformKey);
    body.amount = 1;
    expect((await rawPost(JSON.stringify(body))).json.error_code).toBe('0004');
  });

  it.each([
    ['service_id', { service_id: 'SVC15' }],
    ['service_id', { service_id: 15 }],
    ['payment_cl_id', { payment_cl_id: 'x'.repeat(65) }],
    ['payment_cl_id', { payment_cl_id: '' }],
    ['amount', { amount: 0 }],
    ['amount', { amount: 10_000_000_000 }],
    ['amount', { amount: 1.5 }],
    ['amount', { amount: '12a' }],
    ['amount', { amount: '0100' }],
    ['amount', { amount: undefined }],
    ['notify_url', { notify_url: 'ftp://shop.example.com/n' }],
    ['notify_url', { notify_url: '/relative/path' }],
    ['notify_url', { notify_url: `https://shop.example.com/${'a'.repeat(240)}` }],
    ['request_time', { request_time: 159550413 }],
    ['request_time', { request_time: '1595504136000' }],
    ['name', { name: '가'.repeat(17) }],
    ['bank_name', { bank_name: 'b'.repeat(17) }],
  ])('refuses an invalid %s with the sandbox code 9001 naming the field (%j)', async (field, change) => {
    const fields: Record<string, unknown> = { ...validFields(), ...change };
    const r = await rawCreate(fields);
    expect(r.status).toBe(200);
    expect(r.json.error_code).toBe('9001');
    expect(r.json.error_msg).toContain(field);
    expect(sandbox.order(fields.payment_cl_id as string)).toBeUndefined();
  });

  it('refuses an unknown sign_type, a missing sign, bad JSON and a non-object', async () => {
    const fields = { ...validFields(), sign_type: 'SHA1', sign: 'a'.repeat(64) };
    expect((await rawPost(JSON.stringify(fields))).json).toMatchObject({ error_code: '9001' });
    const { sign: _, ...unsigned } = fields;
    expect((await rawPost(JSON.stringify({ ...unsigned, sign_type: 'MD5' }))).json.error_msg).toContain(
      'sign is required',
    );
    expect((await rawPost('{"amount": ')).json.error_code).toBe('9001');
    expect((await rawPost('[1,2]')).json.error_code).toBe('9001');
  });

  it('accepts optional name and bank_name and reports the name as payment_cl_name', async () => {
    const paymentClId = id();
    await client().deposits.create({
      service_id: 'SVC0015',
      payment_cl_id: paymentClId,
      amount: 5000,
      notify_url: NOTIFY,
      name: '홍길동',
      bank_name: 'KB',
    });
    const record = await client().deposits.retrieve(paymentClId);
    expect(record.payment_cl_name).toBe('홍길동');
  });

  it('refuses a reused payment_cl_id with 9002 and keeps one order', async () => {
    const params = { service_id: 'SVC0015', payment_cl_id: id(), amount: 100, notify_url: NOTIFY };
    const first = await client().deposits.create(params);
    const before = sandbox.stats().duplicateCreates;
    const error = await client()
      .deposits.create(params)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiamondPayApiError);
    expect(error).toMatchObject({ code: 'api_error', errorCode: '9002' });
    expect(sandbox.orders().filter((o) => o.paymentClId === params.payment_cl_id)).toHaveLength(1);
    expect(sandbox.order(params.payment_cl_id)?.paymentId).toBe(first.payment_id);
    expect(sandbox.stats().duplicateCreates).toBe(before + 1);
  });

  it('keeps order ids per merchant: two merchants may use the same payment_cl_id', async () => {
    const params = { service_id: 'SVC0015', payment_cl_id: id(), amount: 100, notify_url: NOTIFY };
    const a = await client().deposits.create(params);
    const b = await client({
      platformId: OTHER.platformId,
      platformKey: OTHER.platformKey,
      authorization: OTHER.authorization,
    }).deposits.create(params);
    expect(a.payment_id).not.toBe(b.payment_id);
    expect(sandbox.order(params.payment_cl_id, OTHER.platformId)?.paymentId).toBe(b.payment_id);
  });

  it('refuses an unknown platform_id with 9003', async () => {
    const r = await rawCreate({ ...validFields(), platform_id: 'PF9999' });
    expect(r.json).toEqual({ error_code: '9003', error_msg: 'Unknown platform_id!' });
  });
});

describe('query deposit and balance', () => {
  it('queries an order before and after payment', async () => {
    const dp = client();
    const paymentClId = id();
    const created = await dp.deposits.create({
      service_id: 'SVC0015',
      payment_cl_id: paymentClId,
      amount: 400000,
      notify_url: NOTIFY,
    });
    const before = await dp.deposits.retrieve(paymentClId);
    expect(before).toMatchObject({
      payment_id: created.payment_id,
      amount: 400000,
      real_amount: 0,
      fee: 0,
      status: 0,
      success_time: 0,
      outcome: 'pending',
    });
    expect(before.payment_cl_name).toBeUndefined();
    expect(before.create_time).toBeGreaterThan(1_500_000_000);
    await sandbox.pay(paymentClId);
    const after = await dp.deposits.retrieve(paymentClId);
    expect(after).toMatchObject({ status: 2, real_amount: 400000, fee: 3200, outcome: 'paid' });
    expect(after.success_time).toBeGreaterThanOrEqual(before.create_time!);
  });

  it('answers 0050 for an unknown order', async () => {
    const error = await client()
      .deposits.retrieve('no-such-order')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'api_error', errorCode: '0050', errorMsg: 'Order not found!' });
  });

  it('answers 0006 for a wrong or missing Authorization', async () => {
    const wrong = client({ authorization: 'wrong-token' });
    await expect(wrong.deposits.retrieve('anything')).rejects.toMatchObject({
      code: 'authentication_error',
      errorCode: '0006',
    });
    await expect(wrong.platforms.balance()).rejects.toMatchObject({
      code: 'authentication_error',
      errorCode: '0006',
    });
    const res = await fetch(`${sandbox.url}/gateway/api/v2/platforms/balance`);
    expect(await res.json()).toEqual({ error_code: '0006', error_msg: 'Invalid Authorization!' });
    const bearer = await fetch(`${sandbox.url}/gateway/api/v2/platforms/balance`, {
      headers: { authorization: `Bearer ${DEFAULT_MERCHANT.authorization}` },
    });
    expect((await bearer.json()).error_code).toBe('0006');
  });

  it('identifies the merchant by its token: another merchant cannot see the order', async () => {
    const paymentClId = id();
    await client().deposits.create({
      service_id: 'SVC0015',
      payment_cl_id: paymentClId,
      amount: 100,
      notify_url: NOTIFY,
    });
    const other = client({
      platformId: OTHER.platformId,
      platformKey: OTHER.platformKey,
      authorization: OTHER.authorization,
    });
    await expect(other.deposits.retrieve(paymentClId)).rejects.toMatchObject({ errorCode: '0050' });
  });

  it('credits paid real_amount − fee to the balance, starting from the configured balance', async () => {
    const other = client({
      platformId: OTHER.platformId,
      platformKey: OTHER.platformKey,
      authorization: OTHER.authorization,
    });
    const start = await other.platforms.balance();
    expect(start).toEqual({ platform_id: 'PF0099', total_balance: 1_000_000, total_frozen_balance: 0 });
    const paid = id();
    const cancelled = id();
    for (const paymentClId of [paid, cancelled])
      await other.deposits.create({
        service_id: 'SVC0015',
        payment_cl_id: paymentClId,
        amount: 500000,
        notify_url: NOTIFY,
      });
    await sandbox.pay(paid, { platformId: OTHER.platformId, realAmount: 400000 });
    await sandbox.cancel(cancelled, { platformId: OTHER.platformId });
    expect((await other.platforms.balance()).total_balance).toBe(1_000_000 + 400000 - 3200);
  });
});

describe('routing', () => {
  it('answers unknown paths and wrong methods with sandbox envelopes', async () => {
    const missing = await fetch(`${sandbox.url}/gateway/api/v2/nothing`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error_code).toBe('9404');
    const wrong = await fetch(`${sandbox.url}/gateway/api/v2/payments`);
    expect(wrong.status).toBe(405);
    expect((await wrong.json()).error_code).toBe('9405');
  });

  it('refuses bodies over 64 KiB with 9413', async () => {
    const r = await fetch(`${sandbox.url}/gateway/api/v2/payments`, {
      method: 'POST',
      body: 'x'.repeat(70_000),
    });
    expect(r.status).toBe(413);
    expect((await r.json()).error_code).toBe('9413');
  });

  it('counts requests per endpoint', () => {
    const stats = sandbox.stats();
    expect(stats.requests.createDeposit).toBeGreaterThan(10);
    expect(stats.requests.queryDeposit).toBeGreaterThan(2);
    expect(stats.requests.balance).toBeGreaterThan(2);
    expect(stats.ordersCreated).toBe(sandbox.orders().length);
  });
});
