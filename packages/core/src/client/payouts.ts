// Payouts (money leaving the merchant to a bank account): create one, query it. The create flow is
// `createOnce`, with one rule stricter than deposits: a payout whose outcome is unknown is never
// sent again, whatever `resendUnknown` says; it is resolved by querying `payout_cl_id`. With a ledger,
// the create outbox (create-outbox.ts) records the intent first, as for deposits.
import {
  type ApiErrorDetails,
  DiamondPayApiError,
  DiamondPayOutcomeUnknownError,
  DiamondPayPayoutConflictError,
  DiamondPayValidationError,
} from '../errors.js';
import { FieldReader } from '../json/field-reader.js';
import type { RawJsonObject } from '../json/raw-json.js';
import { GatewayErrorCode, GatewayPath } from '../protocol/constants.js';
import { validateCreatePayout } from '../protocol/payout-rules.js';
import { CLIENT_ID_PATTERN, CLIENT_ID_RULE_TEXT } from '../protocol/rules.js';
import { type PayoutOutcome, payoutOutcome } from '../protocol/status.js';
import { type CreateOutcome, createOnce, signedCreateBody } from './create-once.js';
import { type CreateIntent, createThroughOutbox, type OutboxSpec } from './create-outbox.js';
import { typed } from './envelope.js';
import type { RequestOptions, RequestSender } from './request-sender.js';

export interface CreatePayoutParams {
  /** Payout service, e.g. `PayoutService.BANK_CARD` (`SVC0004`). Any `SVC` + 4 digits enabled for you. */
  service_id: string;
  /** Your unique payout id (1–64 of `A-Z a-z 0-9 _ . : -`, not only dots). */
  payout_cl_id: string;
  /** Amount in cents (won × 100): `toMinorUnits('50000')` → 5000000. */
  amount: number;
  /** The beneficiary's bank code, ≤ 16 characters (the Korea code list is not published: any code is accepted). */
  bank_name: string;
  /** The beneficiary (account holder), ≤ 16 characters. */
  name: string;
  /** The account number, digits only, ≤ 32. */
  number: string;
  /** The beneficiary's mobile number, digits only: required for `krw` (a Korean mobile, `01…`, 10–11 digits). */
  phone_number?: string | undefined;
  /** Lowercase currency code: `krw` in Korea. */
  currency: string;
  /** Complete http(s) URL the gateway POSTs the payout result to. */
  notify_url?: string | undefined;
}

/** The gateway's answer to an accepted payout: accepted only, not paid out (see `retrieve` and notifications). */
export interface CreatedPayout {
  payout_id: string;
}

export interface PayoutRecord {
  payout_id: string;
  payout_cl_id: string;
  /** Cents. */
  amount: number;
  /** Cents. */
  fee?: number | undefined;
  /** Gateway status code; see `outcome`. */
  status: number;
  /** Why it failed, as the gateway wrote it. */
  error_msg?: string | undefined;
  /** Unix seconds. */
  create_time?: number | undefined;
  /** Unix seconds; 0 or absent until paid out. */
  success_time?: number | undefined;
  /** What `status` means: only `paid_out` means the money left. */
  readonly outcome: PayoutOutcome;
}

function checkPayoutClId(payoutClId: unknown): asserts payoutClId is string {
  if (
    typeof payoutClId !== 'string' ||
    payoutClId === '' ||
    payoutClId.length > 64 ||
    !CLIENT_ID_PATTERN.test(payoutClId)
  ) {
    throw new DiamondPayValidationError(
      [{ field: 'payout_cl_id', rule: 'pattern', message: `must be 1–64 ${CLIENT_ID_RULE_TEXT}` }],
      'Invalid payout query',
    );
  }
}

function toCreatedPayout(data: RawJsonObject, path: string, status: number): CreatedPayout {
  const r = new FieldReader(data);
  return typed(r, { payout_id: r.string('payout_id') }, 'create-payout answer', path, status);
}

function toPayoutRecord(data: RawJsonObject, path: string, status: number): PayoutRecord {
  const r = new FieldReader(data);
  const record = typed(
    r,
    {
      payout_id: r.string('payout_id'),
      payout_cl_id: r.string('payout_cl_id'),
      amount: r.integer('amount'),
      fee: r.optionalInteger('fee'),
      status: r.integer('status'),
      error_msg: r.optionalString('error_msg'),
      create_time: r.optionalInteger('create_time'),
      success_time: r.optionalInteger('success_time'),
    },
    'payout record',
    path,
    status,
  );
  return Object.assign(record, { outcome: payoutOutcome(record.status) });
}

