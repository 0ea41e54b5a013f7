// The create outbox, for deposits and payouts alike: with a ledger, the intent is recorded (state
// `sending`) before the first request and the outcome after it, so a process that dies mid-request
// leaves a row the reconciler resolves, and a create repeated under the same id is answered from the
// record or by query, never resent blindly. What differs per resource is the small `OutboxSpec`.
import {
  DiamondPayApiError,
  DiamondPayLedgerConflictError,
  DiamondPayOrderRefusedError,
  DiamondPayOutcomeUnknownError,
} from '../errors.js';
import type { Ledger, LedgerCreateResult, LedgerOrder, LedgerOrderRef } from '../notifications/ledger.js';
import { DEFAULT_RECONCILE_SCHEDULE } from '../notifications/reconciler.js';
import { GatewayErrorCode } from '../protocol/constants.js';
import type { CreateOutcome } from './create-once.js';

/** What the outbox needs to know of one create. Amount in cents. */
export interface CreateIntent {
  platformId: string;
  clId: string;
  amount: number;
  serviceId: string;
  notifyUrl: string | null;
  /** The other signed fields as sent (payer or beneficiary fields, extra params). */
  fields: Record<string, string | number>;
}

/** What differs between the resources: how to read ids from their answers, and what a repeat returns. */
export interface OutboxSpec<Created, Rec extends { amount: number }, Answer> {
  kind: 'deposit' | 'payout';
  /** The gateway's id and cashier link (if any) from a create's answer. */
  created(result: Created): { gateway_id: string; link: string | null };
  /** The gateway's id of a queried record. */
  recordId(record: Rec): string;
  /** The answer for a row recorded `created`/`external` with its gateway id (or the typed error). */
  recorded(order: LedgerOrder & { gateway_id: string }, intent: CreateIntent): Answer;
  /** The answer for an earlier create found by query (or the typed error). */
  found(record: Rec, intent: CreateIntent): Answer;
  /** The error for a queried record whose amount is not the one asked for. */
  conflict(intent: CreateIntent, record: Rec): Error;
}

/** One create through the outbox: the spec, the intent, the clock (ms), the query and the send. */
export interface OutboxCreate<Created, Rec extends { amount: number }, Answer> {
  ledger: Ledger | undefined;
  spec: OutboxSpec<Created, Rec, Answer>;
  intent: () => CreateIntent;
  now: () => number;
  lookup: () => Promise<Rec>;
  send: () => Promise<CreateOutcome<Created, Rec>>;
}

/**
 * Sends a create, through the outbox when there is a ledger. Resolves the gateway's outcome, or an
 * answer (or a typed error) from what the ledger already holds, in which case nothing was sent.
 */
export async function createThroughOutbox<Created, Rec extends { amount: number }, Answer>(
  c: OutboxCreate<Created, Rec, Answer>,
): Promise<{ answer: Answer } | { outcome: CreateOutcome<Created, Rec> }> {
  const { ledger, spec } = c;
  if (!ledger) return { outcome: await c.send() };
  const intent = c.intent();
  const ref: LedgerOrderRef = { kind: spec.kind, platform_id: intent.platformId, cl_id: intent.clId };
  const now = c.now();
  const begun = await ledger.beginCreate({
    ...ref,
    amount: intent.amount,
    service_id: intent.serviceId,
    notify_url: intent.notifyUrl,
    intent: Object.keys(intent.fields).length > 0 ? intent.fields : null,
    now,
    next_check_at: now + (DEFAULT_RECONCILE_SCHEDULE[0] ?? 60_000),
  });
  if (!begun.inserted) return { answer: await fromRecord(c, ref, intent, begun.order, now) };
  // A ledger that fails when the outcome is recorded leaves the row `sending`: the reconciler resolves
  // it by query, so the caller still gets the gateway's answer (a cashier link is not thrown away).
  const finish = (result: LedgerCreateResult) =>
    ledger.finishCreate(ref, result, c.now()).catch(() => undefined);
  let outcome: CreateOutcome<Created, Rec>;
  try {
    outcome = await c.send();
  } catch (error) {
    // createOnce rejects only for an abort before anything was sent.
    await finish({ state: 'not_sent' });
    throw error;
  }
  await finish(ledgerResult(spec, outcome));
  return { outcome };
}

/** The answer to a create for an order the ledger already holds: never a second request. */
async function fromRecord<Created, Rec extends { amount: number }, Answer>(
  c: OutboxCreate<Created, Rec, Answer>,
  ref: LedgerOrderRef,
  intent: CreateIntent,
  order: LedgerOrder,
  now: number,
): Promise<Answer> {
  const { kind } = c.spec;
  if (order.amount !== null && (order.amount !== intent.amount || order.service_id !== intent.serviceId)) {
    throw new DiamondPayLedgerConflictError(
      intent.clId,
      { amount: order.amount, service_id: order.service_id },
      { amount: intent.amount, service_id: intent.serviceId },
      kind,
    );
  }
  if (order.create_state === 'refused')
    throw new DiamondPayOrderRefusedError(intent.clId, order.error_code, order.error_msg, kind);
  // Accepted before (or first heard of from a notification): the record answers.
  const gatewayId = order.gateway_id;
  if ((order.create_state === 'created' || order.create_state === 'external') && gatewayId !== null)
    return c.spec.recorded({ ...order, gateway_id: gatewayId }, intent);
  // `sending` or `unknown` (or a created row without its id): ask the gateway, do not resend.
  let record: Rec;
  try {
    record = await c.lookup();
  } catch (error) {
    const notFound =
      error instanceof DiamondPayApiError && error.errorCode === GatewayErrorCode.ORDER_NOT_FOUND;
    const earlier = `an earlier create of this ${kind === 'deposit' ? 'id' : 'payout'} is recorded as "${order.create_state}"`;
    throw new DiamondPayOutcomeUnknownError(
      intent.clId,
      notFound
        ? `${earlier} and the gateway does not have it (yet); ` +
            'it is not resent: the reconciler records it refused if it never appears'
        : `${earlier} and the query failed`,
      error,
      kind,
    );
  }
  if (record.amount !== intent.amount) throw c.spec.conflict(intent, record);
  await c.ledger?.finishCreate(
    ref,
    { state: 'created', gateway_id: c.spec.recordId(record), link: null },
    now,
  );
  return c.spec.found(record, intent);
}

/** What the ledger records for a create's outcome. */
function ledgerResult<Created, Rec extends { amount: number }>(
  spec: OutboxSpec<Created, Rec, unknown>,
  outcome: CreateOutcome<Created, Rec>,
): LedgerCreateResult {
  switch (outcome.kind) {
    case 'created':
      return { state: 'created', ...spec.created(outcome.result) };
    case 'found':
      return { state: 'created', gateway_id: spec.recordId(outcome.record), link: null };
    case 'conflict':
      // The gateway holds another order under this id: ours was not created.
      return {
        state: 'refused',
        error_code: null,
        error_msg: `another ${spec.kind === 'deposit' ? 'order' : 'payout'} (${spec.recordId(outcome.record)}, ${outcome.record.amount} cents) exists under this id`,
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
