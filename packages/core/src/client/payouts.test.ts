// payouts.create / retrieve against the scripted fake gateway: one POST per payout, whatever
// happens to the answer; unknown outcomes resolved by query, never by resending.

import { createHmac } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  DiamondPayApiError,
  DiamondPayOutcomeUnknownError,
  DiamondPayPayoutConflictError,
} from '../errors.js';
import { PayoutService } from '../protocol/constants.js';
import { type FakeGateway, json, type SeenRequest } from '../testing/fake-gateway.js';
import { independentCanonical, TEST_KEY } from '../testing/independent-signer.js';
import type { CreatePayoutParams } from './payouts.js';
import { AUTH, caught, client, closeGatewaysAfterEach, gateway, methods } from './test-support.js';

closeGatewaysAfterEach();

const payout: CreatePayoutParams = {
  service_id: PayoutService.BANK_CARD,
  payout_cl_id: 'REFUND-1',
  amount: 5_000_000,
  bank_name: 'KB',
  name: '홍길동',
  number: '43700100123456',
  phone_number: '01012345678',
  currency: 'krw',
  notify_url: 'https://shop.example/diamondpay/notifications/payout',
};

/** The fake's payout book: remember the payout, answer `{ payout_id }`. */
function acceptPayout(req: SeenRequest, gw: FakeGateway) {
  const body = JSON.parse(req.body);
  const record = { payout_id: `PO${String(gw.orders.size + 1).padStart(8, '0')}`, ...body };
  gw.orders.set(body.payout_cl_id, record);
  return record;
}

function answerPayoutQuery(
  req: SeenRequest,
  res: ServerResponse,
  gw: FakeGateway,
  override: Record<string, unknown> = {},
) {
  if (req.headers.authorization !== AUTH)
    return json(res, { error_code: '0006', error_msg: 'Invalid Authorization!' });
  const id = decodeURIComponent(req.path.split('/').pop()!);
  const record = gw.orders.get(id);
  if (!record) return json(res, { error_code: '0050', error_msg: 'Order not found!' });
  json(res, {
    error_code: '0000',
    data: {
      payout_id: record.payout_id,
      payout_cl_id: id,
      amount: record.amount,
      fee: 25_000,
      status: 1,
      create_time: 1_795_000_000,
      success_time: 0,
      ...override,
    },
  });
}

const posts = (g: FakeGateway) => g.requests.filter((r) => r.method === 'POST');

