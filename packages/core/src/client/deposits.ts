// Deposits (collections): create an order, query it. The create flow itself is `createOnce`.
import {
  DiamondPayDepositConflictError,
  DiamondPayDepositDetailsLostError,
  DiamondPayOutcomeUnknownError,
  DiamondPayValidationError,
  type ValidationIssue,
} from '../errors.js';
import { FieldReader } from '../json/field-reader.js';
import type { RawJsonObject } from '../json/raw-json.js';
import { GatewayPath } from '../protocol/constants.js';
import { CLIENT_ID_PATTERN, CLIENT_ID_RULE_TEXT, createDepositSchema, validate } from '../protocol/rules.js';
import { type DepositOutcome, depositOutcome } from '../protocol/status.js';
import { type CreateOutcome, createOnce, signedCreateBody } from './create-once.js';
import { type CreateIntent, createThroughOutbox, type OutboxSpec } from './create-outbox.js';
import { typed } from './envelope.js';
import type { RequestOptions, RequestSender } from './request-sender.js';

export interface CreateDepositParams {
  /** Service id, e.g. `KoreaService.BANK_CARD` (`SVC0015`). Any `SVC` + 4 digits enabled for you. */
  service_id: string;
  /** Your unique order id (1–64 of `A-Z a-z 0-9 _ . : -`, not only dots). */
  payment_cl_id: string;
  /** Amount in cents (won × 100): `toMinorUnits('500000')` → 50000000. */
  amount: number;
  /** Complete http(s) URL the gateway POSTs the result to. */
  notify_url: string;
  /** Payer name (real-name channels), ≤ 16 characters. */
  name?: string | undefined;
  /** Payer bank, ≤ 16 characters. */
  bank_name?: string | undefined;
  last_number?: string | undefined;
  user_id?: string | undefined;
  bank_id?: string | undefined;
}

export interface CreateDepositOptions extends RequestOptions {
  /**
   * Extra gateway fields not modelled by the SDK; they are signed and sent as given. Values: strings
   * without `&` or `=` (values are signed unencoded), or safe integers.
   */
  extraParams?: Record<string, string | number> | undefined;
}

export interface CreatedDeposit {
  /** Cashier page URL to send the payer to. */
  link: string;
  payment_id: string;
  payment_cl_id: string;
  /** Cents. */
  amount: number;
  qr_code_content?: string | undefined;
  /** Transfer reference the payer must quote. */
  token?: string | undefined;
  /** Payee (account holder) name. */
  card_name?: string | undefined;
  /** Receiving account number. */
  card_number?: string | undefined;
  bank_name?: string | undefined;
  bank_code?: string | undefined;
}

export interface DepositRecord {
  payment_id: string;
  payment_cl_id: string;
  /** Cents. */
  amount: number;
  /** Cents actually received. */
  real_amount?: number | undefined;
  /** Cents. */
  fee?: number | undefined;
  status: number;
  payment_cl_name?: string | undefined;
  /** Unix seconds. */
  create_time?: number | undefined;
  /** Unix seconds; 0 or absent until paid. */
  success_time?: number | undefined;
  readonly outcome: DepositOutcome;
}

// Fields the SDK sets itself: an extra param may not override them.
const SDK_FIELDS = ['platform_id', 'request_time', 'sign', 'sign_type'];

/** Checks `extraParams`: no reserved names, strings without `&`/`=`, numbers only as safe integers. */
function checkExtraParams(extra: unknown): Record<string, string | number> {
  if (extra === undefined) return {};
  if (extra === null || typeof extra !== 'object' || Array.isArray(extra)) {
    throw new DiamondPayValidationError(
      [{ field: 'extraParams', rule: 'type', message: 'must be an object of strings and integers' }],
      'Invalid deposit',
    );
  }
  const issues: ValidationIssue[] = [];
  for (const [field, value] of Object.entries(extra)) {
    if (Object.hasOwn(createDepositSchema, field) || SDK_FIELDS.includes(field)) {
      issues.push({
        field,
        rule: 'reserved',
        message: 'is set by the SDK or the params; it cannot be an extra param',
      });
    } else if (typeof value === 'number') {
      if (!Number.isSafeInteger(value))
        issues.push({
          field,
          rule: 'integer',
          message: 'must be a safe integer (a fraction would be signed as its JS text)',
        });
    } else if (typeof value === 'string') {
      if (/[&=]/.test(value))
        issues.push({
          field,
          rule: 'characters',
          message: 'must not contain "&" or "=" (values are signed unencoded)',
        });
    } else {
      issues.push({
        field,
        rule: 'type',
        message: `must be a string or an integer, got ${value === null ? 'null' : typeof value}`,
      });
    }
  }
  if (issues.length > 0) throw new DiamondPayValidationError(issues, 'Invalid deposit');
  return extra as Record<string, string | number>;
}

function checkClientId(paymentClId: unknown, context: string): asserts paymentClId is string {
  if (
    typeof paymentClId !== 'string' ||
    paymentClId === '' ||
    paymentClId.length > 64 ||
    !CLIENT_ID_PATTERN.test(paymentClId)
  ) {
    throw new DiamondPayValidationError(
      [{ field: 'payment_cl_id', rule: 'pattern', message: `must be 1–64 ${CLIENT_ID_RULE_TEXT}` }],
      context,
    );
  }
}

function toCreatedDeposit(data: RawJsonObject, path: string, status: number): CreatedDeposit {
  const r = new FieldReader(data);
  return typed(
    r,
    {
      link: r.string('link'),
      payment_id: r.string('payment_id'),
      payment_cl_id: r.string('payment_cl_id'),
      amount: r.integer('amount'),
      qr_code_content: r.optionalString('qr_code_content'),
      token: r.optionalString('token'),
      card_name: r.optionalString('card_name'),
      card_number: r.optionalString('card_number'),
      bank_name: r.optionalString('bank_name'),
      bank_code: r.optionalString('bank_code'),
    },
    'create-deposit answer',
    path,
    status,
  );
}

