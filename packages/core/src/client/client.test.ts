import { createHmac } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { type DiamondPayError, DiamondPayValidationError } from '../errors.js';
import { closedPort, json } from '../testing/fake-gateway.js';
import { depositFields, independentCanonical, signedBody, TEST_KEY } from '../testing/independent-signer.js';
import { DiamondPay } from './client.js';
import {
  AUTH,
  answerCreated,
  answerQuery,
  caught,
  client,
  closeGatewaysAfterEach,
  createOrder,
  gateway,
  methods,
  params,
} from './test-support.js';

closeGatewaysAfterEach();

describe('deposits.create', () => {
  it('sends the fields, platform_id, request_time, sign_type and a valid HMAC signature', async () => {
    const g = await gateway((req, res, gw) => answerCreated(res, createOrder(req, gw)));
    const created = await client(g).deposits.create(params);
    expect(created).toEqual({
      link: 'https://pay.example/c/PM00000001',
      payment_id: 'PM00000001',
      payment_cl_id: 'ORDER-1',
      amount: 50000000,
    });
    expect(Object.keys(created)).not.toContain('token');
    const req = g.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/gateway/api/v2/payments');
    expect(req.headers['content-type']).toBe('application/json;charset=utf-8');
    const body = JSON.parse(req.body);
    expect(body).toMatchObject({
      ...params,
      platform_id: 'PF0002',
      request_time: 1_795_000_000,
      sign_type: 'HMAC-SHA256',
    });
    expect(body.sign).toBe(createHmac('sha256', TEST_KEY).update(independentCanonical(body)).digest('hex'));
  });

  it('signs with MD5 and leaves sign_type out for a legacy MD5 client', async () => {
    const g = await gateway((req, res, gw) => answerCreated(res, createOrder(req, gw)));
    await client(g, { signType: 'MD5' }).deposits.create(params);
    const body = JSON.parse(g.requests[0]!.body);
    expect(body.sign_type).toBeUndefined();
    const { createHash } = await import('node:crypto');
    expect(body.sign).toBe(
      createHash('md5')
        .update(`${independentCanonical(body)}&${TEST_KEY}`)
        .digest('hex'),
    );
  });

  it('returns the optional cashier fields the gateway sent, with integer amount from a string', async () => {
    const g = await gateway((_req, res) =>
      json(res, {
        error_code: '0000',
        data: {
          link: 'l',
          payment_id: 'PM1',
          payment_cl_id: 'ORDER-1',
          amount: '50000000',
          token: 'fab',
          card_name: '다이아',
          bank_code: 'KB',
        },
      }),
    );
    expect(await client(g).deposits.create(params)).toEqual({
      link: 'l',
      payment_id: 'PM1',
      payment_cl_id: 'ORDER-1',
      amount: 50000000,
      token: 'fab',
      card_name: '다이아',
      bank_code: 'KB',
    });
  });

  it('lists every invalid field at once and sends nothing', async () => {
    const g = await gateway((_req, res) => json(res, {}));
    const e = await caught(
      client(g).deposits.create({
        service_id: 'SVC15',
        payment_cl_id: 'a'.repeat(65),
        amount: 12.5,
        notify_url: 'ftp://x',
        name: '가나다라마바사아자차카타파하가나다',
        typo_field: 'x',
      } as never),
    );
    expect(e).toBeInstanceOf(DiamondPayValidationError);
    expect(e.code).toBe('validation_error');
    expect((e as unknown as DiamondPayValidationError).issues.map((i) => `${i.field}:${i.rule}`)).toEqual([
      'service_id:pattern',
      'payment_cl_id:max_length',
      'amount:integer',
      'notify_url:url',
      'name:max_length',
      'typo_field:unknown_field',
    ]);
    expect(e.message).toContain('amount: must be an integer number of cents');
    expect(g.requests).toHaveLength(0);
  });

  it.each([
    [0, 'positive'],
    [-5, 'positive'],
    [10_000_000_000, 'max_digits'],
    ['50000000', 'integer'],
    [Number.NaN, 'integer'],
  ])('refuses amount %j (%s)', async (amount, rule) => {
    const g = await gateway((_req, res) => json(res, {}));
    const e = (await caught(
      client(g).deposits.create({ ...params, amount: amount as number }),
    )) as unknown as DiamondPayValidationError;
    expect(e.issues).toEqual([expect.objectContaining({ field: 'amount', rule })]);
  });

  it('signs and sends extraParams, refusing reserved names', async () => {
    const g = await gateway((req, res, gw) => answerCreated(res, createOrder(req, gw)));
    await client(g).deposits.create(params, { extraParams: { device: 'mobile' } });
    const body = JSON.parse(g.requests[0]!.body);
    expect(body.device).toBe('mobile');
    expect(body.sign).toBe(createHmac('sha256', TEST_KEY).update(independentCanonical(body)).digest('hex'));
    const e = await caught(client(g).deposits.create(params, { extraParams: { sign: 'x', amount: 1 } }));
    expect(e.message).toMatch(/sign: is set by the SDK/);
  });

  it('maps 0004 to an authentication error carrying the gateway code and message, without secrets', async () => {
    const g = await gateway((_req, res) =>
      json(res, { error_code: '0004', error_msg: 'Signature verification failed!' }),
    );
    const e = (await caught(client(g).deposits.create(params))) as DiamondPayError & Record<string, unknown>;
    expect(e.code).toBe('authentication_error');
    expect(e.errorCode).toBe('0004');
    expect(e.errorMsg).toBe('Signature verification failed!');
    expect(e.message).toContain('platformKey');
    expect(`${e.message}${inspect(e)}${JSON.stringify(e)}`).not.toContain(TEST_KEY);
    expect(`${e.message}${inspect(e)}`).not.toContain(AUTH);
    expect(g.requests).toHaveLength(1);
  });

  it('keeps an unknown gateway code verbatim and does not retry it', async () => {
    const g = await gateway((_req, res) =>
      json(res, { error_code: '0018', error_msg: 'Insufficient balance' }),
    );
    const e = (await caught(client(g).deposits.create(params))) as DiamondPayError & Record<string, unknown>;
    expect(e).toMatchObject({
      code: 'api_error',
      errorCode: '0018',
      errorMsg: 'Insufficient balance',
      httpStatus: 200,
    });
    expect(g.requests).toHaveLength(1);
  });

  it('resolves a reset after sending by querying: one order, typed error with payment_id', async () => {
    const g = await gateway((req, res, gw) => {
      if (req.method === 'GET') return answerQuery(req, res, gw);
      createOrder(req, gw);
      res.socket?.destroy();
    });
    const e = (await caught(client(g).deposits.create(params))) as DiamondPayError & Record<string, unknown>;
    expect(e.code).toBe('deposit_details_lost');
    expect(e.paymentId).toBe('PM00000001');
    expect(g.orders.size).toBe(1);
    expect(g.requests.map((r) => r.method)).toEqual(['POST', 'GET']);
  });

  it('resolves a timeout after the gateway created the order the same way', async () => {
    const g = await gateway((req, res, gw) => {
      if (req.method === 'GET') return answerQuery(req, res, gw);
      createOrder(req, gw); // ...and never answer
    });
    const e = await caught(client(g, { timeoutMs: 150 }).deposits.create(params));
    expect(e.code).toBe('deposit_details_lost');
    expect(g.orders.size).toBe(1);
    expect(g.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('with resendUnknown, re-sends after a 5xx only once the query says the gateway has no such order', async () => {
    let posts = 0;
    const g = await gateway((req, res, gw) => {
      if (req.method === 'GET') return answerQuery(req, res, gw);
      if (++posts === 1) return json(res, '<html>502 Bad Gateway</html>', 502);
      answerCreated(res, createOrder(req, gw));
    });
    const created = await client(g, { resendUnknown: true }).deposits.create(params);
    expect(created.payment_id).toBe('PM00000001');
    expect(g.requests.map((r) => r.method)).toEqual(['POST', 'GET', 'POST']);
    expect(g.orders.size).toBe(1);
  });

  it('never re-sends when it cannot query (no authorization): outcome unknown', async () => {
    const g = await gateway((_req, res) => json(res, 'oops', 503));
    const e = await caught(client(g, { authorization: undefined }).deposits.create(params));
    expect(e.code).toBe('outcome_unknown');
    expect(e.message).toContain('deposits.retrieve("ORDER-1")');
    expect(g.requests).toHaveLength(1);
  });

  it('with resendUnknown, gives up after maxRetries, still one order at most', async () => {
    const g = await gateway((req, res, gw) =>
      req.method === 'GET' ? answerQuery(req, res, gw) : json(res, 'busy', 503),
    );
    const e = await caught(client(g, { maxRetries: 2, resendUnknown: true }).deposits.create(params));
    expect(e.code).toBe('outcome_unknown');
    expect(e.cause).toMatchObject({ code: 'api_error', httpStatus: 503 });
    expect(methods(g)).toEqual(['POST', 'GET', 'POST', 'GET', 'POST', 'GET']);
  });

  it('with maxRetries 0 sends once (and still checks before giving up)', async () => {
    const g = await gateway((req, res, gw) =>
      req.method === 'GET' ? answerQuery(req, res, gw) : json(res, 'busy', 503),
    );
    await caught(client(g, { maxRetries: 0 }).deposits.create(params));
    expect(g.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('simply retries a refused connection (nothing was sent)', async () => {
    const port = await closedPort();
    const dp = new DiamondPay({
      baseUrl: `http://127.0.0.1:${port}`,
      platformId: 'PF0002',
      platformKey: TEST_KEY,
      authorization: AUTH,
      retryBaseDelayMs: 300,
      retryMaxDelayMs: 300,
      maxRetries: 3,
    });
    const pending = dp.deposits.create(params);
    await new Promise((r) => setTimeout(r, 100));
    const g = await gateway((req, res, gw) => answerCreated(res, createOrder(req, gw)), port);
    expect((await pending).payment_id).toBe('PM00000001');
    expect(g.requests.map((r) => r.method)).toEqual(['POST']);
  });

  it('a refused connection with no retries left is a connection error saying nothing was sent', async () => {
    const port = await closedPort();
    const e = (await caught(
      new DiamondPay({
        baseUrl: `http://127.0.0.1:${port}`,
        platformId: 'PF0002',
        platformKey: TEST_KEY,
        maxRetries: 0,
      }).deposits.create(params),
    )) as DiamondPayError & Record<string, unknown>;
    expect(e.code).toBe('connection_error');
    expect(e.requestSent).toBe(false);
    expect(e.message).toMatch(/ECONNREFUSED.*nothing was sent/);
  });

  it("an abort before anything was sent rejects with the signal's reason and sends nothing", async () => {
    const g = await gateway((_req, res) => json(res, {}));
    const signal = AbortSignal.abort(new Error('user gave up'));
    await expect(client(g).deposits.create(params, { signal })).rejects.toThrow('user gave up');
    expect(g.requests).toHaveLength(0);
  });
});

describe('deposits.retrieve and platforms.balance', () => {
  it('sends the raw Authorization header and types the record', async () => {
    const g = await gateway((req, res) => {
      expect(req.headers.authorization).toBe(AUTH);
      json(res, {
        error_code: '0000',
        data: {
          payment_id: 'PM9',
          payment_cl_id: 'A:1',
          amount: 100,
          real_amount: 90,
          fee: 1,
          status: 2,
          create_time: 5,
          success_time: 6,
        },
      });
    });
    const record = await client(g).deposits.retrieve('A:1');
    expect(g.requests[0]!.path).toBe('/gateway/api/v2/payments/A%3A1');
    expect(record).toEqual({
      payment_id: 'PM9',
      payment_cl_id: 'A:1',
      amount: 100,
      real_amount: 90,
      fee: 1,
      status: 2,
      create_time: 5,
      success_time: 6,
      outcome: 'paid',
    });
  });

  it('maps 0050 and 0006', async () => {
    const g = await gateway((req, res, gw) => answerQuery(req, res, gw));
    expect(await caught(client(g).deposits.retrieve('NOPE'))).toMatchObject({
      code: 'api_error',
      errorCode: '0050',
    });
    const e = await caught(client(g, { authorization: 'wrong' }).deposits.retrieve('NOPE'));
    expect(e).toMatchObject({ code: 'authentication_error', errorCode: '0006' });
    expect(e.message).toContain('authorization');
    expect(e.message).not.toContain('wrong');
  });

  it('retries 5xx and 429 up to maxRetries, then succeeds or gives up', async () => {
    let n = 0;
    const g = await gateway((_req, res) => {
      n++;
      if (n === 1) return json(res, 'x', 503);
      if (n === 2) return json(res, { error_code: '9999', error_msg: 'slow down' }, 429);
      json(res, {
        error_code: '0000',
        data: { platform_id: 'PF0002', total_balance: 5, total_frozen_balance: 0 },
      });
    });
    expect(await client(g).platforms.balance()).toEqual({
      platform_id: 'PF0002',
      total_balance: 5,
      total_frozen_balance: 0,
    });
    expect(n).toBe(3);
    n = 0;
    await expect(client(g, { maxRetries: 0 }).platforms.balance()).rejects.toMatchObject({ httpStatus: 503 });
    expect(n).toBe(1);
  });

  it('times out per attempt and retries the GET', async () => {
    const g = await gateway(() => {
      /* hang */
    });
    const e = (await caught(
      client(g, { timeoutMs: 100, maxRetries: 1 }).platforms.balance(),
    )) as DiamondPayError & Record<string, unknown>;
    expect(e.code).toBe('timeout');
    expect(e.timeoutMs).toBe(100);
    expect(g.requests).toHaveLength(2);
  });

  it('needs an authorization token, and says so before sending', async () => {
    const g = await gateway((_req, res) => json(res, {}));
    const e = await caught(client(g, { authorization: undefined }).deposits.retrieve('A1'));
    expect(e.code).toBe('configuration_error');
    expect(g.requests).toHaveLength(0);
  });
});

describe('configuration and secrets', () => {
  it('never shows the key or the token', () => {
    const dp = client({ url: 'https://gw.example' });
    const shown = [
      inspect(dp, { depth: 10, showHidden: true }),
      JSON.stringify(dp),
      String(dp),
      inspect(dp.deposits, { showHidden: true }),
    ].join('\n');
    expect(shown).not.toContain(TEST_KEY);
    expect(shown).not.toContain(AUTH);
    expect(shown).toContain('PF0002');
  });

  it('refuses a bad configuration, naming each field, without echoing secrets', () => {
    try {
      new DiamondPay({
        baseUrl: 'gateway',
        platformId: 'PF00021',
        platformKey: ' secret-key ',
        authorization: 'Bearer abc',
        timeoutMs: 0,
      });
      expect.unreachable();
    } catch (e) {
      const err = e as DiamondPayValidationError;
      expect(err.code).toBe('configuration_error');
      expect(err.issues.map((i) => i.field)).toEqual([
        'baseUrl',
        'platformId',
        'platformKey',
        'authorization',
        'timeoutMs',
      ]);
      expect(err.message).not.toContain('secret-key');
      expect(err.message).not.toContain('abc');
    }
  });
});

describe('notifications.parseDeposit', () => {
  it('verifies and types a deposit notification from raw bytes', async () => {
    const dp = client({ url: 'https://gw.example' });
    const n = await dp.notifications.parseDeposit(
      new TextEncoder().encode(signedBody(depositFields({ real_amount: 0, status: 3, extra_field: 7 }))),
    );
    expect(n).toMatchObject({
      payment_cl_id: 'ORDER-1',
      real_amount: 0,
      status: 3,
      outcome: 'not_paid',
      extra: { extra_field: 7 },
    });
  });
  it('throws a typed signature error', async () => {
    const dp = client({ url: 'https://gw.example' });
    await expect(
      dp.notifications.parseDeposit(signedBody(depositFields(), { key: 'other' })),
    ).rejects.toMatchObject({
      code: 'signature_invalid',
      httpStatus: 401,
    });
  });
});
