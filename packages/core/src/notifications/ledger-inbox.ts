// The receiver's path when a Ledger is configured: one database transaction per notification, in
// which the inbox row, the order's state and the merchant's own writes commit or roll back together.
// The reply is decided from what committed, so an acknowledgement always means "recorded for good".

import { depositOutcome, payoutOutcome } from '../protocol/status.js';
import type {
  Ledger,
  LedgerInboxEntry,
  LedgerOrder,
  LedgerOrderRef,
  LedgerOrderUpdate,
  LedgerTransaction,
  SyncLedgerUnit,
} from './ledger.js';
import {
  type DiscrepancyReason,
  decideTransition,
  type ObservedStatus,
  type OrderDecision,
} from './order-state.js';
import { isPromiseLike } from './promise-like.js';
import type { DepositNotification, Notification, PayoutNotification } from './verify.js';

/** Where a status came from: a gateway delivery, or the reconciler's query. */
export type LedgerSource = 'notification' | 'reconciliation';

/** The third argument of a handler when a ledger is configured. */
export interface LedgerHandlerContext {
  /** The notification's transaction: run your own SQL here, it commits or rolls back with the record. */
  tx: LedgerTransaction;
  /**
   * The order as it will be committed, with the create intent it was made with (`amount`,
   * `service_id`, `intent`; null when it was created elsewhere): compare `real_amount` with `amount`
   * to spot an underpayment.
   */
  order: LedgerOrder;
  /** `reconciliation` when the reconciler found this status by query (the notification was lost). */
  source: LedgerSource;
}

/** A notification handler with the ledger's transaction. Throw to roll everything back (the gateway retries). */
export type LedgerNotificationHandler<N, Ctx> = (
  notification: N,
  context: Ctx,
  ledger: LedgerHandlerContext,
) => unknown;

/** A status that contradicts what the ledger recorded: never credited automatically. */
export interface DiscrepancyEvent {
  reason: DiscrepancyReason;
  /** What happened, in words (ids, statuses and amounts; never a key). */
  message: string;
  /** The status as it arrived (for a reconciliation: as the query found it, unsigned). */
  notification: Notification;
  /** The order as recorded before this status. */
  recorded: LedgerOrder;
  source: LedgerSource;
}

/** Runs instead of `onDeposit`/`onPayout` for a discrepancy, in the same transaction. Throw to roll back. */
export type DiscrepancyHandler<Ctx> = (
  event: DiscrepancyEvent,
  context: Ctx,
  ledger: LedgerHandlerContext,
) => unknown;

/** What the ledger path did with one notification. */
export type LedgerInboxResult =
  | { outcome: 'applied' | 'stale' | 'discrepancy'; order: LedgerOrder }
  | { outcome: 'duplicate' }
  | { outcome: 'handler_failed' | 'ledger_unavailable'; error: unknown };

export interface LedgerInboxOptions<Ctx> {
  ledger: Ledger;
  onDeposit?: LedgerNotificationHandler<DepositNotification, Ctx> | undefined;
  onPayout?: LedgerNotificationHandler<PayoutNotification, Ctx> | undefined;
  onDiscrepancy?: DiscrepancyHandler<Ctx> | undefined;
  now: () => number;
  /** When an order first heard of by a waiting status is first checked by the reconciler, ms from now. */
  firstCheckDelayMs: number;
}

/** The default `onDiscrepancy`: a warning with ids and statuses (no key, no signature). */
export function warnDiscrepancy(event: DiscrepancyEvent): void {
  console.warn(`[diamondpay] discrepancy (${event.reason}, ${event.source}): ${event.message}`);
}

function refOf(n: Notification): LedgerOrderRef {
  return n.kind === 'deposit'
    ? { kind: 'deposit', platform_id: n.platform_id, cl_id: n.payment_cl_id }
    : { kind: 'payout', platform_id: n.platform_id, cl_id: n.payout_cl_id };
}

function observedOf(n: Notification): ObservedStatus {
  return n.kind === 'deposit'
    ? { gateway_id: n.payment_id, status: n.status, amount: n.amount, real_amount: n.real_amount, fee: n.fee }
    : { gateway_id: n.payout_id, status: n.status, amount: n.amount, fee: n.fee };
}

const DUPLICATE: LedgerInboxResult = Object.freeze({ outcome: 'duplicate' });

