// The reconciler: asks the gateway about every order the ledger still holds open (a lost final
// notification, a shop that was down past the gateway's retry hour, a create whose answer never
// came) and feeds what it finds through the receiver's inbox, under the notification's own key, so
// a notification and a reconciliation can never both run the handler.
import { DiamondPayApiError, DiamondPayValidationError, type ValidationIssue } from '../errors.js';
import { GatewayErrorCode } from '../protocol/constants.js';
import type { Ledger, LedgerOrder, LedgerOrderKind } from './ledger.js';
import type { QueriedDeposit, QueriedOrder, QueriedPayout } from './ledger-inbox.js';
import type { NotificationReceiver } from './receiver.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** How often one reconciler prunes the inbox when `pruneInboxAfterMs` is set: hourly. */
const PRUNE_EVERY_MS = HOUR;

/** Default checks after an order's creation, in ms: 1, 2, 5, 10 and 30 minutes, then every `repeatMs`. */
export const DEFAULT_RECONCILE_SCHEDULE: readonly number[] = /* @__PURE__ */ Object.freeze([
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  30 * MINUTE,
]);
/** Default time after creation when checking stops: 72 hours, in ms. */
export const DEFAULT_RECONCILE_HORIZON_MS = 72 * HOUR;

/** What the reconciler needs of the client (`DiamondPay` fits). */
export interface ReconcilerClient {
  /**
   * The merchant the client queries for (`DiamondPay` has it). Orders of other merchants in a shared
   * ledger are left to their own reconciler: a query with the wrong credentials would find nothing.
   */
  readonly platformId?: string | undefined;
  deposits: {
    retrieve(paymentClId: string): Promise<Omit<QueriedDeposit, 'kind'>>;
  };
  /** Payout queries (`DiamondPay` has them); without them, payout orders are reported `unknown`. */
  payouts?: { retrieve(payoutClId: string): Promise<Omit<QueriedPayout, 'kind'>> } | undefined;
}

export interface ReconcilerOptions<Ctx = undefined> {
  client: ReconcilerClient;
  /** The receiver created with the ledger: queried statuses go through its inbox path. */
  receiver: NotificationReceiver<Ctx>;
  /** Default the receiver's ledger; if given, it must be the same one. */
  ledger?: Ledger | undefined;
  /** Checks after creation, in ms, ascending (default 1, 2, 5, 10, 30 minutes). */
  schedule?: readonly number[] | undefined;
  /** After the last scheduled check, check again every this many ms. Default 3 600 000 (hourly). */
  repeatMs?: number | undefined;
  /** Stop checking this many ms after creation. Default 259 200 000 (72 h). */
  horizonMs?: number | undefined;
  /** Orders claimed per pass. Default 50. */
  batchSize?: number | undefined;
  /** Queries running at once within a pass. Default 4. */
  concurrency?: number | undefined;
  /** How long a claimed order is withheld from other reconcilers while it is checked, in ms. Default 300 000. */
  leaseMs?: number | undefined;
  /** The handler's `context` for reconciled statuses (there is no request). Default undefined. */
  context?: Ctx | undefined;
  /** Clock in Unix milliseconds (tests). Default `Date.now`. */
  now?: (() => number) | undefined;
  /** Called for each order whose check failed, and for a pass that failed (order undefined). Must not throw. */
  onError?: ((error: unknown, order: LedgerOrder | undefined) => void) | undefined;
  /**
   * Keeps the inbox bounded: a pass also deletes the inbox rows received more than this many ms ago
   * (`ledger.pruneInbox`: rows of effect `discrepancy` and every order stay), at most once an hour
   * per reconciler, the first pass included. At least one day (86 400 000). Default: never.
   */
  pruneInboxAfterMs?: number | undefined;
}

/**
 * One pass: `checked` orders queried; `resolved` now final (or a create recorded `refused`);
 * `pending` still open, checked again later; `unknown` the query or the apply failed (retried with backoff).
 */
export interface ReconcileReport {
  checked: number;
  resolved: number;
  pending: number;
  unknown: number;
  /** Inbox rows deleted, in a pass that pruned (`pruneInboxAfterMs`); absent otherwise. */
  pruned?: number | undefined;
}

export interface Reconciler {
  /** Claims the due orders and checks each once. Rejects only when the ledger cannot be read. */
  runOnce(): Promise<ReconcileReport>;
  /** Runs a pass every `intervalMs` (no overlap). Timers are unref'd: they never keep a process alive. */
  start(options: { intervalMs: number }): void;
  /** Stops the timer and resolves once the running pass (if any) has finished. */
  stop(): Promise<void>;
}

/** What a query found: the gateway's record, or that the gateway does not have the order. */
type QueryResult = { found: QueriedOrder } | { found: undefined };

/** The message recorded for a create the gateway never had (nothing was created). */
export const NEVER_CREATED_MESSAGE =
  'the gateway did not have this order at any check up to the reconciliation horizon: nothing was created';

