// deposits.create after an unknown outcome: settle, look up, judge the record, never resend blindly.
import { describe, expect, it } from 'vitest';
import { DiamondPayDepositConflictError } from '../errors.js';
import { json } from '../testing/fake-gateway.js';
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

describe('defect 2: a gateway still processing the first POST never gets a second one', () => {
  it('answers 0050 to the early query, then has the order: outcome_unknown, one POST', async () => {
    let processed = false;
    const g = await gateway((req, res, gw) => {
      if (req.method === 'GET') {
        if (!processed) return json(res, { error_code: '0050', error_msg: 'Order not found!' });
        return answerQuery(req, res, gw);
      }
      createOrder(req, gw); // still processing: no answer before the client's timeout
    });
    const dp = client(g, { timeoutMs: 300 });
    const e = await caught(dp.deposits.create(params));
    expect(e.code).toBe('outcome_unknown');
    expect(e.message).toContain('resendUnknown');
    expect(e.message).toMatch(/safe only where your deployment refuses a reused order id/);
    expect(e.cause).toMatchObject({ code: 'timeout' });
    expect(methods(g)).toEqual(['POST', 'GET']);
    processed = true;
    expect((await dp.deposits.retrieve('ORDER-1')).payment_id).toBe('PM00000001');
    expect(g.orders.size).toBe(1);
  });

  it('waits the settle time (default: the timeout) before it queries', async () => {
    const at: Record<string, number> = {};
    const g = await gateway((req, res, gw) => {
      at[req.method] ??= performance.now();
      if (req.method === 'GET') return answerQuery(req, res, gw);
      createOrder(req, gw);
    });
    const started = performance.now();
    const e = await caught(client(g, { timeoutMs: 300, settleMs: undefined }).deposits.create(params));
    expect(e.code).toBe('deposit_details_lost');
    expect(at.POST).toBeDefined();
    // The query comes one timeout (300 ms) plus one settle time (300 ms) after the call, not at once
    // (lower bound only, with room for timer rounding).
    expect(at.GET! - started).toBeGreaterThanOrEqual(560);
  });

  it('with resendUnknown, a not-found order is sent again (for deployments that refuse reused ids)', async () => {
    let posts = 0;
    const g = await gateway((req, res, gw) => {
      if (req.method === 'GET') return answerQuery(req, res, gw);
      if (++posts === 1) {
        res.socket?.destroy();
        return;
      }
      answerCreated(res, createOrder(req, gw));
    });
    const created = await client(g, { resendUnknown: true }).deposits.create(params);
    expect(created.payment_id).toBe('PM00000001');
    expect(methods(g)).toEqual(['POST', 'GET', 'POST']);
  });

  it('without authorization there is nothing to look at: outcome_unknown at once, one POST', async () => {
    const g = await gateway((_req, res) => {
      res.socket?.destroy();
    });
    const e = await caught(client(g, { authorization: undefined, settleMs: 60_000 }).deposits.create(params));
    expect(e.code).toBe('outcome_unknown');
    expect(e.message).toContain('no `authorization` token');
    expect(methods(g)).toEqual(['POST']);
  });
});

describe('defect 3: the lookup judges the record it gets', () => {
  it('a record of another payment_cl_id is not the order: outcome_unknown', async () => {
    const g = await gateway((req, res, gw) => {
      if (req.method === 'GET') return answerQuery(req, res, gw, { payment_cl_id: 'SOMEONE-ELSE' });
      createOrder(req, gw);
      res.socket?.destroy();
    });
    const e = await caught(client(g).deposits.create(params));
    expect(e.code).toBe('outcome_unknown');
    expect(e.message).toContain('another order');
    expect(methods(g)).toEqual(['POST', 'GET']);
  });

  it('a record with another amount is a deposit_conflict carrying the record, not "created once"', async () => {
    const g = await gateway((req, res, gw) => {
      if (req.method === 'GET') return answerQuery(req, res, gw, { amount: 100 });
      createOrder(req, gw);
      res.socket?.destroy();
    });
    const e = await caught(client(g).deposits.create(params));
    expect(e).toBeInstanceOf(DiamondPayDepositConflictError);
    expect(e.code).toBe('deposit_conflict');
    expect(e.record).toMatchObject({ payment_cl_id: 'ORDER-1', amount: 100 });
    expect(e.expectedAmount).toBe(50000000);
    expect(e.message).not.toContain('not created twice');
  });
});

