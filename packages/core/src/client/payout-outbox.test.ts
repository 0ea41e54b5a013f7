// payouts.create with a ledger (the outbox) and payout notifications through the ledger receiver,
// against the real sandbox gateway over loopback.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Sandbox, startSandbox } from '@diamondpay/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DiamondPayLedgerConflictError,
  DiamondPayOrderRefusedError,
  DiamondPayOutcomeUnknownError,
} from '../errors.js';
import type { Ledger, LedgerOrder, LedgerOrderRef } from '../notifications/ledger.js';
import { MemoryLedger } from '../notifications/memory-ledger.js';
import { createNotificationReceiver } from '../notifications/receiver.js';
import type { PayoutNotification } from '../notifications/verify.js';
import { closedPort } from '../testing/fake-gateway.js';
import { DiamondPay, type DiamondPayConfig } from './client.js';

const MERCHANT = {
  platformId: 'PF0404',
  platformKey: 'payout-outbox-key',
  authorization: 'payout-outbox-token',
  balance: 1_000_000_000,
};
let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ merchants: [MERCHANT], timeScale: 0.0001 });
});
afterAll(() => sandbox.close());

let seq = 0;
const newId = (tag: string) => `po-outbox-${tag}-${Date.now()}-${++seq}`;
const ref = (cl_id: string): LedgerOrderRef => ({ kind: 'payout', platform_id: MERCHANT.platformId, cl_id });
const params = (payout_cl_id: string, amount = 2_000_000, notify_url?: string) => ({
  service_id: 'SVC0004',
  payout_cl_id,
  amount,
  bank_name: 'KB',
  name: '홍길동',
  number: '43700100123456',
  phone_number: '01012345678',
  currency: 'krw',
  ...(notify_url ? { notify_url } : {}),
});
const posts = () => sandbox.stats().requests.createPayout;
const held = (id: string) => sandbox.payouts().filter((p) => p.payoutClId === id);

function client(ledger: Ledger | undefined, extra: Partial<DiamondPayConfig> = {}): DiamondPay {
  return new DiamondPay({
    baseUrl: sandbox.url,
    ...MERCHANT,
    maxRetries: 0,
    retryBaseDelayMs: 1,
    settleMs: 5,
    ...(ledger ? { ledger } : {}),
    ...extra,
  });
}

