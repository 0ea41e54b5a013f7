// Which gateway statuses may move an order, decided once for every Ledger: an order's state only
// moves forward (waiting → final), a final state never changes, and anything that contradicts what
// is recorded is a discrepancy for a person, never a silent credit.
import type { LedgerOrder, LedgerOrderKind, LedgerOrderUpdate } from './ledger.js';

/**
 * Where a status stands. `waiting` statuses are ordered by `rank`; `success` (deposit paid, payout
 * paid out) and `failure` (final, nothing moved) are final; `unknown` is a number this SDK does not know.
 */
export type StatusPhase =
  | { phase: 'waiting'; rank: number }
  | { phase: 'success' }
  | { phase: 'failure' }
  | { phase: 'unknown' };

/** Deposits: 0, 1 waiting (in that order); 2 paid; 3, 4, 5 final not paid; anything else unknown. */
export function depositPhase(status: number): StatusPhase {
  switch (status) {
    case 0:
    case 1:
      return { phase: 'waiting', rank: status };
    case 2:
      return { phase: 'success' };
    case 3:
    case 4:
    case 5:
      return { phase: 'failure' };
    default:
      return { phase: 'unknown' };
  }
}

/**
 * Payouts: 3 paid out; 4, 5 failed; any other number is still in progress (ranked by its value, as
 * the gateway numbers its progress), matching `payoutOutcome`.
 */
export function payoutPhase(status: number): StatusPhase {
  if (status === 3) return { phase: 'success' };
  if (status === 4 || status === 5) return { phase: 'failure' };
  return { phase: 'waiting', rank: status };
}

/** The phase of `status` for an order of `kind`. */
export function statusPhase(kind: LedgerOrderKind, status: number): StatusPhase {
  return kind === 'deposit' ? depositPhase(status) : payoutPhase(status);
}

/** A status the gateway reported, by notification or by query. Amounts in cents. */
export interface ObservedStatus {
  gateway_id: string;
  status: number;
  /** The order amount the gateway reports. */
  amount: number;
  /** Cents received (deposits). */
  real_amount?: number | null | undefined;
  fee?: number | null | undefined;
}

/**
 * `after_final`: the order is final and this status does not contradict it (a waiting status, or
 * another code of the same final kind); `behind`: a waiting status not after the recorded one.
 */
export type StaleReason = 'after_final' | 'behind';

/**
 * `conflicting_final`: a final status of the other kind (paid after cancelled, or the reverse);
 * `amount_mismatch`: the gateway's `amount` differs from the create intent's; `gateway_id_mismatch`:
 * the order is recorded under another gateway id; `unknown_status`: a status number this SDK does
 * not know (never treated as paid).
 */
export type DiscrepancyReason =
  | 'conflicting_final'
  | 'amount_mismatch'
  | 'gateway_id_mismatch'
  | 'unknown_status';

/** The order fields a decision writes (the receiver adds `updated_at`). */
export type OrderChanges = Omit<LedgerOrderUpdate, 'updated_at'>;

/**
 * `applied`: a forward transition, the handler runs; `stale`: recorded, handler not run;
 * `discrepancy`: recorded, `onDiscrepancy` runs instead of the handler. `changes` are written in all
 * cases (empty when nothing moves).
 */
export type OrderDecision =
  | { effect: 'applied'; final: boolean; changes: OrderChanges }
  | { effect: 'stale'; reason: StaleReason; changes: OrderChanges }
  | { effect: 'discrepancy'; reason: DiscrepancyReason; message: string; changes: OrderChanges };

function forward(kind: LedgerOrderKind, observed: ObservedStatus, final: boolean): OrderChanges {
  const changes: OrderChanges = { gateway_id: observed.gateway_id, status: observed.status, final };
  if (observed.fee != null) changes.fee = observed.fee;
  if (kind === 'deposit' && observed.real_amount != null) changes.real_amount = observed.real_amount;
  if (final) changes.next_check_at = null;
  return changes;
}

/** Decides what a reported status does to the recorded order. Pure: no clock, no I/O. */
export function decideTransition(order: LedgerOrder, observed: ObservedStatus): OrderDecision {
  if (order.gateway_id !== null && order.gateway_id !== observed.gateway_id) {
    return {
      effect: 'discrepancy',
      reason: 'gateway_id_mismatch',
      message: `${order.kind} ${order.cl_id} is recorded as gateway order ${order.gateway_id}, but status ${observed.status} came for ${observed.gateway_id}`,
      changes: {},
    };
  }
  const learnId: OrderChanges = order.gateway_id === null ? { gateway_id: observed.gateway_id } : {};
  const next = statusPhase(order.kind, observed.status);
  if (next.phase === 'unknown') {
    return {
      effect: 'discrepancy',
      reason: 'unknown_status',
      message: `${order.kind} ${order.cl_id}: status ${observed.status} is not a status this SDK knows; it was recorded and not treated as paid`,
      changes: learnId,
    };
  }
  if (order.final) {
    const recorded = order.status === null ? undefined : statusPhase(order.kind, order.status).phase;
    const conflicting =
      (recorded === 'success' && next.phase === 'failure') ||
      (recorded === 'failure' && next.phase === 'success');
    if (conflicting) {
      return {
        effect: 'discrepancy',
        reason: 'conflicting_final',
        message: `${order.kind} ${order.cl_id} is final with status ${order.status}, and now status ${observed.status} contradicts it; the recorded state was kept`,
        changes: {},
      };
    }
    return { effect: 'stale', reason: 'after_final', changes: {} };
  }
  const final = next.phase !== 'waiting';
  let behind = false;
  if (next.phase === 'waiting' && order.status !== null) {
    const recorded = statusPhase(order.kind, order.status);
    behind = recorded.phase === 'waiting' && next.rank <= recorded.rank;
  }
  if (order.amount !== null && observed.amount !== order.amount) {
    return {
      effect: 'discrepancy',
      reason: 'amount_mismatch',
      message: `${order.kind} ${order.cl_id} was created for ${order.amount} cents, but the gateway reports an amount of ${observed.amount} cents (status ${observed.status})`,
      // The gateway's progress is still recorded (so a final one stops reconciliation); the handler is not run.
      changes: behind ? learnId : forward(order.kind, observed, final),
    };
  }
  if (behind) return { effect: 'stale', reason: 'behind', changes: learnId };
  return { effect: 'applied', final, changes: forward(order.kind, observed, final) };
}
