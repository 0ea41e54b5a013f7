// The Ledger contract as a test suite: every Ledger implementation (memory, pg, PGlite) runs these
// same cases, so "exactly once" means the same thing on each. Not exported from core's public entry:
// implementations import it from source in their own tests.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  LEDGER_INBOX,
  type Ledger,
  type LedgerCreateIntent,
  type LedgerInboxEntry,
  type LedgerOrderRef,
} from './ledger.js';

export interface LedgerContractOptions {
  /** Called after each case with the ledger `makeLedger` gave (close pools, drop schemas). */
  close?: ((ledger: Ledger) => Promise<void> | void) | undefined;
  /**
   * How long a waiting operation must stay unsettled for the suite to believe it is blocked, in
   * milliseconds. Default 150. This is a lower bound on blocking, not a speed measure.
   */
  blockedMs?: number | undefined;
}

const T0 = 1_750_000_000_000;

/** A promise that resolves when `open()` is called: holds a transaction open. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

/** Whether `promise` is still pending after `ms` milliseconds. */
async function stillPending(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const marker = Symbol('pending');
  const timer = new Promise<symbol>((resolve) => setTimeout(() => resolve(marker), ms));
  const winner = await Promise.race([
    promise.then(
      () => 'settled' as const,
      () => 'settled' as const,
    ),
    timer,
  ]);
  return winner === marker;
}

function deposit(cl_id: string, platform_id = 'PF0002'): LedgerOrderRef {
  return { kind: 'deposit', platform_id, cl_id };
}

function entry(key: string, ref: LedgerOrderRef, gateway_id: string, status: number): LedgerInboxEntry {
  return { key, order: ref, gateway_id, status, source: 'notification', received_at: T0 };
}

function intent(ref: LedgerOrderRef, overrides: Partial<LedgerCreateIntent> = {}): LedgerCreateIntent {
  return {
    ...ref,
    amount: 5_000_000,
    service_id: 'SVC0015',
    notify_url: 'https://shop.example/notify',
    intent: { name: 'Kim' },
    now: T0,
    next_check_at: T0 + 60_000,
    ...overrides,
  };
}

class Rollback extends Error {
  constructor() {
    super('rollback requested by the test');
  }
}

/**
 * Registers the Ledger contract cases for one implementation. `makeLedger` must return an empty
 * ledger for each case (a fresh PGlite, a fresh schema or table prefix on a shared server).
 */