/** What one status does to the recorded order: the decision, the update to write, the order after it. */
interface Step {
  decision: OrderDecision;
  update: LedgerOrderUpdate;
  after: LedgerOrder;
}

/**
 * Builds the ledger path: `process` runs one notification in one ledger transaction. A Ledger
 * implementation carries this function as `[LEDGER_INBOX]`; the receiver calls it.
 */
export function createLedgerInbox<Ctx>(options: LedgerInboxOptions<Ctx>) {
  const { ledger, now } = options;
  const onDiscrepancy = options.onDiscrepancy ?? warnDiscrepancy;

  const entryOf = (
    key: string,
    ref: LedgerOrderRef,
    observed: ObservedStatus,
    source: LedgerSource,
    received_at: number,
  ): LedgerInboxEntry => ({
    key,
    order: ref,
    gateway_id: observed.gateway_id,
    status: observed.status,
    source,
    // The common outcome, so a ledger can write the row once; setInboxEffect corrects it when the
    // status turns out stale or a discrepancy (all before commit).
    effect: 'applied',
    received_at,
  });

  function stepFor(recorded: LedgerOrder, observed: ObservedStatus, receivedAt: number): Step {
    const decision = decideTransition(recorded, observed);
    const update: LedgerOrderUpdate = { ...decision.changes, updated_at: receivedAt };
    const after: LedgerOrder = { ...recorded, ...update };
    // An order still open that nothing schedules (first heard of here, or past the reconciler's
    // horizon) is checked again, so a lost final notification is found.
    if (!after.final && after.next_check_at === null && after.create_state !== 'refused') {
      update.next_check_at = receivedAt + options.firstCheckDelayMs;
      after.next_check_at = update.next_check_at;
    }
    return { decision, update, after };
  }

  // Runs the merchant's code the decision calls for; returns what it returned (maybe a promise).
  function invoke(
    step: Step,
    recorded: LedgerOrder,
    notification: Notification,
    context: Ctx,
    tx: LedgerTransaction,
    source: LedgerSource,
  ): unknown {
    const { decision } = step;
    const handlerContext: LedgerHandlerContext = { tx, order: step.after, source };
    if (decision.effect === 'applied') {
      if (notification.kind === 'deposit') {
        if (!options.onDeposit) throw new Error('no onDeposit handler is configured');
        return options.onDeposit(notification, context, handlerContext);
      }
      if (!options.onPayout) throw new Error('no onPayout handler is configured');
      return options.onPayout(notification, context, handlerContext);
    }
    if (decision.effect === 'discrepancy') {
      const event: DiscrepancyEvent = {
        reason: decision.reason,
        message: decision.message,
        notification,
        recorded,
        source,
      };
      return onDiscrepancy(event, context, handlerContext);
    }
    return undefined;
  }

  /** Runs one notification; synchronously when the ledger can begin its transaction at once. */
  function process(
    key: string,
    notification: Notification,
    context: Ctx,
    source: LedgerSource,
  ): LedgerInboxResult | Promise<LedgerInboxResult> {
    const ref = refOf(notification);
    const unit = ledger.beginUncontended?.(key, ref);
    return unit
      ? processNow(unit, key, ref, notification, context, source)
      : processInTransaction(key, ref, notification, context, source);
  }

  function processNow(
    unit: SyncLedgerUnit,
    key: string,
    ref: LedgerOrderRef,
    notification: Notification,
    context: Ctx,
    source: LedgerSource,
  ): LedgerInboxResult | Promise<LedgerInboxResult> {
    const observed = observedOf(notification);
    let step: Step;
    let recorded: LedgerOrder;
    try {
      const receivedAt = now();
      if (!unit.recordInbox(entryOf(key, ref, observed, source, receivedAt))) {
        unit.end();
        return DUPLICATE;
      }
      recorded = unit.lockOrder(ref, observed.gateway_id, receivedAt);
      step = stepFor(recorded, observed, receivedAt);
      unit.updateOrder(ref, step.update);
      unit.setInboxEffect(key, step.decision.effect);
    } catch (error) {
      unit.end();
      return { outcome: 'ledger_unavailable', error };
    }
    let ran: unknown;
    try {
      ran = invoke(step, recorded, notification, context, unit.tx, source);
    } catch (error) {
      unit.end();
      return { outcome: 'handler_failed', error };
    }
    const commit = (): LedgerInboxResult => {
      unit.commit();
      unit.end();
      return { outcome: step.decision.effect, order: step.after };
    };
    if (!isPromiseLike(ran)) return commit();
    // The locks stay held while the handler's promise runs: copies wait, as on a database.
    return Promise.resolve(ran).then(commit, (error: unknown) => {
      unit.end();
      return { outcome: 'handler_failed', error };
    });
  }

  async function processInTransaction(
    key: string,
    ref: LedgerOrderRef,
    notification: Notification,
    context: Ctx,
    source: LedgerSource,
  ): Promise<LedgerInboxResult> {
    const observed = observedOf(notification);
    // Tells a throw of the merchant's code (500, retry) from the ledger failing (503, retry later).
    let handlerThrew = false;
    try {
      return await ledger.transaction(async (unit): Promise<LedgerInboxResult> => {
        const receivedAt = now();
        const fresh = await unit.recordInbox(entryOf(key, ref, observed, source, receivedAt));
        if (!fresh) return DUPLICATE;
        const recorded = await unit.lockOrder(ref, observed.gateway_id, receivedAt);
        const step = stepFor(recorded, observed, receivedAt);
        await unit.updateOrder(ref, step.update);
        await unit.setInboxEffect(key, step.decision.effect);
        try {
          await invoke(step, recorded, notification, context, unit.tx, source);
        } catch (error) {
          handlerThrew = true;
          throw error;
        }
        return { outcome: step.decision.effect, order: step.after };
      });
    } catch (error) {
      return { outcome: handlerThrew ? 'handler_failed' : 'ledger_unavailable', error };
    }
  }

  // notificationFromQuery rides along, so a receiver without a ledger does not carry it either.
  return { process, notificationFromQuery };
}