describe('payouts.create', () => {
  it('sends one signed POST to /gateway/api/v2/payouts and resolves { payout_id }', async () => {
    const g = await gateway((req, res, gw) =>
      json(res, { error_code: '0000', data: { payout_id: acceptPayout(req, gw).payout_id } }),
    );
    const created = await client(g).payouts.create(payout);
    expect(created).toEqual({ payout_id: 'PO00000001' });
    expect(g.requests).toHaveLength(1);
    const req = g.requests[0]!;
    expect(req.path).toBe('/gateway/api/v2/payouts');
    const body = JSON.parse(req.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      ...payout,
      platform_id: 'PF0002',
      request_time: 1_795_000_000,
      sign_type: 'HMAC-SHA256',
    });
    // Checked with the independent signer, not the SDK's.
    const expected = createHmac('sha256', TEST_KEY).update(independentCanonical(body)).digest('hex');
    expect(body.sign).toBe(expected);
    expect(independentCanonical(body)).toBe(
      'amount=5000000&bank_name=KB&currency=krw&name=홍길동&notify_url=https://shop.example/diamondpay/notifications/payout' +
        '&number=43700100123456&payout_cl_id=REFUND-1&phone_number=01012345678&platform_id=PF0002&request_time=1795000000&service_id=SVC0004',
    );
  });

  it('validates before sending, every problem at once', async () => {
    const g = await gateway((_req, res) => json(res, { error_code: '0000', data: { payout_id: 'PO1' } }));
    const e = await caught(
      client(g).payouts.create({
        ...payout,
        amount: 1.5,
        currency: 'KRW',
        phone_number: '010-1234-5678',
        number: 'x',
      }),
    );
    expect(e.code).toBe('validation_error');
    expect((e.issues as { field: string }[]).map((i) => i.field)).toEqual([
      'amount',
      'number',
      'phone_number',
      'phone_number',
      'currency',
    ]);
    expect(g.requests).toHaveLength(0);
  });

  it.each([
    ['a reset after the gateway processed it', 'reset'],
    ['a timeout while the gateway processed it', 'timeout'],
    ['HTTP 503 after the gateway processed it', '503'],
    ['an empty body', 'empty'],
    ['0000 without data', 'nodata'],
  ])('%s: one POST, then a query finds the payout → { payout_id }', async (_what, fault) => {
    const g = await gateway((req, res, gw) => {
      if (req.method === 'GET') return answerPayoutQuery(req, res, gw);
      acceptPayout(req, gw);
      if (fault === 'reset') return void res.socket?.destroy();
      if (fault === 'timeout') return; // never answered
      if (fault === '503') {
        res.writeHead(503, { 'content-type': 'text/html' });
        return void res.end('<html>503</html>');
      }
      if (fault === 'empty') {
        res.writeHead(200);
        return void res.end();
      }
      json(res, { error_code: '0000' });
    });
    // resendUnknown: true must not matter for payouts.
    const created = await client(g, { timeoutMs: 300, resendUnknown: true }).payouts.create(payout);
    expect(created).toEqual({ payout_id: 'PO00000001' });
    expect(posts(g)).toHaveLength(1);
    expect(methods(g)).toEqual(['POST', 'GET']);
    expect(g.orders.size).toBe(1);
  });

  it.each([
    'reset',
    'timeout',
    '503',
  ])('%s before processing: the query finds nothing → outcome_unknown with payoutClId, never a second POST', async (fault) => {
    const g = await gateway((req, res, gw) => {
      if (req.method === 'GET') return answerPayoutQuery(req, res, gw);
      if (fault === 'reset') return void res.socket?.destroy();
      if (fault === 'timeout') return;
      res.writeHead(503);
      res.end();
    });
    const e = await caught(
      client(g, { timeoutMs: 300, resendUnknown: true, maxRetries: 5 }).payouts.create(payout),
    );
    expect(e).toBeInstanceOf(DiamondPayOutcomeUnknownError);
    expect(e.code).toBe('outcome_unknown');
    expect(e.payoutClId).toBe('REFUND-1');
    expect(e.message).toContain('payouts.retrieve("REFUND-1")');
    expect(posts(g)).toHaveLength(1);
    expect(methods(g)).toEqual(['POST', 'GET']);
  });

  it('a failing query leaves the outcome unknown (one POST, query retried as a read)', async () => {
    const g = await gateway((req, res) => {
      if (req.method === 'POST') return void res.socket?.destroy();
      res.writeHead(500);
      res.end();
    });
    const e = await caught(client(g, { maxRetries: 1 }).payouts.create(payout));
    expect(e.code).toBe('outcome_unknown');
    expect(posts(g)).toHaveLength(1);
  });

  it('nothing sent (connection refused) is retried: still one payout at most', async () => {
    let n = 0;
    const g = await gateway((req, res, gw) =>
      json(res, { error_code: '0000', data: { payout_id: acceptPayout(req, gw).payout_id } }),
    );
    const dp = client(g, {
      fetch: async (input, init) => {
        if (++n === 1)
          throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
        return fetch(input, init);
      },
    });
    expect(await dp.payouts.create(payout)).toEqual({ payout_id: 'PO00000001' });
    expect(posts(g)).toHaveLength(1);
  });

  it('a record under the id with another amount is a conflict, not a result', async () => {
    const g = await gateway((req, res, gw) => {
      if (req.method === 'GET') return answerPayoutQuery(req, res, gw, { amount: 1 });
      acceptPayout(req, gw);
      res.socket?.destroy();
    });
    const e = await caught(client(g).payouts.create(payout));
    expect(e).toBeInstanceOf(DiamondPayPayoutConflictError);
    expect(e).toMatchObject({
      code: 'payout_conflict',
      payoutClId: 'REFUND-1',
      payoutId: 'PO00000001',
      expectedAmount: 5_000_000,
    });
    expect(posts(g)).toHaveLength(1);
  });

  it.each([
    ['0012', 'Bank not supported!', /bank code "KB".*another bank/],
    ['0018', 'Insufficient balance!', /available balance.*platforms\.balance\(\).*Top up/],
  ])('%s surfaces as api_error with its code and what to do', async (code, msg, hint) => {
    const g = await gateway((_req, res) => json(res, { error_code: code, error_msg: msg }));
    const e = await caught(client(g).payouts.create(payout));
    expect(e).toBeInstanceOf(DiamondPayApiError);
    expect(e).toMatchObject({ code: 'api_error', errorCode: code, errorMsg: msg, httpStatus: 200 });
    expect(e.message).toContain(`gateway error ${code} "${msg}"`);
    expect(e.message).toMatch(hint);
    expect(e.message).toContain('Nothing was paid out');
    expect(g.requests).toHaveLength(1);
  });

  it('other refusals keep the gateway words; 0004 is an authentication error', async () => {
    let code = '9001';
    const g = await gateway((_req, res) => json(res, { error_code: code, error_msg: 'nope' }));
    expect(await caught(client(g).payouts.create(payout))).toMatchObject({
      code: 'api_error',
      errorCode: '9001',
    });
    code = '0004';
    expect(await caught(client(g).payouts.create(payout))).toMatchObject({ code: 'authentication_error' });
    expect(posts(g)).toHaveLength(2);
  });
});

