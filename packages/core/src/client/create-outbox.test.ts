// deposits.create with a ledger (the outbox), against the real sandbox gateway over loopback.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Sandbox, startSandbox } from '@diamondpay/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DiamondPayDepositDetailsLostError,
  DiamondPayLedgerConflictError,
  DiamondPayOrderRefusedError,
  DiamondPayOutcomeUnknownError,
  DiamondPayValidationError,
} from '../errors.js';
import type { Ledger, LedgerOrderRef } from '../notifications/ledger.js';
import { MemoryLedger } from '../notifications/memory-ledger.js';
import { DiamondPay, type DiamondPayConfig } from './client.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ timeScale: 0.001 });
});
afterAll(() => sandbox.close());

let seq = 0;
const newId = (tag: string) => `outbox-${tag}-${Date.now()}-${++seq}`;
const ref = (cl_id: string): LedgerOrderRef => ({ kind: 'deposit', platform_id: 'PF0002', cl_id });
const params = (payment_cl_id: string, amount = 50_000_000) => ({
  service_id: 'SVC0015',
  payment_cl_id,
  amount,
  notify_url: 'http://127.0.0.1:9/notify',
  name: 'Kim',
});
const creates = () => sandbox.stats().requests.createDeposit;

function client(ledger: Ledger | undefined, extra: Partial<DiamondPayConfig> = {}): DiamondPay {
  return new DiamondPay({
    baseUrl: sandbox.url,
    ...sandbox.merchant,
    maxRetries: 0,
    retryBaseDelayMs: 1,
    settleMs: 5,
    ...(ledger ? { ledger } : {}),
    ...extra,
  });
}