/** A deposit as the gateway's query returned it (`client.deposits.retrieve`). Amounts in cents. */
export interface QueriedDeposit {
  kind: 'deposit';
  payment_id: string;
  payment_cl_id: string;
  amount: number;
  real_amount?: number | undefined;
  fee?: number | undefined;
  status: number;
  payment_cl_name?: string | undefined;
  /** Unix seconds. */
  create_time?: number | undefined;
  /** Unix seconds; 0 or absent until paid. */
  success_time?: number | undefined;
}

/** A payout as the gateway's query returned it. Amounts in cents. */
export interface QueriedPayout {
  kind: 'payout';
  payout_id: string;
  payout_cl_id: string;
  amount: number;
  fee?: number | undefined;
  status: number;
  /** Unix seconds. */
  create_time?: number | undefined;
  /** Unix seconds. */
  update_time?: number | undefined;
  error_msg?: string | undefined;
}

/** What the reconciler found by query, fed to `receiver.applyQueried`. */
export type QueriedOrder = QueriedDeposit | QueriedPayout;

/**
 * The notification a queried status stands for, so the handler sees one shape whichever way the
 * status arrived. It is not signed (`sign` is empty): it comes from the merchant's own authenticated
 * query. `update_time` is the query's time when the gateway gives none (Unix seconds).
 */
export function notificationFromQuery(
  queried: QueriedOrder,
  platformId: string,
  nowMs: number,
): Notification {
  const nowSeconds = Math.floor(nowMs / 1000);
  if (queried.kind === 'deposit') {
    const n: DepositNotification = {
      kind: 'deposit',
      payment_id: queried.payment_id,
      payment_cl_id: queried.payment_cl_id,
      platform_id: platformId,
      amount: queried.amount,
      real_amount: queried.real_amount ?? 0,
      fee: queried.fee ?? 0,
      status: queried.status,
      create_time: queried.create_time ?? 0,
      update_time: queried.success_time || nowSeconds,
      sign: '',
      outcome: depositOutcome(queried.status),
      extra: {},
    };
    if (queried.payment_cl_name !== undefined) n.payment_cl_name = queried.payment_cl_name;
    return n;
  }
  const n: PayoutNotification = {
    kind: 'payout',
    payout_id: queried.payout_id,
    payout_cl_id: queried.payout_cl_id,
    platform_id: platformId,
    amount: queried.amount,
    fee: queried.fee ?? 0,
    status: queried.status,
    create_time: queried.create_time ?? 0,
    update_time: queried.update_time || nowSeconds,
    sign: '',
    outcome: payoutOutcome(queried.status),
    extra: {},
  };
  if (queried.error_msg !== undefined) n.error_msg = queried.error_msg;
  return n;
}