describe('defect 4: every way a create can end unclear is resolved, or said to be unknown', () => {
  it('a query refused with 0006 during resolution is outcome_unknown with that cause', async () => {
    const g = await gateway((req, res, gw) => {
      if (req.method === 'GET') return json(res, { error_code: '0006', error_msg: 'Invalid Authorization!' });
      createOrder(req, gw);
      res.socket?.destroy();
    });
    const e = await caught(client(g).deposits.create(params));
    expect(e.code).toBe('outcome_unknown');
    expect(e.cause).toMatchObject({ code: 'authentication_error', errorCode: '0006' });
    expect(methods(g)).toEqual(['POST', 'GET']);
  });

  it('HTTP 5xx with an error envelope on create is an unknown outcome: it is looked up', async () => {
    const g = await gateway((req, res, gw) => {
      if (req.method === 'GET') return answerQuery(req, res, gw);
      createOrder(req, gw);
      json(res, { error_code: '9999', error_msg: 'System busy' }, 500);
    });
    const e = await caught(client(g).deposits.create(params));
    expect(e.code).toBe('deposit_details_lost');
    expect(e.paymentId).toBe('PM00000001');
    expect(methods(g)).toEqual(['POST', 'GET']);
  });

  it("the caller's abort after the POST was sent is outcome_unknown, not a bare AbortError", async () => {
    const g = await gateway((req, _res, gw) => {
      createOrder(req, gw); // ...and hang
    });
    const controller = new AbortController();
    const pending = client(g).deposits.create(params, { signal: controller.signal });
    while (g.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort(new Error('user gave up'));
    const e = await caught(pending);
    expect(e.code).toBe('outcome_unknown');
    expect(e.message).toContain('aborted');
    expect(e.cause).toEqual(new Error('user gave up'));
    expect(methods(g)).toEqual(['POST']);
  });

  it('an abort while waiting to settle is outcome_unknown too, and nothing is queried or resent', async () => {
    const g = await gateway((req, res, gw) => {
      createOrder(req, gw);
      res.socket?.destroy();
    });
    const controller = new AbortController();
    const pending = client(g, { settleMs: 60_000, resendUnknown: true }).deposits.create(params, {
      signal: controller.signal,
    });
    while (g.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 50));
    controller.abort(new Error('shutting down'));
    const e = await caught(pending);
    expect(e.code).toBe('outcome_unknown');
    expect(e.cause).toEqual(new Error('shutting down'));
    expect(methods(g)).toEqual(['POST']);
  });

  it("a success answer naming another order's payment_cl_id is not a result: resolved by query", async () => {
    const g = await gateway((req, res, gw) => {
      if (req.method === 'GET') return answerQuery(req, res, gw);
      const order = createOrder(req, gw);
      answerCreated(res, { ...order, payment_id: 'PM99999999', payment_cl_id: 'OTHER-ORDER' });
    });
    const e = await caught(client(g).deposits.create(params));
    expect(e.code).toBe('deposit_details_lost');
    expect(e.paymentId).toBe('PM00000001');
    expect(methods(g)).toEqual(['POST', 'GET']);
  });

  it('a query that keeps failing leaves the outcome unknown with the cause, one POST', async () => {
    const g = await gateway((req, res, gw) => {
      if (req.method === 'GET') return json(res, 'down', 503);
      createOrder(req, gw);
      res.socket?.destroy();
    });
    const e = await caught(client(g, { maxRetries: 1 }).deposits.create(params));
    expect(e.code).toBe('outcome_unknown');
    expect(e.cause).toMatchObject({ code: 'api_error', httpStatus: 503 });
    expect(methods(g)).toEqual(['POST', 'GET', 'GET']);
    expect(AUTH).toBe(g.requests[1]!.headers.authorization);
  });
});