describe('deposits.create with a ledger', () => {
  it('records the intent as sending before the request, then created with payment_id and link', async () => {
    const ledger = new MemoryLedger();
    const id = newId('ok');
    const seenDuringRequest: unknown[] = [];
    const dp = client(ledger, {
      fetch: async (input, init) => {
        seenDuringRequest.push((await ledger.getOrder(ref(id)))?.create_state);
        return fetch(input, init);
      },
    });
    const created = await dp.deposits.create(params(id));
    expect(seenDuringRequest).toEqual(['sending']);
    expect(await ledger.getOrder(ref(id))).toMatchObject({
      create_state: 'created',
      gateway_id: created.payment_id,
      link: created.link,
      amount: 50_000_000,
      service_id: 'SVC0015',
      notify_url: 'http://127.0.0.1:9/notify',
      intent: { name: 'Kim' },
    });
  });

  it('answers a repeated create from the record: same link and payment_id, nothing sent', async () => {
    const ledger = new MemoryLedger();
    const id = newId('again');
    const dp = client(ledger);
    const first = await dp.deposits.create(params(id));
    const before = creates();
    const again = await dp.deposits.create(params(id));
    expect(again).toEqual({
      link: first.link,
      payment_id: first.payment_id,
      payment_cl_id: id,
      amount: 50_000_000,
    });
    expect(creates()).toBe(before);
  });

  it('refuses a repeated create with another amount or service: a typed error, nothing sent', async () => {
    const ledger = new MemoryLedger();
    const id = newId('conflict');
    const dp = client(ledger);
    await dp.deposits.create(params(id));
    const before = creates();
    const e = await dp.deposits.create(params(id, 60_000_000)).catch((error: unknown) => error);
    expect(e).toBeInstanceOf(DiamondPayLedgerConflictError);
    expect(e).toMatchObject({
      code: 'ledger_conflict',
      recorded: { amount: 50_000_000, service_id: 'SVC0015' },
      requested: { amount: 60_000_000, service_id: 'SVC0015' },
    });
    await expect(dp.deposits.create({ ...params(id), service_id: 'SVC0016' })).rejects.toBeInstanceOf(
      DiamondPayLedgerConflictError,
    );
    expect(creates()).toBe(before);
  });

  it('records a gateway refusal, and answers a repeated create with a clear error, nothing resent', async () => {
    const ledger = new MemoryLedger();
    const id = newId('refused');
    await client(undefined).deposits.create(params(id)); // the id is taken at the gateway
    const dp = client(ledger);
    const first = await dp.deposits.create(params(id)).catch((error: unknown) => error);
    expect(first).toMatchObject({ code: 'api_error', errorCode: '9002' });
    expect(await ledger.getOrder(ref(id))).toMatchObject({ create_state: 'refused', error_code: '9002' });
    const before = creates();
    const again = await dp.deposits.create(params(id)).catch((error: unknown) => error);
    expect(again).toBeInstanceOf(DiamondPayOrderRefusedError);
    expect(again).toMatchObject({ code: 'order_refused', errorCode: '9002' });
    expect(String((again as Error).message)).toContain('new payment_cl_id');
    expect(creates()).toBe(before);
  });

  it('records a lost answer (found by query) as created without link; a repeat is answered by the record', async () => {
    const ledger = new MemoryLedger();
    const id = newId('lost');
    const dp = client(ledger);
    sandbox.injectFault('createDeposit', 'resetAfter');
    await expect(dp.deposits.create(params(id))).rejects.toBeInstanceOf(DiamondPayDepositDetailsLostError);
    const order = await ledger.getOrder(ref(id));
    expect(order).toMatchObject({ create_state: 'created', link: null });
    expect(order?.gateway_id).toBe(sandbox.order(id)?.paymentId);
    const before = creates();
    const again = await dp.deposits.create(params(id)).catch((error: unknown) => error);
    expect(again).toMatchObject({ code: 'deposit_details_lost', paymentId: order?.gateway_id });
    expect(creates()).toBe(before);
  });

  it('records an outcome it could not learn as unknown; a repeat asks the gateway instead of resending', async () => {
    const ledger = new MemoryLedger();
    const id = newId('unknown');
    const { authorization: _none, ...noAuth } = sandbox.merchant;
    const blind = new DiamondPay({ baseUrl: sandbox.url, ...noAuth, maxRetries: 0, settleMs: 5, ledger });
    sandbox.injectFault('createDeposit', 'resetBefore'); // nothing created, but the client cannot know
    await expect(blind.deposits.create(params(id))).rejects.toBeInstanceOf(DiamondPayOutcomeUnknownError);
    expect(await ledger.getOrder(ref(id))).toMatchObject({ create_state: 'unknown' });
    const before = creates();
    const again = await client(ledger)
      .deposits.create(params(id))
      .catch((error: unknown) => error);
    expect(again).toBeInstanceOf(DiamondPayOutcomeUnknownError);
    expect(String((again as Error).message)).toMatch(/not resent/);
    expect(creates()).toBe(before);
    expect(sandbox.order(id)).toBeUndefined();
  });

  it('resolves a create left sending by a process that died mid-request by query, never by resending', async () => {
    const ledger = new MemoryLedger();
    const id = newId('died');
    // The dead process: intent recorded, request reached the gateway, answer never recorded.
    await ledger.beginCreate({
      ...ref(id),
      amount: 50_000_000,
      service_id: 'SVC0015',
      notify_url: 'http://127.0.0.1:9/notify',
      intent: null,
      now: Date.now(),
      next_check_at: Date.now() + 60_000,
    });
    await client(undefined).deposits.create(params(id));
    const before = creates();
    const e = await client(ledger)
      .deposits.create(params(id))
      .catch((error: unknown) => error);
    expect(e).toBeInstanceOf(DiamondPayDepositDetailsLostError);
    expect(await ledger.getOrder(ref(id))).toMatchObject({
      create_state: 'created',
      gateway_id: sandbox.order(id)?.paymentId,
    });
    expect(creates()).toBe(before);
  });

  it('removes the intent when nothing reached the gateway, so the same id can be created later', async () => {
    const ledger = new MemoryLedger();
    const id = newId('not-sent');
    // A port that was just free: connection refused, so the SDK knows nothing was sent.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const down = new DiamondPay({
      ...sandbox.merchant,
      baseUrl: `http://127.0.0.1:${port}`,
      maxRetries: 0,
      settleMs: 5,
      ledger,
    });
    await expect(down.deposits.create(params(id))).rejects.toMatchObject({
      code: 'connection_error',
      requestSent: false,
    });
    expect(await ledger.getOrder(ref(id))).toBeUndefined();
    const created = await client(ledger).deposits.create(params(id));
    expect(await ledger.getOrder(ref(id))).toMatchObject({
      create_state: 'created',
      gateway_id: created.payment_id,
    });
  });

  it('sends nothing when the ledger cannot record the intent', async () => {
    class DownLedger extends MemoryLedger {
      override beginCreate(): never {
        throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      }
    }
    const id = newId('ledger-down');
    const before = creates();
    await expect(client(new DownLedger()).deposits.create(params(id))).rejects.toThrow(/ECONNREFUSED/);
    expect(creates()).toBe(before);
    expect(sandbox.order(id)).toBeUndefined();
  });

  it('refuses a ledger option that is not a Ledger', () => {
    expect(() => client({} as Ledger)).toThrow(DiamondPayValidationError);
    expect(() => client({} as Ledger)).toThrow(/ledger/);
  });
});
