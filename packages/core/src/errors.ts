// One error base class, subclasses by cause. Each carries a stable `code` (never rely on class
// names, which minifiers rename) and a message that says what to do next. No secret is ever put
// into an error: messages name fields, never their values when the value is a credential.
// Fields are `declare`d and assigned in each constructor (in the same order), so the build emits no
// separate class-field definitions: these classes are in every bundle, the receiver's included.

const BRAND = Symbol.for('diamondpay.error');

export type DiamondPayErrorCode =
  | 'validation_error'
  | 'configuration_error'
  | 'signature_invalid'
  | 'api_error'
  | 'authentication_error'
  | 'connection_error'
  | 'timeout'
  | 'outcome_unknown'
  | 'deposit_details_lost'
  | 'deposit_conflict'
  | 'ledger_conflict'
  | 'order_refused'
  | 'payout_conflict'
  | 'notification_too_large'
  | 'notification_malformed'
  | 'notification_invalid'
  | 'notification_expired'
  | 'platform_mismatch'
  | 'notification_unsupported'
  | 'notification_time_invalid';

export interface DiamondPayErrorOptions {
  cause?: unknown;
}

export class DiamondPayError extends Error {
  declare readonly code: DiamondPayErrorCode;

  constructor(code: DiamondPayErrorCode, message: string, options: DiamondPayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true });
    // Keep a readable name without relying on the class name surviving minification.
    Object.defineProperty(this, 'name', { value: 'DiamondPayError', enumerable: false, configurable: true });
  }
}

/** True for any error thrown by this SDK, even across duplicated copies of the package. */
export function isDiamondPayError(error: unknown): error is DiamondPayError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[BRAND] === true;
}

function named<T extends Error>(error: T, name: string): T {
  Object.defineProperty(error, 'name', { value: name, enumerable: false, configurable: true });
  return error;
}

export interface ValidationIssue {
  /** Wire name of the offending field (e.g. `amount`), or an option name (e.g. `platformKey`). */
  field: string;
  /** Stable rule id, e.g. `required`, `max_length`, `pattern`, `integer`. */
  rule: string;
  /** Human explanation, never containing a secret. */
  message: string;
}

/** Bad input, detected before anything was sent. Lists every problem at once. */
export class DiamondPayValidationError extends DiamondPayError {
  declare readonly issues: readonly ValidationIssue[];

  constructor(
    issues: readonly ValidationIssue[],
    context = 'Invalid parameters',
    code: DiamondPayErrorCode = 'validation_error',
  ) {
    const lines = issues.map((i) => `  - ${i.field}: ${i.message} [${i.rule}]`).join('\n');
    super(code, `${context} (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines}`);
    this.issues = issues;
    named(this, 'DiamondPayValidationError');
  }
}

export interface ApiErrorDetails {
  /** The gateway's `error_code` (e.g. `0004`), when it sent one. */
  errorCode?: string | undefined;
  /** The gateway's `error_msg`, verbatim. */
  errorMsg?: string | undefined;
  /** HTTP status of the response. */
  httpStatus: number;
  /** The request path, without host. */
  path: string;
}

/** The gateway answered, and the answer was not success. Carries its code and message verbatim. */
export class DiamondPayApiError extends DiamondPayError {
  declare readonly errorCode: string | undefined;
  declare readonly errorMsg: string | undefined;
  declare readonly httpStatus: number;
  declare readonly path: string;

  constructor(details: ApiErrorDetails, message?: string, code: DiamondPayErrorCode = 'api_error') {
    const what =
      details.errorCode !== undefined
        ? `gateway error ${details.errorCode}${details.errorMsg ? ` "${details.errorMsg}"` : ''}`
        : `HTTP ${details.httpStatus} without a gateway error code`;
    super(code, message ?? `Diamond Pay ${details.path}: ${what}.`);
    this.errorCode = details.errorCode;
    this.errorMsg = details.errorMsg;
    this.httpStatus = details.httpStatus;
    this.path = details.path;
    named(this, 'DiamondPayApiError');
  }
}

/** The gateway rejected the credentials: `0004` (request signature) or `0006` (Authorization). */
export class DiamondPayAuthenticationError extends DiamondPayApiError {
  constructor(details: ApiErrorDetails) {
    const hint =
      details.errorCode === '0006'
        ? 'the Authorization token was refused: check the `authorization` option (sent raw, without "Bearer")'
        : 'the request signature was refused: check `platformKey` and `platformId` (an operator key reset invalidates the old key at once)';
    super(
      details,
      `Diamond Pay ${details.path}: gateway error ${details.errorCode ?? '?'}${details.errorMsg ? ` "${details.errorMsg}"` : ''}: ${hint}.`,
      'authentication_error',
    );
    named(this, 'DiamondPayAuthenticationError');
  }
}

/** The request could not be completed on the network. `requestSent` tells whether the gateway may have seen it. */
export class DiamondPayConnectionError extends DiamondPayError {
  declare readonly requestSent: boolean;

  constructor(message: string, requestSent: boolean, cause?: unknown) {
    super('connection_error', message, { cause });
    this.requestSent = requestSent;
    named(this, 'DiamondPayConnectionError');
  }
}