export function describeLedgerContract(
  name: string,
  makeLedger: () => Ledger | Promise<Ledger>,
  options: LedgerContractOptions = {},
): void {
  const blockedMs = options.blockedMs ?? 150;

  describe(`Ledger contract: ${name}`, () => {
    let ledger: Ledger;
    beforeEach(async () => {
      ledger = await makeLedger();
    });
    afterEach(async () => {
      await options.close?.(ledger);
    });

    describe('transaction', () => {
      it('resolves with the work’s value and rethrows the work’s error', async () => {
        await expect(ledger.transaction(async () => 42)).resolves.toBe(42);
        const failure = new Rollback();
        await expect(
          ledger.transaction(async () => {
            throw failure;
          }),
        ).rejects.toBe(failure);
      });

      it('carries core’s ledger path for the receiver ([LEDGER_INBOX])', () => {
        expect(typeof ledger[LEDGER_INBOX]).toBe('function');
      });

      it('hands the work a tx with a query function', async () => {
        await ledger.transaction(async (unit) => {
          expect(typeof unit.tx.query).toBe('function');
        });
      });
    });

    describe('inbox', () => {
      it('records a new key (true), then reports it as a duplicate (false) in a later transaction', async () => {
        const ref = deposit('ORD-1');
        const e = entry('deposit:PF0002:P1:2', ref, 'P1', 2);
        await expect(ledger.transaction((u) => u.recordInbox(e))).resolves.toBe(true);
        await expect(ledger.transaction((u) => u.recordInbox(e))).resolves.toBe(false);
        const stored = await ledger.getInboxEntry(e.key);
        expect(stored).toMatchObject({
          key: e.key,
          order: ref,
          gateway_id: 'P1',
          status: 2,
          source: 'notification',
          received_at: T0,
        });
      });

      it('reports a key recorded earlier in the same transaction as a duplicate', async () => {
        const e = entry('deposit:PF0002:P1:2', deposit('ORD-1'), 'P1', 2);
        const results = await ledger.transaction(async (u) => [
          await u.recordInbox(e),
          await u.recordInbox(e),
        ]);
        expect(results).toEqual([true, false]);
      });

      it('keeps the source and sets the effect', async () => {
        const e: LedgerInboxEntry = {
          ...entry('deposit:PF0002:P1:0', deposit('ORD-1'), 'P1', 0),
          source: 'reconciliation',
        };
        await ledger.transaction(async (u) => {
          await u.recordInbox(e);
          await u.setInboxEffect(e.key, 'stale');
        });
        expect(await ledger.getInboxEntry(e.key)).toMatchObject({
          source: 'reconciliation',
          effect: 'stale',
        });
        expect(await ledger.getInboxEntry('deposit:PF0002:P1:9')).toBeUndefined();
      });

      it('makes a concurrent transaction with the same key wait, then report a duplicate after commit', async () => {
        const e = entry('deposit:PF0002:P1:2', deposit('ORD-1'), 'P1', 2);
        const hold = gate();
        const recorded = gate();
        const first = ledger.transaction(async (u) => {
          const r = await u.recordInbox(e);
          recorded.open();
          await hold.wait;
          return r;
        });
        await recorded.wait;
        const second = ledger.transaction((u) => u.recordInbox(e));
        expect(await stillPending(second, blockedMs)).toBe(true);
        hold.open();
        await expect(first).resolves.toBe(true);
        await expect(second).resolves.toBe(false);
      });

      it('lets a waiting transaction record the key (true) when the first one rolls back', async () => {
        const e = entry('deposit:PF0002:P1:2', deposit('ORD-1'), 'P1', 2);
        const hold = gate();
        const recorded = gate();
        const first = ledger.transaction(async (u) => {
          await u.recordInbox(e);
          recorded.open();
          await hold.wait;
          throw new Rollback();
        });
        await recorded.wait;
        const second = ledger.transaction((u) => u.recordInbox(e));
        expect(await stillPending(second, blockedMs)).toBe(true);
        hold.open();
        await expect(first).rejects.toBeInstanceOf(Rollback);
        await expect(second).resolves.toBe(true);
        expect(await ledger.getInboxEntry(e.key)).toBeDefined();
      });

      it('gives exactly one true among many concurrent transactions with one key', async () => {
        const e = entry('deposit:PF0002:P1:2', deposit('ORD-1'), 'P1', 2);
        const results = await Promise.all(
          Array.from({ length: 10 }, () => ledger.transaction((u) => u.recordInbox(e))),
        );
        expect(results.filter((r) => r)).toHaveLength(1);
      });
    });

    describe('inbox pruning', () => {
      const record = (key: string, receivedAt: number, effect: 'applied' | 'stale' | 'discrepancy') =>
        ledger.transaction(async (u) => {
          await u.recordInbox({ ...entry(key, deposit('ORD-P'), 'PP', 2), received_at: receivedAt });
          await u.setInboxEffect(key, effect);
        });

      it('deletes rows received before the cut, keeps discrepancies and newer rows, and counts what went', async () => {
        await record('deposit:PF0002:PP:1', T0 - 2, 'applied');
        await record('deposit:PF0002:PP:2', T0 - 1, 'stale');
        await record('deposit:PF0002:PP:3', T0 - 1, 'discrepancy');
        await record('deposit:PF0002:PP:4', T0, 'applied');
        await ledger.transaction((u) => u.lockOrder(deposit('ORD-P'), 'PP', T0));
        expect(await ledger.pruneInbox!(T0)).toBe(2);
        expect(await ledger.getInboxEntry('deposit:PF0002:PP:1')).toBeUndefined();
        expect(await ledger.getInboxEntry('deposit:PF0002:PP:2')).toBeUndefined();
        expect(await ledger.getInboxEntry('deposit:PF0002:PP:3')).toMatchObject({ effect: 'discrepancy' });
        expect(await ledger.getInboxEntry('deposit:PF0002:PP:4')).toMatchObject({ effect: 'applied' });
        // The orders are the lasting record: pruning never touches them.
        expect(await ledger.getOrder(deposit('ORD-P'))).toMatchObject({ gateway_id: 'PP' });
        expect(await ledger.pruneInbox!(T0)).toBe(0);
      });

      it('never takes a row of a transaction still running; the transaction commits as usual', async () => {
        const hold = gate();
        const recorded = gate();
        const key = 'deposit:PF0002:PP:5';
        const running = ledger.transaction(async (u) => {
          await u.recordInbox({ ...entry(key, deposit('ORD-P'), 'PP', 2), received_at: T0 - 1 });
          recorded.open();
          await hold.wait;
        });
        await recorded.wait;
        // A ledger on one connection (a pg Client, PGlite) runs the prune after the transaction; a pool
        // or memory runs it now, when the uncommitted row is not there to take.
        const pruning = ledger.pruneInbox!(T0);
        await new Promise((resolve) => setTimeout(resolve, 20));
        hold.open();
        await running;
        const pruned = await pruning;
        const kept = (await ledger.getInboxEntry(key)) !== undefined;
        expect(pruned + (kept ? 1 : 0)).toBe(1);
        expect(await ledger.pruneInbox!(T0)).toBe(kept ? 1 : 0);
      });
    });

    describe('rollback', () => {
      it('undoes the inbox row, the order it created and the order update', async () => {
        const ref = deposit('ORD-1');
        const e = entry('deposit:PF0002:P1:2', ref, 'P1', 2);
        await expect(
          ledger.transaction(async (u) => {
            expect(await u.recordInbox(e)).toBe(true);
            await u.lockOrder(ref, 'P1', T0);
            await u.updateOrder(ref, { status: 2, final: true, real_amount: 5_000_000, updated_at: T0 });
            throw new Rollback();
          }),
        ).rejects.toBeInstanceOf(Rollback);
        expect(await ledger.getOrder(ref)).toBeUndefined();
        expect(await ledger.getInboxEntry(e.key)).toBeUndefined();
        await expect(ledger.transaction((u) => u.recordInbox(e))).resolves.toBe(true);
      });

      it('undoes an update to an existing order and keeps what was there', async () => {
        const ref = deposit('ORD-1');
        await ledger.beginCreate(intent(ref));
        await ledger.finishCreate(ref, { state: 'created', gateway_id: 'P1', link: 'https://pay/1' }, T0);
        await expect(
          ledger.transaction(async (u) => {
            await u.lockOrder(ref, 'P1', T0 + 1);
            await u.updateOrder(ref, { status: 2, final: true, next_check_at: null, updated_at: T0 + 1 });
            throw new Rollback();
          }),
        ).rejects.toBeInstanceOf(Rollback);
        expect(await ledger.getOrder(ref)).toMatchObject({
          create_state: 'created',
          status: null,
          final: false,
          next_check_at: T0 + 60_000,
        });
      });
    });

    describe('orders', () => {
      it('lockOrder creates an unknown order as external with its gateway_id', async () => {
        const ref = deposit('ORD-EXT');
        const order = await ledger.transaction((u) => u.lockOrder(ref, 'P77', T0));
        const expected = {
          ...ref,
          create_state: 'external',
          gateway_id: 'P77',
          amount: null,
          service_id: null,
          notify_url: null,
          intent: null,
          link: null,
          error_code: null,
          error_msg: null,
          status: null,
          final: false,
          real_amount: null,
          fee: null,
          created_at: T0,
          updated_at: T0,
          next_check_at: null,
          checks: 0,
        };
        expect(order).toEqual(expected);
        expect(await ledger.getOrder(ref)).toEqual(expected);
      });

      it('lockOrder returns an existing order as it is', async () => {
        const ref = deposit('ORD-1');
        await ledger.beginCreate(intent(ref));
        const order = await ledger.transaction((u) => u.lockOrder(ref, 'P1', T0 + 5));
        expect(order).toMatchObject({ create_state: 'sending', gateway_id: null, amount: 5_000_000 });
      });

      it('updateOrder writes only the given fields', async () => {
        const ref = deposit('ORD-1');
        await ledger.beginCreate(intent(ref));
        await ledger.transaction(async (u) => {
          await u.lockOrder(ref, 'P1', T0 + 10);
          await u.updateOrder(ref, {
            gateway_id: 'P1',
            status: 2,
            final: true,
            real_amount: 4_000_000,
            fee: 1_000,
            next_check_at: null,
            updated_at: T0 + 10,
          });
        });
        expect(await ledger.getOrder(ref)).toEqual({
          ...ref,
          create_state: 'sending',
          gateway_id: 'P1',
          amount: 5_000_000,
          service_id: 'SVC0015',
          notify_url: 'https://shop.example/notify',
          intent: { name: 'Kim' },
          link: null,
          error_code: null,
          error_msg: null,
          status: 2,
          final: true,
          real_amount: 4_000_000,
          fee: 1_000,
          created_at: T0,
          updated_at: T0 + 10,
          next_check_at: null,
          checks: 0,
        });
      });

      it('serialises concurrent lockOrder on one order: the second sees the first one’s committed update', async () => {
        const ref = deposit('ORD-1');
        await ledger.beginCreate(intent(ref));
        const hold = gate();
        const locked = gate();
        const first = ledger.transaction(async (u) => {
          await u.lockOrder(ref, 'P1', T0);
          locked.open();
          await hold.wait;
          await u.updateOrder(ref, { status: 1, updated_at: T0 + 1 });
        });
        await locked.wait;
        const second = ledger.transaction((u) => u.lockOrder(ref, 'P1', T0 + 2));
        expect(await stillPending(second, blockedMs)).toBe(true);
        hold.open();
        await first;
        expect(await second).toMatchObject({ status: 1, updated_at: T0 + 1 });
      });

      it('lets concurrent transactions lock an order none of them has seen: one row, no error', async () => {
        const ref = deposit('ORD-NEW');
        const orders = await Promise.all(
          Array.from({ length: 5 }, (_, i) =>
            ledger.transaction(async (u) => {
              const order = await u.lockOrder(ref, 'P9', T0 + i);
              await u.updateOrder(ref, { checks: order.checks + 1, updated_at: T0 + i });
              return order;
            }),
          ),
        );
        expect(orders.every((o) => o.create_state === 'external' && o.gateway_id === 'P9')).toBe(true);
        expect((await ledger.getOrder(ref))?.checks).toBe(5);
      });

      it('keeps kinds and platforms apart', async () => {
        await ledger.beginCreate(intent(deposit('ORD-1')));
        expect(
          await ledger.getOrder({ kind: 'payout', platform_id: 'PF0002', cl_id: 'ORD-1' }),
        ).toBeUndefined();
        expect(await ledger.getOrder(deposit('ORD-1', 'PF0003'))).toBeUndefined();
        expect(await ledger.getOrder(deposit('ORD-1'))).toBeDefined();
      });
    });

    describe('create outbox', () => {
      it('beginCreate records a new intent as sending', async () => {
        const ref = deposit('ORD-1');
        await expect(ledger.beginCreate(intent(ref))).resolves.toEqual({ inserted: true });
        expect(await ledger.getOrder(ref)).toEqual({
          ...ref,
          create_state: 'sending',
          gateway_id: null,
          amount: 5_000_000,
          service_id: 'SVC0015',
          notify_url: 'https://shop.example/notify',
          intent: { name: 'Kim' },
          link: null,
          error_code: null,
          error_msg: null,
          status: null,
          final: false,
          real_amount: null,
          fee: null,
          created_at: T0,
          updated_at: T0,
          next_check_at: T0 + 60_000,
          checks: 0,
        });
      });

      it('beginCreate keeps a null notify_url and intent', async () => {
        const ref = deposit('ORD-1');
        await ledger.beginCreate(intent(ref, { notify_url: null, intent: null }));
        expect(await ledger.getOrder(ref)).toMatchObject({ notify_url: null, intent: null });
      });

      it('beginCreate on an existing order inserts nothing and returns what is recorded', async () => {
        const ref = deposit('ORD-1');
        await ledger.beginCreate(intent(ref));
        const again = await ledger.beginCreate(intent(ref, { amount: 1, now: T0 + 9 }));
        expect(again.inserted).toBe(false);
        if (again.inserted) return;
        expect(again.order).toMatchObject({ create_state: 'sending', amount: 5_000_000, created_at: T0 });
        expect(await ledger.getOrder(ref)).toMatchObject({ amount: 5_000_000 });
      });

      it('beginCreate on an order first heard of from a notification returns it (external)', async () => {
        const ref = deposit('ORD-1');
        await ledger.transaction((u) => u.lockOrder(ref, 'P1', T0));
        const again = await ledger.beginCreate(intent(ref));
        expect(again).toMatchObject({
          inserted: false,
          order: { create_state: 'external', gateway_id: 'P1' },
        });
      });

      it('inserts exactly one of many concurrent beginCreate calls for one order', async () => {
        const ref = deposit('ORD-1');
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) => ledger.beginCreate(intent(ref, { amount: 100 + i }))),
        );
        expect(results.filter((r) => r.inserted)).toHaveLength(1);
      });

      it('finishCreate records created with gateway_id and link', async () => {
        const ref = deposit('ORD-1');
        await ledger.beginCreate(intent(ref));
        await ledger.finishCreate(ref, { state: 'created', gateway_id: 'P1', link: 'https://pay/1' }, T0 + 3);
        expect(await ledger.getOrder(ref)).toMatchObject({
          create_state: 'created',
          gateway_id: 'P1',
          link: 'https://pay/1',
          updated_at: T0 + 3,
          status: null,
          final: false,
        });
      });

      it('finishCreate records refused with the gateway’s code and message; a refused order is never claimed', async () => {
        const ref = deposit('ORD-1');
        await ledger.beginCreate(intent(ref));
        await ledger.finishCreate(
          ref,
          { state: 'refused', error_code: '0012', error_msg: 'amount too small' },
          T0 + 3,
        );
        expect(await ledger.getOrder(ref)).toMatchObject({
          create_state: 'refused',
          gateway_id: null,
          error_code: '0012',
          error_msg: 'amount too small',
        });
        expect(await ledger.claimDueChecks(T0 + 3_600_000, 10, 60_000)).toEqual([]);
      });

      it('finishCreate records unknown, and an unknown create stays claimable', async () => {
        const ref = deposit('ORD-1');
        await ledger.beginCreate(intent(ref));
        await ledger.finishCreate(ref, { state: 'unknown' }, T0 + 3);
        expect(await ledger.getOrder(ref)).toMatchObject({ create_state: 'unknown', gateway_id: null });
        const claimed = await ledger.claimDueChecks(T0 + 60_000, 10, 30_000);
        expect(claimed.map((o) => o.cl_id)).toEqual(['ORD-1']);
      });

      it('finishCreate keeps a status a notification applied first', async () => {
        const ref = deposit('ORD-1');
        await ledger.beginCreate(intent(ref));
        await ledger.transaction(async (u) => {
          await u.lockOrder(ref, 'P1', T0 + 1);
          await u.updateOrder(ref, {
            gateway_id: 'P1',
            status: 2,
            final: true,
            real_amount: 5_000_000,
            next_check_at: null,
            updated_at: T0 + 1,
          });
        });
        await ledger.finishCreate(ref, { state: 'created', gateway_id: 'P1', link: 'https://pay/1' }, T0 + 2);
        expect(await ledger.getOrder(ref)).toMatchObject({
          create_state: 'created',
          status: 2,
          final: true,
          real_amount: 5_000_000,
          next_check_at: null,
        });
      });

      it('finishCreate never moves a created order back to unknown (a late answer after the reconciler resolved it)', async () => {
        const ref = deposit('ORD-1');
        await ledger.beginCreate(intent(ref));
        await ledger.finishCreate(ref, { state: 'created', gateway_id: 'P1', link: 'https://pay/1' }, T0 + 1);
        await ledger.finishCreate(ref, { state: 'unknown' }, T0 + 2);
        expect(await ledger.getOrder(ref)).toMatchObject({ create_state: 'created', gateway_id: 'P1' });
      });

      it('finishCreate not_sent removes a sending intent, so the order can be begun again', async () => {
        const ref = deposit('ORD-1');
        await ledger.beginCreate(intent(ref));
        await ledger.finishCreate(ref, { state: 'not_sent' }, T0 + 1);
        expect(await ledger.getOrder(ref)).toBeUndefined();
        await expect(ledger.beginCreate(intent(ref, { now: T0 + 2 }))).resolves.toEqual({ inserted: true });
        expect(await ledger.getOrder(ref)).toMatchObject({ create_state: 'sending', created_at: T0 + 2 });
      });

      it('finishCreate not_sent keeps an order that is not sending, or that has a status', async () => {
        const unknown = deposit('ORD-UNKNOWN');
        await ledger.beginCreate(intent(unknown));
        await ledger.finishCreate(unknown, { state: 'unknown' }, T0 + 1);
        await ledger.finishCreate(unknown, { state: 'not_sent' }, T0 + 2);
        expect(await ledger.getOrder(unknown)).toMatchObject({ create_state: 'unknown' });
        const notified = deposit('ORD-NOTIFIED');
        await ledger.beginCreate(intent(notified));
        await ledger.transaction(async (u) => {
          await u.lockOrder(notified, 'P1', T0 + 1);
          await u.updateOrder(notified, { gateway_id: 'P1', status: 0, updated_at: T0 + 1 });
        });
        await ledger.finishCreate(notified, { state: 'not_sent' }, T0 + 2);
        expect(await ledger.getOrder(notified)).toMatchObject({ create_state: 'sending', status: 0 });
      });

      it('finishCreate resolves an unknown create to created', async () => {
        const ref = deposit('ORD-1');
        await ledger.beginCreate(intent(ref));
        await ledger.finishCreate(ref, { state: 'unknown' }, T0 + 1);
        await ledger.finishCreate(ref, { state: 'created', gateway_id: 'P1' }, T0 + 2);
        expect(await ledger.getOrder(ref)).toMatchObject({
          create_state: 'created',
          gateway_id: 'P1',
          link: null,
        });
      });
    });

    describe('reconciliation schedule', () => {
      async function seed(): Promise<void> {
        // due, open (sending)
        await ledger.beginCreate(intent(deposit('DUE-SENDING'), { next_check_at: T0 + 1_000 }));
        // due, open (created), more overdue
        await ledger.beginCreate(intent(deposit('DUE-CREATED'), { next_check_at: T0 + 500 }));
        await ledger.finishCreate(deposit('DUE-CREATED'), { state: 'created', gateway_id: 'P2' }, T0);
        // not yet due
        await ledger.beginCreate(intent(deposit('LATER'), { next_check_at: T0 + 999_999 }));
        // due but final
        await ledger.beginCreate(intent(deposit('FINAL'), { next_check_at: T0 + 1_000 }));
        await ledger.transaction(async (u) => {
          await u.lockOrder(deposit('FINAL'), 'P3', T0);
          await u.updateOrder(deposit('FINAL'), { status: 2, final: true, updated_at: T0 });
        });
        // due but refused
        await ledger.beginCreate(intent(deposit('REFUSED'), { next_check_at: T0 + 1_000 }));
        await ledger.finishCreate(
          deposit('REFUSED'),
          { state: 'refused', error_code: '0012', error_msg: 'no' },
          T0,
        );
        // never scheduled
        await ledger.transaction((u) => u.lockOrder(deposit('NEVER'), 'P4', T0));
      }

      it('claims due open orders only, most overdue first, and pushes their next check by the lease', async () => {
        await seed();
        const now = T0 + 2_000;
        const claimed = await ledger.claimDueChecks(now, 10, 30_000);
        expect(claimed.map((o) => o.cl_id)).toEqual(['DUE-CREATED', 'DUE-SENDING']);
        expect((await ledger.getOrder(deposit('DUE-CREATED')))?.next_check_at).toBe(now + 30_000);
        expect(await ledger.claimDueChecks(now, 10, 30_000)).toEqual([]);
        const later = await ledger.claimDueChecks(now + 30_000, 10, 30_000);
        expect(later.map((o) => o.cl_id).sort()).toEqual(['DUE-CREATED', 'DUE-SENDING']);
      });

      it('respects the limit', async () => {
        await seed();
        const first = await ledger.claimDueChecks(T0 + 2_000, 1, 30_000);
        expect(first.map((o) => o.cl_id)).toEqual(['DUE-CREATED']);
        const second = await ledger.claimDueChecks(T0 + 2_000, 1, 30_000);
        expect(second.map((o) => o.cl_id)).toEqual(['DUE-SENDING']);
      });

      it('never gives one order to two concurrent claims', async () => {
        for (let i = 0; i < 20; i++) {
          await ledger.beginCreate(intent(deposit(`ORD-${i}`), { next_check_at: T0 + i }));
        }
        const now = T0 + 1_000;
        const batches = await Promise.all(
          Array.from({ length: 4 }, () => ledger.claimDueChecks(now, 7, 60_000)),
        );
        const ids = batches.flat().map((o) => o.cl_id);
        expect(new Set(ids).size).toBe(ids.length);
        const rest = await ledger.claimDueChecks(now, 100, 60_000);
        expect([...ids, ...rest.map((o) => o.cl_id)].sort()).toEqual(
          Array.from({ length: 20 }, (_, i) => `ORD-${i}`).sort(),
        );
      });

      it('scheduleCheck sets the next check and the count; null stops checking', async () => {
        const ref = deposit('ORD-1');
        await ledger.beginCreate(intent(ref));
        await ledger.scheduleCheck(ref, T0 + 120_000, 1, T0 + 60_000);
        expect(await ledger.getOrder(ref)).toMatchObject({
          next_check_at: T0 + 120_000,
          checks: 1,
          updated_at: T0 + 60_000,
        });
        expect(await ledger.claimDueChecks(T0 + 119_999, 10, 1_000)).toEqual([]);
        expect((await ledger.claimDueChecks(T0 + 120_000, 10, 1_000)).map((o) => o.checks)).toEqual([1]);
        await ledger.scheduleCheck(ref, null, 2, T0 + 120_001);
        expect(await ledger.getOrder(ref)).toMatchObject({ next_check_at: null, checks: 2 });
        expect(await ledger.claimDueChecks(T0 + 999_999_999, 10, 1_000)).toEqual([]);
      });
    });

    it('getOrder of an order never seen is undefined', async () => {
      expect(await ledger.getOrder(deposit('NOPE'))).toBeUndefined();
    });
  });
}
