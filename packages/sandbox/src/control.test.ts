import { DiamondPay } from '@diamondpay/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MERCHANT, type Sandbox, SandboxError, startSandbox } from './index.js';
import { startReceiver, type TestReceiver } from './test-receiver.js';

let sandbox: Sandbox;
let receiver: TestReceiver;
let dp: DiamondPay;
let seq = 0;

beforeAll(async () => {
  receiver = await startReceiver();
  sandbox = await startSandbox({ timeScale: 0.0001 });
  dp = new DiamondPay({ baseUrl: sandbox.url, ...DEFAULT_MERCHANT });
});
afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});

async function order(amount = 500000) {
  const paymentClId = `ct-${Date.now()}-${++seq}`;
  await dp.deposits.create({
    service_id: 'SVC0015',
    payment_cl_id: paymentClId,
    amount,
    notify_url: receiver.url,
  });
  return paymentClId;
}

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(sandbox.url + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as any };
}

describe('JSON control API', () => {
  it('GET /_sandbox/health', async () => {
    expect(await call('GET', '/_sandbox/health')).toEqual({
      status: 200,
      json: { ok: true, url: sandbox.url, merchants: ['PF0002'] },
    });
  });

  it('pays an order with real_amount and per-order delivery faults, then refuses to pay it again (409)', async () => {
    const id = await order();
    const paid = await call('POST', `/_sandbox/orders/${id}/pay`, {
      real_amount: 300000,
      delivery: { duplicates: 1 },
    });
    expect(paid.status).toBe(200);
    expect(paid.json).toMatchObject({ paymentClId: id, status: 2, realAmount: 300000, fee: 2400 });
    await sandbox.waitForDelivery(id);
    await sandbox.idle();
    const again = await call('POST', `/_sandbox/orders/${id}/pay`);
    expect(again.status).toBe(409);
    expect(again.json.error).toBe('order_final');
    expect(again.json.message).toMatch(/already final with status 2/);
    const cancel = await call('POST', `/_sandbox/orders/${id}/cancel`);
    expect(cancel.status).toBe(409);
    const log = await call('GET', `/_sandbox/deliveries?payment_cl_id=${id}`);
    expect(log.json).toHaveLength(2);
    expect(log.json.filter((a: any) => a.duplicate)).toHaveLength(1);
  });

  it('cancels with a chosen final status', async () => {
    const id = await order();
    const res = await call('POST', `/_sandbox/orders/${id}/cancel`, { status: 4 });
    expect(res.json).toMatchObject({ status: 4, realAmount: 0 });
    expect((await sandbox.waitForDelivery(id)).status).toBe(4);
    expect((await call('POST', `/_sandbox/orders/${await order()}/cancel`, { status: 2 })).status).toBe(400);
  });

  it('reads orders and answers 404 for unknown ones', async () => {
    const id = await order(777);
    const one = await call('GET', `/_sandbox/orders/${id}`);
    expect(one.json).toMatchObject({ paymentClId: id, amount: 777, status: 0, platformId: 'PF0002' });
    const all = await call('GET', '/_sandbox/orders');
    expect(all.json.map((o: any) => o.paymentClId)).toContain(id);
    expect((await call('GET', '/_sandbox/orders/nope')).status).toBe(404);
    const pay = await call('POST', '/_sandbox/orders/nope/pay');
    expect(pay).toMatchObject({ status: 404, json: { error: 'order_not_found' } });
  });

  it('refuses malformed bodies and unknown fields with 400', async () => {
    const id = await order();
    expect((await call('POST', `/_sandbox/orders/${id}/pay`, '{nope')).status).toBe(400);
    expect((await call('POST', `/_sandbox/orders/${id}/pay`, { realAmount: 5 })).json.message).toMatch(
      /realAmount/,
    );
    expect((await call('POST', `/_sandbox/orders/${id}/pay`, { real_amount: 0 })).status).toBe(400);
    expect((await call('POST', `/_sandbox/orders/${id}/pay`, { real_amount: '5' })).status).toBe(400);
    expect((await call('POST', `/_sandbox/orders/${id}/pay`, { delivery: { duplicates: 99 } })).status).toBe(
      400,
    );
    expect(sandbox.order(id)?.status).toBe(0);
    expect((await call('GET', '/_sandbox/nothing')).status).toBe(404);
  });

  it('reports stats', async () => {
    const stats = await call('GET', '/_sandbox/stats');
    expect(stats.json.ordersCreated).toBe(sandbox.orders().length);
    expect(stats.json.requests.createDeposit).toBeGreaterThan(0);
    expect(stats.json.deliveriesAcked).toBeGreaterThan(0);
  });
});

describe('programmatic control', () => {
  it('pay() and cancel() throw SandboxError for unknown and final orders', async () => {
    await expect(sandbox.pay('missing')).rejects.toBeInstanceOf(SandboxError);
    const id = await order();
    const paid = await sandbox.pay(id);
    expect(paid).toMatchObject({ status: 2, realAmount: 500000, fee: 4000 });
    expect(paid.successTime).toBeGreaterThan(0);
    await expect(sandbox.cancel(id)).rejects.toMatchObject({ code: 'order_final', httpStatus: 409 });
    await expect(sandbox.pay(await order(), { realAmount: 1.5 })).rejects.toMatchObject({
      code: 'invalid_request',
    });
  });

  it('returns snapshots: changing a returned order changes nothing', async () => {
    const id = await order();
    const snapshot = sandbox.order(id)!;
    snapshot.status = 2;
    expect(sandbox.order(id)?.status).toBe(0);
  });

  it('refuses invalid options', async () => {
    await expect(startSandbox({ retrySchedule: [] })).rejects.toThrow(/retrySchedule/);
    await expect(startSandbox({ timeScale: -1 })).rejects.toThrow(/timeScale/);
    await expect(startSandbox({ merchants: [DEFAULT_MERCHANT, DEFAULT_MERCHANT] })).rejects.toThrow(/twice/);
  });
});