/** No answer within the timeout (seconds in the message, milliseconds in `timeoutMs`). */
export class DiamondPayTimeoutError extends DiamondPayError {
  declare readonly timeoutMs: number;

  constructor(path: string, timeoutMs: number) {
    super('timeout', `Diamond Pay ${path}: no answer within ${timeoutMs / 1000} s (option timeoutMs).`);
    this.timeoutMs = timeoutMs;
    named(this, 'DiamondPayTimeoutError');
  }
}

/**
 * A create request may or may not have reached the gateway and the SDK could not find out.
 * Do not create the order again under a new id: call `deposits.retrieve(paymentClId)` (a payout:
 * `payouts.retrieve(payoutClId)`) later.
 */
export class DiamondPayOutcomeUnknownError extends DiamondPayError {
  /** The merchant's id of the order whose create is unknown (`payment_cl_id`, or `payout_cl_id` for a payout). */
  declare readonly paymentClId: string;
  /** What was being created. */
  declare readonly resource: 'deposit' | 'payout';
  /** The `payout_cl_id`, for a payout (undefined for a deposit). */
  declare readonly payoutClId: string | undefined;

  constructor(
    paymentClId: string,
    reason: string,
    cause?: unknown,
    resource: 'deposit' | 'payout' = 'deposit',
  ) {
    super(
      'outcome_unknown',
      `The outcome of creating ${resource} "${paymentClId}" is unknown (${reason}). Do not create it again under another id: ` +
        `call ${resource}s.retrieve("${paymentClId}") later to learn whether it exists.`,
      { cause },
    );
    this.paymentClId = paymentClId;
    this.resource = resource;
    this.payoutClId = resource === 'payout' ? paymentClId : undefined;
    named(this, 'DiamondPayOutcomeUnknownError');
  }
}

/**
 * The deposit was created (the gateway has it) but its answer, with the cashier `link`, was lost
 * in transit. The order must not be created twice; show the payer a new order or the query result.
 */
export class DiamondPayDepositDetailsLostError extends DiamondPayError {
  declare readonly paymentId: string;
  declare readonly paymentClId: string;
  /** The record the gateway returned when queried. */
  declare readonly record: Readonly<{
    payment_id: string;
    payment_cl_id: string;
    amount: number;
    status: number;
  }>;

  constructor(
    paymentClId: string,
    paymentId: string,
    record: Readonly<{ payment_id: string; payment_cl_id: string; amount: number; status: number }>,
  ) {
    super(
      'deposit_details_lost',
      `Deposit "${paymentClId}" exists on the gateway as ${paymentId}, but the answer carrying its cashier details was lost. ` +
        'It was not created twice. Use `paymentId`/`record`, or create a new order with a new payment_cl_id for the payer.',
    );
    this.paymentId = paymentId;
    this.paymentClId = paymentClId;
    this.record = record;
    named(this, 'DiamondPayDepositDetailsLostError');
  }
}

/**
 * The gateway has an order under this `payment_cl_id`, but it differs from the one you asked to create
 * (another amount). The id was reused for a different order: nothing was created by this call.
 * Inspect `record`; create the new order under a new `payment_cl_id`.
 */
export class DiamondPayDepositConflictError extends DiamondPayError {
  declare readonly paymentClId: string;
  declare readonly paymentId: string;
  /** The amount you asked for, in cents. */
  declare readonly expectedAmount: number;
  /** The record the gateway returned when queried. */
  declare readonly record: Readonly<{
    payment_id: string;
    payment_cl_id: string;
    amount: number;
    status: number;
  }>;

  constructor(
    paymentClId: string,
    expectedAmount: number,
    record: Readonly<{ payment_id: string; payment_cl_id: string; amount: number; status: number }>,
  ) {
    super(
      'deposit_conflict',
      `Deposit "${paymentClId}" already exists on the gateway as ${record.payment_id} with amount ${record.amount} cents, ` +
        `not the ${expectedAmount} cents asked for: the id was used for another order. Nothing was created by this call; ` +
        'use a new payment_cl_id for the new order.',
    );
    this.paymentClId = paymentClId;
    this.paymentId = record.payment_id;
    this.expectedAmount = expectedAmount;
    this.record = record;
    named(this, 'DiamondPayDepositConflictError');
  }
}

/**
 * The ledger already records an order under this `payment_cl_id` (a payout: `payout_cl_id`) with
 * another amount or service than this call asks for. Nothing was sent. Create the new order under a
 * new id.
 */
export class DiamondPayLedgerConflictError extends DiamondPayError {
  /** The merchant's id of the order (`payment_cl_id`, or `payout_cl_id` for a payout). */
  declare readonly paymentClId: string;
  /** What was being created. */
  declare readonly resource: 'deposit' | 'payout';
  /** The `payout_cl_id`, for a payout (undefined for a deposit). */
  declare readonly payoutClId: string | undefined;
  /** What the ledger holds (amount in cents). */
  declare readonly recorded: Readonly<{ amount: number | null; service_id: string | null }>;
  /** What this call asked for (amount in cents). */
  declare readonly requested: Readonly<{ amount: number; service_id: string }>;