/** `0012` and `0018` say what to do; every other refusal keeps the gateway's words. */
function refusal(error: DiamondPayApiError, params: CreatePayoutParams): DiamondPayApiError {
  const details: ApiErrorDetails = {
    errorCode: error.errorCode,
    errorMsg: error.errorMsg,
    httpStatus: error.httpStatus,
    path: error.path,
  };
  const said = `gateway error ${error.errorCode}${error.errorMsg ? ` "${error.errorMsg}"` : ''}`;
  if (error.errorCode === GatewayErrorCode.BANK_NOT_SUPPORTED)
    return new DiamondPayApiError(
      details,
      `Diamond Pay ${error.path}: ${said}: the gateway does not pay out to bank code "${params.bank_name}". ` +
        'Nothing was paid out. Check the code with your account manager, or pay out to an account at another bank.',
    );
  if (error.errorCode === GatewayErrorCode.INSUFFICIENT_BALANCE)
    return new DiamondPayApiError(
      details,
      `Diamond Pay ${error.path}: ${said}: the available balance (platforms.balance(): total_balance − ` +
        `total_frozen_balance) is below ${params.amount} cents plus the fee. Nothing was paid out. Top up or wait ` +
        'for pending payouts to finish, then create the payout again.',
    );
  return error;
}

/** Payouts (to bank accounts): create one, query it. */
export class Payouts {
  readonly #sender: RequestSender;

  constructor(sender: RequestSender) {
    this.#sender = sender;
  }

  /**
   * Creates a payout (`amount` in cents) and resolves to `{ payout_id }` once the gateway accepted it
   * (accepted, not paid out: the notification or `retrieve` says when it is). Never sends a payout
   * twice: an unknown outcome is resolved by querying `payout_cl_id`, never by resending.
   */
  async create(params: CreatePayoutParams, options: RequestOptions = {}): Promise<CreatedPayout> {
    const config = this.#sender.config;
    validateCreatePayout(params as unknown as Record<string, unknown>);
    const clId = params.payout_cl_id;
    const path = GatewayPath.CREATE_PAYOUT;
    const created = await createThroughOutbox({
      ledger: config.ledger,
      spec: payoutOutbox,
      intent: () => payoutIntent(config.platformId, params),
      now: () => config.now(),
      lookup: () => this.retrieve(clId, options),
      send: () =>
        createOnce<CreatedPayout, PayoutRecord>(
          this.#sender,
          {
            path,
            clId,
            body: () => signedCreateBody(config, { ...params }),
            created: (data, status) => toCreatedPayout(data, path, status),
            // The answer names only the payout_id: there is no order id in it to compare.
            createdId: () => clId,
            lookup: (lookupOptions) => this.retrieve(clId, lookupOptions),
            recordId: (record) => record.payout_cl_id,
            sameOrder: (record) => record.amount === params.amount,
            // Money leaving the merchant: never sent again after an unknown outcome.
            resendUnknown: false,
          },
          options,
        ),
    });
    if ('answer' in created) return created.answer;
    return payoutResult(params, created.outcome);
  }

  /** Queries a payout by your `payout_cl_id`. Throws `DiamondPayApiError` with `errorCode` "0050" when not found. */
  async retrieve(payoutClId: string, options: RequestOptions = {}): Promise<PayoutRecord> {
    checkPayoutClId(payoutClId);
    const path = `${GatewayPath.QUERY_PAYOUT}/${encodeURIComponent(payoutClId)}`;
    const { data, status } = await this.#sender.get(path, options);
    return toPayoutRecord(data, path, status);
  }
}

/**
 * The outbox for payouts: a payout accepted before (or first heard of from a notification, or found
 * by query) answers a repeated create with its `{ payout_id }`, the only thing the gateway's answer carries.
 */
const payoutOutbox: OutboxSpec<CreatedPayout, PayoutRecord, CreatedPayout> = {
  kind: 'payout',
  created: (result) => ({ gateway_id: result.payout_id, link: null }),
  recordId: (record) => record.payout_id,
  recorded: (order) => ({ payout_id: order.gateway_id }),
  found: (record) => ({ payout_id: record.payout_id }),
  conflict: (intent, record) => new DiamondPayPayoutConflictError(intent.clId, intent.amount, record),
};

/** The outbox's view of a payout create: the signed beneficiary fields beside the id, amount, service and URL. */
function payoutIntent(platformId: string, params: CreatePayoutParams): CreateIntent {
  const { service_id, payout_cl_id, amount, notify_url, ...beneficiary } = params;
  const fields: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(beneficiary))
    if (v !== undefined && v !== null) fields[k] = v as string;
  return {
    platformId,
    clId: payout_cl_id,
    amount,
    serviceId: service_id,
    notifyUrl: notify_url ?? null,
    fields,
  };
}

/**
 * The caller's view of a create outcome. A payout found by query after a lost answer is returned
 * like a fresh acceptance, `{ payout_id }` from the record: the answer carried nothing else.
 */
function payoutResult(
  params: CreatePayoutParams,
  outcome: CreateOutcome<CreatedPayout, PayoutRecord>,
): CreatedPayout {
  switch (outcome.kind) {
    case 'created':
      return outcome.result;
    case 'found':
      return { payout_id: outcome.record.payout_id };
    case 'conflict':
      throw new DiamondPayPayoutConflictError(params.payout_cl_id, params.amount, outcome.record);
    case 'refused':
      throw refusal(outcome.error, params);
    case 'not_sent':
      throw outcome.error;
    case 'unknown':
      throw new DiamondPayOutcomeUnknownError(params.payout_cl_id, outcome.reason, outcome.cause, 'payout');
  }
}