function toDepositRecord(data: RawJsonObject, path: string, status: number): DepositRecord {
  const r = new FieldReader(data);
  const record = typed(
    r,
    {
      payment_id: r.string('payment_id'),
      payment_cl_id: r.string('payment_cl_id'),
      amount: r.integer('amount'),
      real_amount: r.optionalInteger('real_amount'),
      fee: r.optionalInteger('fee'),
      status: r.integer('status'),
      payment_cl_name: r.optionalString('payment_cl_name'),
      create_time: r.optionalInteger('create_time'),
      success_time: r.optionalInteger('success_time'),
    },
    'deposit record',
    path,
    status,
  );
  return Object.assign(record, { outcome: depositOutcome(record.status) });
}

/** Deposits (collections): create an order, query it. */
export class Deposits {
  readonly #sender: RequestSender;

  constructor(sender: RequestSender) {
    this.#sender = sender;
  }

  /**
   * Creates a deposit order (`amount` in cents) and resolves to its cashier details.
   * Never creates the order twice: an unknown outcome is resolved by querying `payment_cl_id`.
   */
  async create(params: CreateDepositParams, options: CreateDepositOptions = {}): Promise<CreatedDeposit> {
    const config = this.#sender.config;
    validate(createDepositSchema, params as unknown as Record<string, unknown>, 'Invalid deposit');
    const extra = checkExtraParams(options.extraParams);
    const clId = params.payment_cl_id;
    const created = await createThroughOutbox({
      ledger: config.ledger,
      spec: depositOutbox,
      intent: () => depositIntent(config.platformId, params, extra),
      now: () => config.now(),
      lookup: () => this.retrieve(clId, options),
      send: () =>
        createOnce<CreatedDeposit, DepositRecord>(
          this.#sender,
          {
            path: GatewayPath.CREATE_DEPOSIT,
            clId,
            body: () => signedCreateBody(config, { ...extra, ...params }),
            created: (data, status) => toCreatedDeposit(data, GatewayPath.CREATE_DEPOSIT, status),
            createdId: (created) => created.payment_cl_id,
            lookup: (lookupOptions) => this.retrieve(clId, lookupOptions),
            recordId: (record) => record.payment_cl_id,
            sameOrder: (record) => record.amount === params.amount,
          },
          options,
        ),
    });
    if ('answer' in created) return created.answer;
    return depositResult(clId, params.amount, created.outcome);
  }

  /** Queries a deposit by your `payment_cl_id`. Throws `DiamondPayApiError` with `errorCode` "0050" when not found. */
  async retrieve(paymentClId: string, options: RequestOptions = {}): Promise<DepositRecord> {
    checkClientId(paymentClId, 'Invalid deposit query');
    const path = `${GatewayPath.QUERY_DEPOSIT}/${encodeURIComponent(paymentClId)}`;
    const { data, status } = await this.#sender.get(path, options);
    return toDepositRecord(data, path, status);
  }
}

/**
 * The outbox for deposits: a repeated create returns the recorded cashier details; without them (a
 * row from a notification, or one found by query) it throws `deposit_details_lost` with the record.
 */
const depositOutbox: OutboxSpec<CreatedDeposit, DepositRecord, CreatedDeposit> = {
  kind: 'deposit',
  created: (result) => ({ gateway_id: result.payment_id, link: result.link }),
  recordId: (record) => record.payment_id,
  recorded: (order, intent) => {
    if (order.link !== null)
      return {
        link: order.link,
        payment_id: order.gateway_id,
        payment_cl_id: intent.clId,
        amount: intent.amount,
      };
    throw new DiamondPayDepositDetailsLostError(intent.clId, order.gateway_id, {
      payment_id: order.gateway_id,
      payment_cl_id: intent.clId,
      amount: order.amount ?? intent.amount,
      status: order.status ?? 0,
    });
  },
  found: (record, intent) => {
    throw new DiamondPayDepositDetailsLostError(intent.clId, record.payment_id, record);
  },
  conflict: (intent, record) => new DiamondPayDepositConflictError(intent.clId, intent.amount, record),
};

/** The outbox's view of a deposit create: the signed fields beside the id, amount, service and URL. */
function depositIntent(
  platformId: string,
  params: CreateDepositParams,
  extra: Record<string, string | number>,
): CreateIntent {
  const { service_id, payment_cl_id, amount, notify_url, ...payer } = params;
  const fields: Record<string, string | number> = { ...extra };
  for (const [k, v] of Object.entries(payer)) if (v !== undefined && v !== null) fields[k] = v as string;
  return { platformId, clId: payment_cl_id, amount, serviceId: service_id, notifyUrl: notify_url, fields };
}

/** The caller's view of a create outcome: the cashier details, or the typed error that says what happened. */
function depositResult(
  clId: string,
  amount: number,
  outcome: CreateOutcome<CreatedDeposit, DepositRecord>,
): CreatedDeposit {
  switch (outcome.kind) {
    case 'created':
      return outcome.result;
    case 'found':
      throw new DiamondPayDepositDetailsLostError(clId, outcome.record.payment_id, outcome.record);
    case 'conflict':
      throw new DiamondPayDepositConflictError(clId, amount, outcome.record);
    case 'refused':
    case 'not_sent':
      throw outcome.error;
    case 'unknown':
      throw new DiamondPayOutcomeUnknownError(clId, outcome.reason, outcome.cause);
  }
}