describe('payouts.create with a ledger', () => {
  it('records the intent as sending before the request, then created with payout_id and the beneficiary fields', async () => {
    const ledger = new MemoryLedger();
    const id = newId('ok');
    const seen: unknown[] = [];
    const dp = client(ledger, {
      fetch: async (input, init) => {
        if (init.method === 'POST') seen.push((await ledger.getOrder(ref(id)))?.create_state);
        return fetch(input, init);
      },
    });
    const { payout_id } = await dp.payouts.create(params(id));
    expect(seen).toEqual(['sending']);
    expect(await ledger.getOrder(ref(id))).toMatchObject({
      kind: 'payout',
      create_state: 'created',
      gateway_id: payout_id,
      amount: 2_000_000,
      service_id: 'SVC0004',
      notify_url: null,
      intent: {
        bank_name: 'KB',
        name: '홍길동',
        number: '43700100123456',
        phone_number: '01012345678',
        currency: 'krw',
      },
      final: false,
    });
  });

  it('answers a repeated create from the record: the same payout_id, nothing sent', async () => {
    const ledger = new MemoryLedger();
    const id = newId('again');
    const dp = client(ledger);
    const first = await dp.payouts.create(params(id));
    const before = posts();
    expect(await dp.payouts.create(params(id))).toEqual(first);
    expect(posts()).toBe(before);
    expect(held(id)).toHaveLength(1);
  });

  it('refuses a repeated create with another amount or service: ledger_conflict for the payout, nothing sent', async () => {
    const ledger = new MemoryLedger();
    const id = newId('conflict');
    const dp = client(ledger);
    await dp.payouts.create(params(id));
    const before = posts();
    const e = await dp.payouts.create(params(id, 3_000_000)).catch((error: unknown) => error);
    expect(e).toBeInstanceOf(DiamondPayLedgerConflictError);
    expect(e).toMatchObject({
      code: 'ledger_conflict',
      resource: 'payout',
      payoutClId: id,
      recorded: { amount: 2_000_000, service_id: 'SVC0004' },
      requested: { amount: 3_000_000, service_id: 'SVC0004' },
    });
    expect((e as Error).message).toMatch(/^Payout .*new payout_cl_id/);
    expect(posts()).toBe(before);
  });

  it('records a 0018 refusal; a repeated create says so without sending', async () => {
    const ledger = new MemoryLedger();
    const id = newId('short');
    const dp = client(ledger);
    const first = await dp.payouts.create(params(id, 9_999_999_999)).catch((error: unknown) => error);
    expect(first).toMatchObject({ code: 'api_error', errorCode: '0018' });
    expect(await ledger.getOrder(ref(id))).toMatchObject({ create_state: 'refused', error_code: '0018' });
    const before = posts();
    const again = await dp.payouts.create(params(id, 9_999_999_999)).catch((error: unknown) => error);
    expect(again).toBeInstanceOf(DiamondPayOrderRefusedError);
    expect(again).toMatchObject({ code: 'order_refused', errorCode: '0018', resource: 'payout' });
    expect((again as Error).message).toMatch(/Nothing was paid out.*new payout_cl_id/);
    expect(posts()).toBe(before);
  });

  it('an unknown outcome is recorded unknown; a repeated create queries (0050 → outcome_unknown), never resends', async () => {
    const ledger = new MemoryLedger();
    const id = newId('unknown');
    const dp = client(ledger, { resendUnknown: true });
    sandbox.injectFault('createPayout', 'error503');
    const e = await dp.payouts.create(params(id)).catch((error: unknown) => error);
    expect(e).toBeInstanceOf(DiamondPayOutcomeUnknownError);
    expect(await ledger.getOrder(ref(id))).toMatchObject({ create_state: 'unknown', gateway_id: null });
    const before = posts();
    const again = await dp.payouts.create(params(id)).catch((error: unknown) => error);
    expect(again).toMatchObject({ code: 'outcome_unknown', payoutClId: id });
    expect((again as Error).message).toContain('it is not resent');
    expect(posts()).toBe(before);
    expect(held(id)).toHaveLength(0);
  });

  it('a lost answer found by query is recorded created with its payout_id', async () => {
    const ledger = new MemoryLedger();
    const id = newId('lost');
    sandbox.injectFault('createPayout', 'resetAfter');
    const { payout_id } = await client(ledger).payouts.create(params(id));
    expect(held(id).map((p) => p.payoutId)).toEqual([payout_id]);
    expect(await ledger.getOrder(ref(id))).toMatchObject({ create_state: 'created', gateway_id: payout_id });
  });

  it('a row left "sending" by a crash is resolved by query, not by a second request', async () => {
    const ledger = new MemoryLedger();
    const id = newId('crash');
    // The process accepted the payout at the gateway, then died before recording the answer.
    const { payout_id } = await client(undefined).payouts.create(params(id));
    const now = Date.now();
    await ledger.beginCreate({
      ...ref(id),
      amount: 2_000_000,
      service_id: 'SVC0004',
      notify_url: null,
      intent: null,
      now,
      next_check_at: now + 60_000,
    });
    const before = posts();
    expect(await client(ledger).payouts.create(params(id))).toEqual({ payout_id });
    expect(posts()).toBe(before);
    expect(await ledger.getOrder(ref(id))).toMatchObject({ create_state: 'created', gateway_id: payout_id });
  });

  it('nothing sent (connection refused): the intent is removed, so the id may be sent again', async () => {
    const ledger = new MemoryLedger();
    const id = newId('down');
    const dp = client(ledger, { baseUrl: `http://127.0.0.1:${await closedPort()}` });
    expect(await dp.payouts.create(params(id)).catch((error: unknown) => error)).toMatchObject({
      code: 'connection_error',
      requestSent: false,
    });
    expect(await ledger.getOrder(ref(id))).toBeUndefined();
    const { payout_id } = await client(ledger).payouts.create(params(id));
    expect(held(id).map((p) => p.payoutId)).toEqual([payout_id]);
  });
});

describe('payout notifications through the ledger receiver', () => {
  it('onPayout(n, ctx, { tx, order }) once per forward step; duplicates absorbed, a stale notice never moves it back', async () => {
    const ledger = new MemoryLedger();
    const calls: { n: PayoutNotification; order: LedgerOrder }[] = [];
    const receiver = createNotificationReceiver({
      platformId: MERCHANT.platformId,
      platformKey: MERCHANT.platformKey,
      ledger,
      onPayout: (n, _ctx, { order }) => {
        calls.push({ n, order });
      },
      onDiscrepancy: () => {
        throw new Error('no discrepancy expected');
      },
    });
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const r = await receiver.receive(Buffer.concat(chunks).toString('utf8'), undefined);
        res.writeHead(r.status, r.headers);
        res.end(r.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/payout`;
      const id = newId('notify');
      const { payout_id } = await client(ledger).payouts.create(params(id, 2_000_000, url));
      await sandbox.completePayout(id, { delivery: { duplicates: 2, failFirst: 1, outOfOrder: true } });
      await sandbox.waitForPayoutDelivery(id, { status: 3 });
      await sandbox.waitForPayoutDelivery(id, { status: 2 });
      await sandbox.idle();
      expect(calls).toHaveLength(1);
      expect(calls[0]!.n).toMatchObject({ payout_id, status: 3, outcome: 'paid_out', fee: 10_000 });
      // The order as committed carries the create intent: the amount the merchant asked for.
      expect(calls[0]!.order).toMatchObject({
        amount: 2_000_000,
        status: 3,
        final: true,
        gateway_id: payout_id,
      });
      expect(await ledger.getOrder(ref(id))).toMatchObject({ status: 3, final: true, fee: 10_000 });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