  constructor(
    paymentClId: string,
    recorded: Readonly<{ amount: number | null; service_id: string | null }>,
    requested: Readonly<{ amount: number; service_id: string }>,
    resource: 'deposit' | 'payout' = 'deposit',
  ) {
    super(
      'ledger_conflict',
      `${resource === 'deposit' ? 'Deposit' : 'Payout'} "${paymentClId}" is already recorded with amount ${recorded.amount} cents and service ${recorded.service_id}, ` +
        `not the ${requested.amount} cents and service ${requested.service_id} asked for. Nothing was sent; ` +
        `use a new ${resource === 'deposit' ? 'payment_cl_id' : 'payout_cl_id'} for the new ${resource === 'deposit' ? 'order' : 'payout'}.`,
    );
    this.paymentClId = paymentClId;
    this.resource = resource;
    this.payoutClId = resource === 'payout' ? paymentClId : undefined;
    this.recorded = recorded;
    this.requested = requested;
    named(this, 'DiamondPayLedgerConflictError');
  }
}

/**
 * The ledger records that creating this order was refused earlier (the gateway's `errorCode` and
 * `errorMsg`, or null when the gateway never had it). Nothing exists under this id: create the order
 * again under a new `payment_cl_id`.
 */
export class DiamondPayOrderRefusedError extends DiamondPayError {
  /** The merchant's id of the order (`payment_cl_id`, or `payout_cl_id` for a payout). */
  declare readonly paymentClId: string;
  declare readonly errorCode: string | null;
  declare readonly errorMsg: string | null;
  /** What was being created. */
  declare readonly resource: 'deposit' | 'payout';
  /** The `payout_cl_id`, for a payout (undefined for a deposit). */
  declare readonly payoutClId: string | undefined;

  constructor(
    paymentClId: string,
    errorCode: string | null,
    errorMsg: string | null,
    resource: 'deposit' | 'payout' = 'deposit',
  ) {
    const why =
      errorCode !== null
        ? `the gateway refused it with error ${errorCode}${errorMsg ? ` "${errorMsg}"` : ''}`
        : (errorMsg ?? 'it was refused');
    super(
      'order_refused',
      resource === 'deposit'
        ? `Deposit "${paymentClId}" was not created: ${why} (as recorded in the ledger). It is not sent again; ` +
            'create the order under a new payment_cl_id.'
        : `Payout "${paymentClId}" was not accepted: ${why} (as recorded in the ledger). Nothing was paid out and it is ` +
            'not sent again; once the cause is fixed (a top-up for 0018, another bank for 0012), send it under a new payout_cl_id.',
    );
    this.paymentClId = paymentClId;
    this.errorCode = errorCode;
    this.errorMsg = errorMsg;
    this.resource = resource;
    this.payoutClId = resource === 'payout' ? paymentClId : undefined;
    named(this, 'DiamondPayOrderRefusedError');
  }
}

/**
 * The gateway has a payout under this `payout_cl_id`, but with another amount than the one you asked
 * for: the id was used for another payout. Nothing was sent by this call; inspect `record` and use a
 * new `payout_cl_id` only if this really is a different payout.
 */
export class DiamondPayPayoutConflictError extends DiamondPayError {
  declare readonly payoutClId: string;
  declare readonly payoutId: string;
  /** The amount you asked for, in cents. */
  declare readonly expectedAmount: number;
  /** The record the gateway returned when queried. */
  declare readonly record: Readonly<{
    payout_id: string;
    payout_cl_id: string;
    amount: number;
    status: number;
  }>;

  constructor(
    payoutClId: string,
    expectedAmount: number,
    record: Readonly<{ payout_id: string; payout_cl_id: string; amount: number; status: number }>,
  ) {
    super(
      'payout_conflict',
      `Payout "${payoutClId}" already exists on the gateway as ${record.payout_id} with amount ${record.amount} cents, ` +
        `not the ${expectedAmount} cents asked for: the id was used for another payout. Nothing was sent by this call; ` +
        'check `record` before paying out under a new payout_cl_id.',
    );
    this.payoutClId = payoutClId;
    this.payoutId = record.payout_id;
    this.expectedAmount = expectedAmount;
    this.record = record;
    named(this, 'DiamondPayPayoutConflictError');
  }
}

/** An incoming notification was refused. `httpStatus` is what the receiver answers the gateway. */
export class DiamondPayNotificationError extends DiamondPayError {
  declare readonly httpStatus: number;
  declare readonly issues: readonly ValidationIssue[];

  constructor(
    code: DiamondPayErrorCode,
    httpStatus: number,
    message: string,
    issues: readonly ValidationIssue[] = [],
  ) {
    super(code, message);
    this.httpStatus = httpStatus;
    this.issues = issues;
    named(this, 'DiamondPayNotificationError');
  }
}

/** A notification's signature is missing, malformed or wrong (answered with HTTP 401). */
export class DiamondPaySignatureError extends DiamondPayNotificationError {
  constructor(message: string) {
    super('signature_invalid', 401, message);
    named(this, 'DiamondPaySignatureError');
  }
}