/** The next check after `now` for an order created at `createdAt`, or null past the horizon (ms). */
export function nextCheckAt(
  createdAt: number,
  now: number,
  schedule: readonly number[] = DEFAULT_RECONCILE_SCHEDULE,
  repeatMs = HOUR,
  horizonMs = DEFAULT_RECONCILE_HORIZON_MS,
): number | null {
  const elapsed = now - createdAt;
  let next: number | undefined;
  for (const offset of schedule) {
    if (offset > elapsed) {
      next = createdAt + offset;
      break;
    }
  }
  if (next === undefined) {
    const last = createdAt + (schedule[schedule.length - 1] ?? 0);
    next = last + (Math.floor((now - last) / repeatMs) + 1) * repeatMs;
  }
  return next - createdAt > horizonMs ? null : next;
}

/** Wait after a failed check, in ms: 1 minute doubling per check, at most an hour. */
function failureBackoff(checks: number): number {
  return Math.min(MINUTE * 2 ** Math.min(Math.max(checks - 1, 0), 6), HOUR);
}

function isNotFound(error: unknown): boolean {
  return error instanceof DiamondPayApiError && error.errorCode === GatewayErrorCode.ORDER_NOT_FOUND;
}

/** Creates a reconciler over the receiver's ledger. */
export function createReconciler<Ctx = undefined>(options: ReconcilerOptions<Ctx>): Reconciler {
  const ledger = options.ledger ?? options.receiver?.ledger;
  const schedule = options.schedule ?? DEFAULT_RECONCILE_SCHEDULE;
  const repeatMs = options.repeatMs ?? HOUR;
  const horizonMs = options.horizonMs ?? DEFAULT_RECONCILE_HORIZON_MS;
  const batchSize = options.batchSize ?? 50;
  const concurrency = options.concurrency ?? 4;
  const leaseMs = options.leaseMs ?? 5 * MINUTE;
  const now = options.now ?? Date.now;
  const issues: ValidationIssue[] = [];
  if (!options.client?.deposits || typeof options.client.deposits.retrieve !== 'function') {
    issues.push({
      field: 'client',
      rule: 'required',
      message: 'must be a DiamondPay client (deposits.retrieve)',
    });
  }
  if (!options.receiver || typeof options.receiver.applyQueried !== 'function') {
    issues.push({ field: 'receiver', rule: 'required', message: 'must be a notification receiver' });
  } else if (!options.receiver.ledger) {
    issues.push({
      field: 'receiver',
      rule: 'requires_ledger',
      message: 'must be created with a ledger (createNotificationReceiver({ ..., ledger }))',
    });
  } else if (options.ledger && options.ledger !== options.receiver.ledger) {
    issues.push({ field: 'ledger', rule: 'same_ledger', message: "must be the receiver's ledger" });
  }
  const ascending = schedule.every(
    (v, i) => Number.isFinite(v) && v > 0 && (i === 0 || v > schedule[i - 1]!),
  );
  if (!Array.isArray(schedule) || !ascending) {
    issues.push({
      field: 'schedule',
      rule: 'ascending',
      message: 'must be positive milliseconds in ascending order',
    });
  }
  const positive = { repeatMs, horizonMs, batchSize, concurrency, leaseMs } as const;
  for (const [field, value] of Object.entries(positive)) {
    if (!Number.isInteger(value) || value <= 0) {
      issues.push({ field, rule: 'positive', message: 'must be a positive integer' });
    }
  }
  const pruneAfterMs = options.pruneInboxAfterMs;
  if (pruneAfterMs !== undefined) {
    if (!Number.isSafeInteger(pruneAfterMs) || pruneAfterMs < DAY) {
      issues.push({
        field: 'pruneInboxAfterMs',
        rule: 'min',
        message: 'must be a whole number of milliseconds of at least 86400000 (one day)',
      });
    } else if (ledger && typeof ledger.pruneInbox !== 'function') {
      issues.push({
        field: 'pruneInboxAfterMs',
        rule: 'requires_prune',
        message: 'needs a ledger with pruneInbox (MemoryLedger, @diamondpay/postgres)',
      });
    }
  }
  if (issues.length > 0) {
    throw new DiamondPayValidationError(issues, 'Invalid reconciler options', 'configuration_error');
  }
  const theLedger = ledger as Ledger;
  const receiver = options.receiver;

  const reportError = (error: unknown, order: LedgerOrder | undefined): void => {
    try {
      options.onError?.(error, order);
    } catch {
      // A failing logger must not stop the pass.
    }
  };

  // One query per kind; adding a kind is adding an entry.
  const queries: Record<LedgerOrderKind, (order: LedgerOrder) => Promise<QueryResult>> = {
    deposit: async (order) => {
      try {
        const record = await options.client.deposits.retrieve(order.cl_id);
        return { found: { ...record, kind: 'deposit' } };
      } catch (error) {
        if (isNotFound(error)) return { found: undefined };
        throw error;
      }
    },
    payout: async (order) => {
      const payouts = options.client.payouts;
      if (!payouts) throw new Error('this client cannot query payouts (client.payouts.retrieve)');
      try {
        const record = await payouts.retrieve(order.cl_id);
        return { found: { ...record, kind: 'payout' } };
      } catch (error) {
        if (isNotFound(error)) return { found: undefined };
        throw error;
      }
    },
  };

  type Verdict = 'resolved' | 'pending' | 'unknown';

  async function failed(order: LedgerOrder, checks: number, t: number, error: unknown): Promise<Verdict> {
    reportError(error, order);
    // A failed query is no evidence either way: keep checking, past the horizon too.
    await theLedger
      .scheduleCheck(order, t + failureBackoff(checks), checks, t)
      .catch((e) => reportError(e, order));
    return 'unknown';
  }

  async function check(order: LedgerOrder): Promise<Verdict> {
    const t = now();
    const checks = order.checks + 1;
    const next = nextCheckAt(order.created_at, t, schedule, repeatMs, horizonMs);
    let result: QueryResult;
    try {
      result = await queries[order.kind](order);
    } catch (error) {
      return failed(order, checks, t, error);
    }
    try {
      const queried = result.found;
      if (!queried) {
        const creating = order.create_state === 'sending' || order.create_state === 'unknown';
        if (next === null && creating) {
          await theLedger.finishCreate(
            order,
            { state: 'refused', error_code: null, error_msg: NEVER_CREATED_MESSAGE },
            t,
          );
          await theLedger.scheduleCheck(order, null, checks, t);
          return 'resolved';
        }
        if (next === null) {
          reportError(
            new Error(
              `the gateway does not have ${order.kind} ${order.cl_id}; checking stopped at the horizon`,
            ),
            order,
          );
        }
        await theLedger.scheduleCheck(order, next, checks, t);
        return 'pending';
      }
      if (order.create_state === 'sending' || order.create_state === 'unknown') {
        const gateway_id = queried.kind === 'deposit' ? queried.payment_id : queried.payout_id;
        await theLedger.finishCreate(order, { state: 'created', gateway_id, link: null }, t);
      }
      const applied = await receiver.applyQueried(queried, options.context as Ctx);
      if (applied.outcome === 'failed' || applied.outcome === 'rejected' || applied.outcome === 'busy') {
        return failed(
          order,
          checks,
          t,
          applied.error ?? new Error(`the queried status was not applied (${applied.outcome})`),
        );
      }
      const after = await theLedger.getOrder(order);
      if (after?.final) {
        await theLedger.scheduleCheck(order, null, checks, t);
        return 'resolved';
      }
      await theLedger.scheduleCheck(order, next, checks, t);
      return 'pending';
    } catch (error) {
      return failed(order, checks, t, error);
    }
  }

  const platformId = options.client.platformId;

  async function runOnce(): Promise<ReconcileReport> {
    const report: ReconcileReport = { checked: 0, resolved: 0, pending: 0, unknown: 0 };
    const claimed = await theLedger.claimDueChecks(now(), batchSize, leaseMs);
    let index = 0;
    const worker = async () => {
      while (index < claimed.length) {
        const order = claimed[index++]!;
        if (platformId !== undefined && order.platform_id !== platformId) {
          // Another merchant's order: give back its schedule untouched.
          await theLedger
            .scheduleCheck(order, order.next_check_at, order.checks, order.updated_at)
            .catch((e) => reportError(e, order));
          continue;
        }
        const verdict = await check(order);
        report.checked++;
        report[verdict]++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, claimed.length) }, worker));
    await pruneIfDue(report);
    return report;
  }

  let lastPrune: number | undefined;

  // After the pass's checks, so a slow delete never delays a payment being found.
  async function pruneIfDue(report: ReconcileReport): Promise<void> {
    if (pruneAfterMs === undefined) return;
    const t = now();
    if (lastPrune !== undefined && t - lastPrune < PRUNE_EVERY_MS) return;
    // Taken before the delete: a pass running meanwhile does not prune too; a failed prune waits an hour.
    lastPrune = t;
    try {
      report.pruned = await theLedger.pruneInbox!(t - pruneAfterMs);
    } catch (error) {
      reportError(error, undefined);
    }
  }

  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;

  function schedulePass(intervalMs: number): void {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      running = runOnce()
        .then(
          () => undefined,
          (error: unknown) => reportError(error, undefined),
        )
        .finally(() => {
          running = undefined;
          schedulePass(intervalMs);
        });
    }, intervalMs);
    (timer as { unref?: () => void }).unref?.();
  }

  return {
    runOnce,
    start({ intervalMs }) {
      if (!Number.isInteger(intervalMs) || intervalMs <= 0) {
        throw new DiamondPayValidationError(
          [{ field: 'intervalMs', rule: 'positive', message: 'must be a positive integer of milliseconds' }],
          'Invalid reconciler start options',
          'configuration_error',
        );
      }
      if (!stopped) return;
      stopped = false;
      schedulePass(intervalMs);
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