describe('payouts.retrieve', () => {
  it('types the record and its outcome; 0050 when absent; validates the id', async () => {
    let status = 3;
    const g = await gateway((req, res) => {
      if (req.path.endsWith('/missing'))
        return json(res, { error_code: '0050', error_msg: 'Order not found!' });
      json(res, {
        error_code: '0000',
        data: {
          payout_id: 'PO00000009',
          payout_cl_id: 'REFUND-9',
          amount: 100,
          fee: 1,
          status,
          error_msg: status === 5 ? 'account closed' : undefined,
          create_time: 1,
          success_time: 2,
        },
      });
    });
    const dp = client(g);
    expect(await dp.payouts.retrieve('REFUND-9')).toEqual({
      payout_id: 'PO00000009',
      payout_cl_id: 'REFUND-9',
      amount: 100,
      fee: 1,
      status: 3,
      create_time: 1,
      success_time: 2,
      outcome: 'paid_out',
    });
    expect(g.requests[0]).toMatchObject({ method: 'GET', path: '/gateway/api/v2/payouts/REFUND-9' });
    expect(g.requests[0]!.headers.authorization).toBe(AUTH);
    status = 5;
    expect(await dp.payouts.retrieve('REFUND-9')).toMatchObject({
      outcome: 'failed',
      error_msg: 'account closed',
    });
    for (const [s, outcome] of [
      [0, 'pending'],
      [1, 'pending'],
      [2, 'pending'],
      [4, 'failed'],
      [6, 'pending'],
      [99, 'pending'],
    ] as const) {
      status = s;
      expect((await dp.payouts.retrieve('REFUND-9')).outcome).toBe(outcome);
    }
    expect(await caught(dp.payouts.retrieve('missing'))).toMatchObject({
      code: 'api_error',
      errorCode: '0050',
    });
    expect(await caught(dp.payouts.retrieve('bad id/..'))).toMatchObject({ code: 'validation_error' });
  });
});
