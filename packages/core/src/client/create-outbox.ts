// The create outbox: with a ledger, the intent is recorded (state `sending`) before the first request
// and the outcome after it, so a process that dies mid-request leaves a row the reconciler resolves,
// and a create repeated under the same id is answered from the record, never resent blindly.
import {
  DiamondPayApiError,
  DiamondPayDepositConflictError,
  DiamondPayDepositDetailsLostError,
  DiamondPayLedgerConflictError,
  DiamondPayOrderRefusedError,
  DiamondPayOutcomeUnknownError,
} from '../errors.js';
import type { Ledger, LedgerCreateResult, LedgerOrder, LedgerOrderRef } from '../notifications/ledger.js';
import { DEFAULT_RECONCILE_SCHEDULE } from '../notifications/reconciler.js';
import { GatewayErrorCode } from '../protocol/constants.js';
import type { CreateOutcome } from './create-once.js';

/** What the outbox needs to know of one deposit create. Amount in cents. */
export interface DepositIntent {
  platformId: string;
  clId: string;
  amount: number;
  serviceId: string;
  notifyUrl: string;
  /** The other signed fields as sent (payer fields, extra params). */
  fields: Record<string, string | number>;
}

/** The part of a created deposit the ledger keeps, and returns for a repeated create. */
export interface RecordedDeposit {
  link: string;
  payment_id: string;
  payment_cl_id: string;
  amount: number;
}

type GatewayRecord = { payment_id: string; payment_cl_id: string; amount: number; status: number };

function refOf(intent: DepositIntent): LedgerOrderRef {
  return { kind: 'deposit', platform_id: intent.platformId, cl_id: intent.clId };
}

/**
 * Records the intent before anything is sent. Resolves `send` when the order is new, or a result
 * (or a typed error) from what the ledger already holds.
 */
export async function beginDeposit(
  ledger: Ledger,
  intent: DepositIntent,
  now: number,
  lookup: () => Promise<GatewayRecord>,
): Promise<{ send: true } | { send: false; result: RecordedDeposit }> {
  const begun = await ledger.beginCreate({
    ...refOf(intent),
    amount: intent.amount,
    service_id: intent.serviceId,
    notify_url: intent.notifyUrl,
    intent: Object.keys(intent.fields).length > 0 ? intent.fields : null,
    now,
    next_check_at: now + (DEFAULT_RECONCILE_SCHEDULE[0] ?? 60_000),
  });
  if (begun.inserted) return { send: true };
  return { send: false, result: await fromRecord(ledger, intent, begun.order, now, lookup) };
}

/** The answer to a create for an order the ledger already holds: never a second request. */
async function fromRecord(
  ledger: Ledger,
  intent: DepositIntent,
  order: LedgerOrder,
  now: number,
  lookup: () => Promise<GatewayRecord>,
): Promise<RecordedDeposit> {
  if (order.amount !== null && (order.amount !== intent.amount || order.service_id !== intent.serviceId)) {
    throw new DiamondPayLedgerConflictError(
      intent.clId,
      { amount: order.amount, service_id: order.service_id },
      { amount: intent.amount, service_id: intent.serviceId },
    );
  }
  const gatewayRecord = (id: string): GatewayRecord => ({
    payment_id: id,
    payment_cl_id: intent.clId,
    amount: order.amount ?? intent.amount,
    status: order.status ?? 0,
  });
  switch (order.create_state) {
    case 'refused':
      throw new DiamondPayOrderRefusedError(intent.clId, order.error_code, order.error_msg);
    case 'created':
    case 'external':
      if (order.gateway_id !== null && order.link !== null) {
        return {
          link: order.link,
          payment_id: order.gateway_id,
          payment_cl_id: intent.clId,
          amount: intent.amount,
        };
      }
      if (order.gateway_id !== null) {
        throw new DiamondPayDepositDetailsLostError(
          intent.clId,
          order.gateway_id,
          gatewayRecord(order.gateway_id),
        );
      }
      break;
  }
  // `sending` or `unknown` (or a created row without its id): ask the gateway, do not resend.
  let record: GatewayRecord;
  try {
    record = await lookup();
  } catch (error) {
    if (error instanceof DiamondPayApiError && error.errorCode === GatewayErrorCode.ORDER_NOT_FOUND) {
      throw new DiamondPayOutcomeUnknownError(
        intent.clId,
        `an earlier create of this id is recorded as "${order.create_state}" and the gateway does not have it (yet); ` +
          'it is not resent: the reconciler records it refused if it never appears',
        error,
      );
    }
    throw new DiamondPayOutcomeUnknownError(
      intent.clId,
      `an earlier create of this id is recorded as "${order.create_state}" and the query failed`,
      error,
    );
  }
  if (record.amount !== intent.amount)
    throw new DiamondPayDepositConflictError(intent.clId, intent.amount, record);
  await ledger.finishCreate(
    refOf(intent),
    { state: 'created', gateway_id: record.payment_id, link: null },
    now,
  );
  throw new DiamondPayDepositDetailsLostError(intent.clId, record.payment_id, record);
}

/** What the ledger records for a create's outcome. */
export function ledgerResult<Rec extends GatewayRecord>(
  outcome: CreateOutcome<{ payment_id: string; link: string }, Rec>,
): LedgerCreateResult {
  switch (outcome.kind) {
    case 'created':
      return { state: 'created', gateway_id: outcome.result.payment_id, link: outcome.result.link };
    case 'found':
      return { state: 'created', gateway_id: outcome.record.payment_id, link: null };
    case 'conflict':
      // The gateway holds another order under this id: ours was not created.
      return {
        state: 'refused',
        error_code: null,
        error_msg: `another order (${outcome.record.payment_id}, ${outcome.record.amount} cents) exists under this id`,
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

/**
 * Records the outcome. A ledger that fails here leaves the row `sending`: the reconciler resolves it
 * by query, so the caller still gets the gateway's answer (the cashier link is not thrown away).
 */
export async function finishDeposit(
  ledger: Ledger,
  intent: DepositIntent,
  result: LedgerCreateResult,
  now: number,
): Promise<void> {
  await ledger.finishCreate(refOf(intent), result, now).catch(() => undefined);
}
