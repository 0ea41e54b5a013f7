// The create outbox for payouts, as for deposits (create-outbox.ts): with a ledger, the intent is
// recorded (`sending`) before the request and the outcome after it; a payout created again under the
// same id is answered from the record or by query, never sent a second time.
import {
  DiamondPayApiError,
  DiamondPayLedgerConflictError,
  DiamondPayOrderRefusedError,
  DiamondPayOutcomeUnknownError,
  DiamondPayPayoutConflictError,
} from '../errors.js';
import type { Ledger, LedgerCreateResult, LedgerOrder, LedgerOrderRef } from '../notifications/ledger.js';
import { DEFAULT_RECONCILE_SCHEDULE } from '../notifications/reconciler.js';
import { GatewayErrorCode } from '../protocol/constants.js';
import type { CreateOutcome } from './create-once.js';

/** What the outbox needs to know of one payout create. Amount in cents. */
export interface PayoutIntent {
  platformId: string;
  clId: string;
  amount: number;
  serviceId: string;
  notifyUrl: string | null;
  /** The other signed fields as sent: bank_name, name, number, phone_number, currency. */
  fields: Record<string, string | number>;
}

type GatewayPayout = { payout_id: string; payout_cl_id: string; amount: number; status: number };

function refOf(intent: PayoutIntent): LedgerOrderRef {
  return { kind: 'payout', platform_id: intent.platformId, cl_id: intent.clId };
}

/**
 * Records the intent before anything is sent. Resolves `send` when the payout is new, or its
 * `{ payout_id }` (or a typed error) from what the ledger already holds.
 */
export async function beginPayout(
  ledger: Ledger,
  intent: PayoutIntent,
  now: number,
  lookup: () => Promise<GatewayPayout>,
): Promise<{ send: true } | { send: false; result: { payout_id: string } }> {
  const begun = await ledger.beginCreate({
    ...refOf(intent),
    amount: intent.amount,
    service_id: intent.serviceId,
    notify_url: intent.notifyUrl,
    intent: intent.fields,
    now,
    next_check_at: now + (DEFAULT_RECONCILE_SCHEDULE[0] ?? 60_000),
  });
  if (begun.inserted) return { send: true };
  return { send: false, result: await fromRecord(ledger, intent, begun.order, now, lookup) };
}

/** The answer to a create for a payout the ledger already holds: never a second request. */
async function fromRecord(
  ledger: Ledger,
  intent: PayoutIntent,
  order: LedgerOrder,
  now: number,
  lookup: () => Promise<GatewayPayout>,
): Promise<{ payout_id: string }> {
  if (order.amount !== null && (order.amount !== intent.amount || order.service_id !== intent.serviceId)) {
    throw new DiamondPayLedgerConflictError(
      intent.clId,
      { amount: order.amount, service_id: order.service_id },
      { amount: intent.amount, service_id: intent.serviceId },
      'payout',
    );
  }
  if (order.create_state === 'refused')
    throw new DiamondPayOrderRefusedError(intent.clId, order.error_code, order.error_msg, 'payout');
  // Accepted before (or first heard of from a notification): its id is all a create answers.
  if ((order.create_state === 'created' || order.create_state === 'external') && order.gateway_id !== null)
    return { payout_id: order.gateway_id };
  // `sending` or `unknown`: ask the gateway, never resend.
  let record: GatewayPayout;
  try {
    record = await lookup();
  } catch (error) {
    const notFound =
      error instanceof DiamondPayApiError && error.errorCode === GatewayErrorCode.ORDER_NOT_FOUND;
    throw new DiamondPayOutcomeUnknownError(
      intent.clId,
      notFound
        ? `an earlier create of this payout is recorded as "${order.create_state}" and the gateway does not have it (yet); ` +
            'it is not resent: the reconciler records it refused if it never appears'
        : `an earlier create of this payout is recorded as "${order.create_state}" and the query failed`,
      error,
      'payout',
    );
  }
  if (record.amount !== intent.amount)
    throw new DiamondPayPayoutConflictError(intent.clId, intent.amount, record);
  await ledger.finishCreate(
    refOf(intent),
    { state: 'created', gateway_id: record.payout_id, link: null },
    now,
  );
  return { payout_id: record.payout_id };
}

/** What the ledger records for a payout create's outcome. */
export function payoutLedgerResult(
  outcome: CreateOutcome<{ payout_id: string }, GatewayPayout>,
): LedgerCreateResult {
  switch (outcome.kind) {
    case 'created':
      return { state: 'created', gateway_id: outcome.result.payout_id, link: null };
    case 'found':
      return { state: 'created', gateway_id: outcome.record.payout_id, link: null };
    case 'conflict':
      // The gateway holds another payout under this id: ours was not accepted.
      return {
        state: 'refused',
        error_code: null,
        error_msg: `another payout (${outcome.record.payout_id}, ${outcome.record.amount} cents) exists under this id`,
      };
    case 'refused':
      return {
        state: 'refused',
        error_code: outcome.error.errorCode ?? null,
        error_msg: outcome.error.errorMsg ?? null,
      };
    case 'not_sent':
      return { state: 'not_sent' };
    case 'unknown':
      return { state: 'unknown' };
  }
}

/** Records the outcome; a ledger failing here leaves the row `sending`, which the reconciler resolves by query. */
export async function finishPayout(
  ledger: Ledger,
  intent: PayoutIntent,
  result: LedgerCreateResult,
  now: number,
): Promise<void> {
  await ledger.finishCreate(refOf(intent), result, now).catch(() => undefined);
}
