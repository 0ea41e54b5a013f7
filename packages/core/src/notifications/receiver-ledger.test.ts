import { afterEach, describe, expect, it, vi } from 'vitest';
import { DiamondPayValidationError } from '../errors.js';
import { setSignatureCrypto, signatureCrypto } from '../signing/crypto.js';
import { nodeCrypto } from '../signing/crypto-node.js';
import { depositFields, signedBody, TEST_KEY } from '../testing/independent-signer.js';
import { LEDGER_INBOX, type Ledger, type LedgerOrderRef, type LedgerUnitOfWork } from './ledger.js';
import { createLedgerInbox, type DiscrepancyEvent, type LedgerHandlerContext } from './ledger-inbox.js';
import { MemoryLedger } from './memory-ledger.js';
import { createNotificationReceiver } from './receiver.js';
import { MemoryNotificationStore } from './store.js';
import type { DepositNotification } from './verify.js';

const ACK = '{"error_code":"0000"}';
const base = { platformId: 'PF0002', platformKey: TEST_KEY };
const REF: LedgerOrderRef = { kind: 'deposit', platform_id: 'PF0002', cl_id: 'ORDER-1' };

function body(overrides: Record<string, unknown> = {}): string {
  return signedBody(depositFields(overrides));
}

async function createIntent(ledger: Ledger, amount = 50_000_000): Promise<void> {
  await ledger.beginCreate({
    ...REF,
    amount,
    service_id: 'SVC0015',
    notify_url: 'https://shop.example/notify',
    intent: null,
    now: Date.now(),
    next_check_at: Date.now() + 60_000,
  });
  await ledger.finishCreate(
    REF,
    { state: 'created', gateway_id: 'PM00000102', link: 'https://pay/1' },
    Date.now(),
  );
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('receiver with a ledger', () => {
  it('runs onDeposit in the ledger transaction with the order and its intent, then acknowledges', async () => {
    const ledger = new MemoryLedger();
    await createIntent(ledger);
    const calls: [DepositNotification, unknown, LedgerHandlerContext][] = [];
    const receiver = createNotificationReceiver<{ requestId: string }>({
      ...base,
      ledger,
      onDeposit: (n, c, l) => {
        calls.push([n, c, l]);
      },
    });
    const r = await receiver.receive(body({ real_amount: 40_000_000 }), { requestId: 'r1' });
    expect(r).toMatchObject({ status: 200, body: ACK, outcome: 'processed', effect: 'applied' });
    expect(calls).toHaveLength(1);
    const [n, c, l] = calls[0]!;
    expect(n).toMatchObject({ payment_id: 'PM00000102', status: 2, real_amount: 40_000_000 });
    expect(c).toEqual({ requestId: 'r1' });
    expect(l.source).toBe('notification');
    expect(typeof l.tx.query).toBe('function');
    // The intent is beside the notification: an underpayment is plain.
    expect(l.order).toMatchObject({ amount: 50_000_000, real_amount: 40_000_000, status: 2, final: true });
    expect(await ledger.getOrder(REF)).toMatchObject({
      create_state: 'created',
      status: 2,
      final: true,
      real_amount: 40_000_000,
      next_check_at: null,
    });
    expect(await ledger.getInboxEntry('deposit:PF0002:PM00000102:2')).toMatchObject({
      source: 'notification',
      effect: 'applied',
    });
  });

  it('acknowledges a later copy as a duplicate without running the handler', async () => {
    const onDeposit = vi.fn();
    const receiver = createNotificationReceiver({ ...base, ledger: new MemoryLedger(), onDeposit });
    const b = body();
    expect((await receiver.receive(b, undefined)).outcome).toBe('processed');
    expect(await receiver.receive(b, undefined)).toMatchObject({
      status: 200,
      body: ACK,
      outcome: 'duplicate',
    });
    expect(onDeposit).toHaveBeenCalledTimes(1);
  });

  it('runs the handler once for 50 concurrent copies on 50 instances sharing one ledger', async () => {
    const ledger = new MemoryLedger();
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    const onDeposit = async () => {
      runs++;
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
    };
    const instances = Array.from({ length: 50 }, () =>
      createNotificationReceiver({ ...base, ledger, onDeposit }),
    );
    const b = body();
    const results = await Promise.all(instances.map((r) => r.receive(b, undefined)));
    expect(runs).toBe(1);
    expect(maxRunning).toBe(1);
    expect(results.every((r) => r.status === 200 && r.body === ACK)).toBe(true);
    expect(results.filter((r) => r.outcome === 'processed')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'duplicate')).toHaveLength(49);
  });

  it('runs the handler once for 50 concurrent copies on one instance', async () => {
    const onDeposit = vi.fn(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
    });
    const receiver = createNotificationReceiver({ ...base, ledger: new MemoryLedger(), onDeposit });
    const b = body();
    const results = await Promise.all(Array.from({ length: 50 }, () => receiver.receive(b, undefined)));
    expect(onDeposit).toHaveBeenCalledTimes(1);
    expect(results.every((r) => r.status === 200)).toBe(true);
  });

  it('commits an uncontended notification with a synchronous handler before receive() returns', async () => {
    const original = signatureCrypto();
    setSignatureCrypto(nodeCrypto); // a synchronous verify (the default in tests is Web Crypto's promise)
    try {
      const ledger = new MemoryLedger();
      const onDeposit = vi.fn();
      const receiver = createNotificationReceiver({ ...base, ledger, onDeposit });
      const pending = receiver.receive(body(), undefined);
      // Nothing awaited yet: the transaction began, ran the handler and committed synchronously.
      expect(onDeposit).toHaveBeenCalledTimes(1);
      expect(ledger.size).toEqual({ inbox: 1, orders: 1 });
      expect(await pending).toMatchObject({ status: 200, outcome: 'processed', effect: 'applied' });
    } finally {
      setSignatureCrypto(original);
    }
  });

  it('a status for an order whose transaction is still running waits for it, on another instance', async () => {
    const ledger = new MemoryLedger();
    const order: string[] = [];
    let finishFirst!: () => void;
    let firstStarted!: () => void;
    const started = new Promise<void>((resolve) => {
      firstStarted = resolve;
    });
    const first = createNotificationReceiver({
      ...base,
      ledger,
      onDeposit: async (n) => {
        order.push(`start ${n.status}`);
        firstStarted();
        await new Promise<void>((resolve) => {
          finishFirst = resolve;
        });
        order.push(`end ${n.status}`);
      },
    });
    const second = createNotificationReceiver({
      ...base,
      ledger,
      onDeposit: (n) => {
        order.push(`run ${n.status}`);
      },
    });
    const waiting = first.receive(body({ status: 1, real_amount: 0 }), undefined);
    // Verification is asynchronous (Web Crypto) and may finish in either order: the second copy is
    // sent once the first one's transaction is running, which is the case this test is about.
    await started;
    const paid = second.receive(body({ status: 2 }), undefined);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(order).toEqual(['start 1']);
    finishFirst();
    expect(await waiting).toMatchObject({ status: 200, effect: 'applied' });
    expect(await paid).toMatchObject({ status: 200, effect: 'applied' });
    expect(order).toEqual(['start 1', 'end 1', 'run 2']);
    expect(await ledger.getOrder(REF)).toMatchObject({ status: 2, final: true });
  });

  it('after pruneInbox, a copy of a pruned notification still runs no handler; a kept discrepancy stays once', async () => {
    const ledger = new MemoryLedger();
    await createIntent(ledger);
    const onDeposit = vi.fn();
    const onDiscrepancy = vi.fn();
    const receiver = createNotificationReceiver({ ...base, ledger, onDeposit, onDiscrepancy });
    const waiting = body({ status: 1, real_amount: 0 });
    const paid = body({ status: 2 });
    const cancelled = body({ status: 3, real_amount: 0 });
    for (const b of [waiting, paid, cancelled])
      expect((await receiver.receive(b, undefined)).status).toBe(200);
    expect(onDeposit).toHaveBeenCalledTimes(2);
    expect(onDiscrepancy).toHaveBeenCalledTimes(1);
    // Everything received so far is older than the cut, but the discrepancy's row stays.
    expect(await ledger.pruneInbox(Date.now() + 1)).toBe(2);
    expect(await ledger.getInboxEntry('deposit:PF0002:PM00000102:2')).toBeUndefined();
    for (const b of [waiting, paid, cancelled])
      expect(await receiver.receive(b, undefined)).toMatchObject({ status: 200, body: ACK });
    // The order's recorded state (paid, final) keeps the pruned copies from running anything again.
    expect(onDeposit).toHaveBeenCalledTimes(2);
    expect(onDiscrepancy).toHaveBeenCalledTimes(1);
    expect(await ledger.getOrder(REF)).toMatchObject({ status: 2, final: true });
  });

  it('rolls everything back when the handler throws (500), and runs it again on the retry', async () => {
    const ledger = new MemoryLedger();
    await createIntent(ledger);
    let attempt = 0;
    const onDeposit = vi.fn(() => {
      if (++attempt === 1) throw new Error('shop database hiccup');
    });
    const receiver = createNotificationReceiver({ ...base, ledger, onDeposit });
    const b = body();
    const first = await receiver.receive(b, undefined);
    expect(first).toMatchObject({ status: 500, outcome: 'failed' });
    expect(JSON.parse(first.body)).toMatchObject({ error_code: 'handler_failed' });
    expect(await ledger.getInboxEntry('deposit:PF0002:PM00000102:2')).toBeUndefined();
    expect(await ledger.getOrder(REF)).toMatchObject({ status: null, final: false });
    const retry = await receiver.receive(b, undefined);
    expect(retry).toMatchObject({ status: 200, outcome: 'processed', effect: 'applied' });
    expect(onDeposit).toHaveBeenCalledTimes(2);
    expect(await ledger.getOrder(REF)).toMatchObject({ status: 2, final: true });
  });

  it('answers 503 ledger_unavailable, never an ack, when the transaction cannot start', async () => {
    class DownLedger extends MemoryLedger {
      override transaction<T>(_work: (unit: LedgerUnitOfWork) => Promise<T>): Promise<T> {
        return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
      }
    }
    const down = new DownLedger();
    const onDeposit = vi.fn();
    const onError = vi.fn();
    const receiver = createNotificationReceiver({ ...base, ledger: down, onDeposit, onError });
    const r = await receiver.receive(body(), undefined);
    expect(r).toMatchObject({ status: 503, outcome: 'failed' });
    expect(JSON.parse(r.body)).toMatchObject({ error_code: 'ledger_unavailable' });
    expect(onDeposit).not.toHaveBeenCalled();
    expect(onError).toHaveBeenCalledTimes(1);
  });

  it('answers 503 when the commit fails after the handler ran (its writes were rolled back with it)', async () => {
    const inner = new MemoryLedger();
    const failingCommit: Ledger = {
      [LEDGER_INBOX]: createLedgerInbox,
      beginCreate: (i) => inner.beginCreate(i),
      finishCreate: (r, x, n) => inner.finishCreate(r, x, n),
      getOrder: (r) => inner.getOrder(r),
      getInboxEntry: (k) => inner.getInboxEntry(k),
      claimDueChecks: (n, l, m) => inner.claimDueChecks(n, l, m),
      scheduleCheck: (r, a, c, n) => inner.scheduleCheck(r, a, c, n),
      transaction: <T>(work: (unit: LedgerUnitOfWork) => Promise<T>) =>
        inner.transaction(async (unit) => {
          await work(unit);
          throw new Error('Connection terminated unexpectedly');
        }) as Promise<T>,
    };
    const onDeposit = vi.fn();
    const receiver = createNotificationReceiver({ ...base, ledger: failingCommit, onDeposit });
    const r = await receiver.receive(body(), undefined);
    expect(r.status).toBe(503);
    expect(JSON.parse(r.body)).toMatchObject({ error_code: 'ledger_unavailable' });
    expect(onDeposit).toHaveBeenCalledTimes(1);
    expect(await inner.getInboxEntry('deposit:PF0002:PM00000102:2')).toBeUndefined();
  });

  it('records a stale status after a final one without running the handler', async () => {
    const ledger = new MemoryLedger();
    const onDeposit = vi.fn();
    const receiver = createNotificationReceiver({ ...base, ledger, onDeposit });
    expect((await receiver.receive(body({ status: 2 }), undefined)).effect).toBe('applied');
    const stale = await receiver.receive(body({ status: 1, real_amount: 0 }), undefined);
    expect(stale).toMatchObject({ status: 200, body: ACK, outcome: 'processed', effect: 'stale' });
    expect(onDeposit).toHaveBeenCalledTimes(1);
    expect(await ledger.getOrder(REF)).toMatchObject({ status: 2, final: true, real_amount: 50_000_000 });
    expect(await ledger.getInboxEntry('deposit:PF0002:PM00000102:1')).toMatchObject({ effect: 'stale' });
  });

  it('runs onDiscrepancy, not onDeposit, for paid after cancelled, and keeps the cancelled state', async () => {
    const ledger = new MemoryLedger();
    const onDeposit = vi.fn();
    const events: DiscrepancyEvent[] = [];
    const receiver = createNotificationReceiver({
      ...base,
      ledger,
      onDeposit,
      onDiscrepancy: (event, _ctx, { tx, order }) => {
        expect(typeof tx.query).toBe('function');
        expect(order.status).toBe(3);
        events.push(event);
      },
    });
    await receiver.receive(body({ status: 3, real_amount: 0 }), undefined);
    expect(onDeposit).toHaveBeenCalledTimes(1);
    const r = await receiver.receive(body({ status: 2 }), undefined);
    expect(r).toMatchObject({ status: 200, outcome: 'processed', effect: 'discrepancy' });
    expect(onDeposit).toHaveBeenCalledTimes(1);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      reason: 'conflicting_final',
      source: 'notification',
      recorded: { status: 3, final: true },
      notification: { status: 2 },
    });
    expect(await ledger.getOrder(REF)).toMatchObject({ status: 3, final: true });
  });

  it('runs onDiscrepancy for an amount that differs from the create intent', async () => {
    const ledger = new MemoryLedger();
    await createIntent(ledger, 50_000_000);
    const onDeposit = vi.fn();
    const onDiscrepancy = vi.fn();
    const receiver = createNotificationReceiver({ ...base, ledger, onDeposit, onDiscrepancy });
    await receiver.receive(body({ amount: 60_000_000, real_amount: 60_000_000 }), undefined);
    expect(onDeposit).not.toHaveBeenCalled();
    expect(onDiscrepancy).toHaveBeenCalledTimes(1);
    expect(onDiscrepancy.mock.calls[0]![0]).toMatchObject({ reason: 'amount_mismatch' });
  });

  it('logs a discrepancy with console.warn by default, without the key or the signature', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const receiver = createNotificationReceiver({ ...base, ledger: new MemoryLedger(), onDeposit: () => {} });
    await receiver.receive(body({ status: 3, real_amount: 0 }), undefined);
    const b = body({ status: 2 });
    await receiver.receive(b, undefined);
    expect(warn).toHaveBeenCalledTimes(1);
    const line = String(warn.mock.calls[0]![0]);
    expect(line).toMatch(/conflicting_final/);
    expect(line).toContain('ORDER-1');
    expect(line).not.toContain(TEST_KEY);
    expect(line).not.toContain(JSON.parse(b).sign);
  });

  it('never runs onDeposit for an unknown status number', async () => {
    const onDeposit = vi.fn();
    const onDiscrepancy = vi.fn();
    const ledger = new MemoryLedger();
    const receiver = createNotificationReceiver({ ...base, ledger, onDeposit, onDiscrepancy });
    const r = await receiver.receive(body({ status: 9 }), undefined);
    expect(r).toMatchObject({ status: 200, effect: 'discrepancy' });
    expect(onDeposit).not.toHaveBeenCalled();
    expect(onDiscrepancy.mock.calls[0]![0]).toMatchObject({ reason: 'unknown_status' });
    expect(await ledger.getOrder(REF)).toMatchObject({ status: null, final: false });
  });

  it('rolls back when onDiscrepancy throws (500)', async () => {
    const ledger = new MemoryLedger();
    const receiver = createNotificationReceiver({
      ...base,
      ledger,
      onDeposit: () => {},
      onDiscrepancy: () => {
        throw new Error('alerting is down');
      },
    });
    const r = await receiver.receive(body({ status: 9 }), undefined);
    expect(r.status).toBe(500);
    expect(await ledger.getInboxEntry('deposit:PF0002:PM00000102:9')).toBeUndefined();
  });

  it('schedules a first reconciliation check for an order first heard of by a waiting status', async () => {
    const ledger = new MemoryLedger();
    const t = Date.now();
    const receiver = createNotificationReceiver({ ...base, ledger, onDeposit: () => {}, now: () => t });
    await receiver.receive(body({ status: 0, real_amount: 0, update_time: Math.floor(t / 1000) }), undefined);
    expect(await ledger.getOrder(REF)).toMatchObject({
      create_state: 'external',
      status: 0,
      final: false,
      next_check_at: t + 60_000,
    });
  });

  it('a queried status and a notification share one key: whichever is first runs the handler', async () => {
    const ledger = new MemoryLedger();
    const onDeposit = vi.fn();
    const receiver = createNotificationReceiver({ ...base, ledger, onDeposit });
    const queried = {
      kind: 'deposit' as const,
      payment_id: 'PM00000102',
      payment_cl_id: 'ORDER-1',
      amount: 50_000_000,
      real_amount: 50_000_000,
      fee: 400_000,
      status: 2,
    };
    const q = await receiver.applyQueried(queried, undefined);
    expect(q).toMatchObject({ outcome: 'processed', effect: 'applied' });
    expect(onDeposit.mock.calls[0]![2]).toMatchObject({ source: 'reconciliation' });
    expect(onDeposit.mock.calls[0]![0]).toMatchObject({
      kind: 'deposit',
      payment_id: 'PM00000102',
      sign: '',
    });
    expect(await receiver.receive(body(), undefined)).toMatchObject({ status: 200, outcome: 'duplicate' });
    expect(await receiver.applyQueried(queried, undefined)).toMatchObject({ outcome: 'duplicate' });
    expect(onDeposit).toHaveBeenCalledTimes(1);
    expect(await ledger.getInboxEntry('deposit:PF0002:PM00000102:2')).toMatchObject({
      source: 'reconciliation',
    });
  });

  it('applyQueried without a ledger is refused, not thrown', async () => {
    const receiver = createNotificationReceiver({ ...base, onDeposit: () => {} });
    const r = await receiver.applyQueried(
      { kind: 'deposit', payment_id: 'P', payment_cl_id: 'C', amount: 1, status: 2 },
      undefined,
    );
    expect(r).toMatchObject({ outcome: 'rejected', status: 500 });
  });

  it('refuses a ledger that carries no ledger path, naming the field and what to set', () => {
    const { [LEDGER_INBOX]: _path, ...withoutPath } = Object.assign(Object.create(null), {
      transaction: () => Promise.resolve(),
      [LEDGER_INBOX]: createLedgerInbox,
    }) as Ledger;
    const make = () =>
      createNotificationReceiver({ ...base, onDeposit: () => {}, ledger: withoutPath as unknown as Ledger });
    expect(make).toThrow(DiamondPayValidationError);
    try {
      make();
    } catch (error) {
      expect((error as DiamondPayValidationError).issues).toEqual([
        expect.objectContaining({ field: 'ledger', rule: 'ledger_inbox' }),
      ]);
      expect(
        String((error as Error).message + JSON.stringify((error as DiamondPayValidationError).issues)),
      ).toMatch(/LEDGER_INBOX\] = createLedgerInbox/);
    }
  });

  it('refuses a ledger together with a store, and onDiscrepancy without a ledger', () => {
    const both = () =>
      // @ts-expect-error: a store is not accepted beside a ledger
      createNotificationReceiver({
        ...base,
        ledger: new MemoryLedger(),
        onDeposit: () => {},
        store: new MemoryNotificationStore(),
      });
    expect(both).toThrow(DiamondPayValidationError);
    expect(both).toThrow(/store/);
    try {
      both();
    } catch (error) {
      expect((error as DiamondPayValidationError).issues).toEqual([
        expect.objectContaining({ field: 'store', rule: 'exclusive' }),
      ]);
    }
    expect(() =>
      // @ts-expect-error: onDiscrepancy needs a ledger
      createNotificationReceiver({ ...base, onDeposit: () => {}, onDiscrepancy: () => {} }),
    ).toThrow(/onDiscrepancy/);
  });
});
