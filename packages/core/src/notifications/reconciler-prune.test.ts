// The reconciler's `pruneInboxAfterMs`: a pass also prunes the ledger's inbox, hourly at most, so a
// long-running shop's inbox stays bounded without a job of its own.
import { describe, expect, it, vi } from 'vitest';
import { DiamondPayValidationError } from '../errors.js';
import { depositFields, signedBody, TEST_KEY } from '../testing/independent-signer.js';
import type { Ledger } from './ledger.js';
import { MemoryLedger } from './memory-ledger.js';
import { createNotificationReceiver } from './receiver.js';
import { createReconciler, type ReconcilerOptions } from './reconciler.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const base = { platformId: 'PF0002', platformKey: TEST_KEY };
// No order is ever due in these tests: a query would be a test failure.
const client = {
  platformId: 'PF0002',
  deposits: {
    retrieve: async (): Promise<never> => {
      throw new Error('no order should be queried');
    },
  },
};

/** A receiver on `ledger` whose clock the test moves, and a reconciler over it pruning after 30 days. */
function setup(ledger: Ledger = new MemoryLedger(), extra: Partial<ReconcilerOptions> = {}) {
  const clock = { t: Date.now() };
  const onDeposit = vi.fn();
  const onDiscrepancy = vi.fn();
  const receiver = createNotificationReceiver({
    ...base,
    ledger,
    now: () => clock.t,
    onDeposit,
    onDiscrepancy,
  });
  const onError = vi.fn();
  const reconciler = createReconciler({
    client,
    receiver,
    now: () => clock.t,
    pruneInboxAfterMs: 30 * DAY,
    onError,
    ...extra,
  });
  // A notification of order `cl_id` delivered at the clock's time (its update_time a minute before).
  const deliver = async (cl_id: string, fields: Record<string, unknown>) => {
    const update_time = Math.floor(clock.t / 1000) - 60;
    const b = signedBody(depositFields({ payment_cl_id: cl_id, update_time, ...fields }));
    return receiver.receive(b, undefined);
  };
  return { ledger, clock, receiver, reconciler, deliver, onDeposit, onDiscrepancy, onError };
}

describe('reconciler pruneInboxAfterMs', () => {
  it('prunes rows older than the option in the first pass, keeps newer and discrepancy rows, then waits an hour', async () => {
    const { ledger, clock, reconciler, deliver, onDeposit, onDiscrepancy } = setup();
    const start = clock.t;
    // Day 0: order A paid, then a contradicting cancel (a discrepancy, kept by every prune).
    expect((await deliver('A', { payment_id: 'PMA', status: 2 })).status).toBe(200);
    expect((await deliver('A', { payment_id: 'PMA', status: 3, real_amount: 0 })).status).toBe(200);
    // Day 40: order B paid.
    clock.t = start + 40 * DAY;
    expect((await deliver('B', { payment_id: 'PMB', status: 2 })).status).toBe(200);
    expect([onDeposit.mock.calls.length, onDiscrepancy.mock.calls.length]).toEqual([2, 1]);
    expect(ledger instanceof MemoryLedger && ledger.size.inbox).toBe(3);

    const first = await reconciler.runOnce();
    expect(first).toEqual({ checked: 0, resolved: 0, pending: 0, unknown: 0, pruned: 1 });
    expect(await ledger.getInboxEntry('deposit:PF0002:PMA:2')).toBeUndefined();
    expect(await ledger.getInboxEntry('deposit:PF0002:PMA:3')).toMatchObject({ effect: 'discrepancy' });
    expect(await ledger.getInboxEntry('deposit:PF0002:PMB:2')).toMatchObject({ effect: 'applied' });

    // Within the hour: a pass checks orders but does not prune (no `pruned` in its report).
    clock.t = start + 40 * DAY + HOUR - 1;
    expect(await reconciler.runOnce()).toEqual({ checked: 0, resolved: 0, pending: 0, unknown: 0 });
    // An hour after the first prune, with B now older than 30 days: pruned too.
    clock.t = start + 71 * DAY;
    expect((await reconciler.runOnce()).pruned).toBe(1);
    expect(await ledger.getInboxEntry('deposit:PF0002:PMB:2')).toBeUndefined();
    // The pruned notifications, delivered again, run nothing: the orders' recorded states stand.
    expect((await deliver('A', { payment_id: 'PMA', status: 2 })).outcome).toBe('processed');
    expect((await deliver('A', { payment_id: 'PMA', status: 3, real_amount: 0 })).outcome).toBe('duplicate');
    expect([onDeposit.mock.calls.length, onDiscrepancy.mock.calls.length]).toEqual([2, 1]);
  });

  it('reports a failing prune to onError, and the pass still reports its checks; tried again an hour later', async () => {
    const ledger = new MemoryLedger();
    const failing = vi.spyOn(ledger, 'pruneInbox').mockRejectedValueOnce(new Error('disk full'));
    const { clock, reconciler, onError } = setup(ledger);
    expect(await reconciler.runOnce()).toEqual({ checked: 0, resolved: 0, pending: 0, unknown: 0 });
    expect(onError).toHaveBeenCalledWith(new Error('disk full'), undefined);
    expect(await reconciler.runOnce()).not.toHaveProperty('pruned');
    clock.t += HOUR;
    expect((await reconciler.runOnce()).pruned).toBe(0);
    expect(failing).toHaveBeenCalledTimes(2);
  });

  it('refuses less than a day, a non-integer, and a ledger without pruneInbox, naming the option', () => {
    const problems = (extra: Partial<ReconcilerOptions>, ledger?: Ledger) => {
      try {
        setup(ledger, extra);
      } catch (error) {
        expect(error).toBeInstanceOf(DiamondPayValidationError);
        return (error as DiamondPayValidationError).issues.map((i) => `${i.field} ${i.rule}`);
      }
      return [];
    };
    expect(problems({ pruneInboxAfterMs: DAY - 1 })).toEqual(['pruneInboxAfterMs min']);
    expect(problems({ pruneInboxAfterMs: DAY + 0.5 })).toEqual(['pruneInboxAfterMs min']);
    // A Ledger implementation may leave pruneInbox out (it is optional in the interface).
    class NoPruneLedger extends MemoryLedger {}
    Object.defineProperty(NoPruneLedger.prototype, 'pruneInbox', { value: undefined });
    expect(problems({}, new NoPruneLedger())).toEqual(['pruneInboxAfterMs requires_prune']);
    expect(problems({ pruneInboxAfterMs: undefined }, new NoPruneLedger())).toEqual([]);
  });
});
