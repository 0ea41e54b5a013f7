// The merchant-facing client. Creating a deposit never creates two orders: when a POST's outcome is
// unknown, the client asks the gateway whether the order exists before it would send it again.
import {
  type ApiErrorDetails,
  DiamondPayApiError,
  DiamondPayAuthenticationError,
  DiamondPayConnectionError,
  DiamondPayDepositDetailsLostError,
  DiamondPayError,
  DiamondPayOutcomeUnknownError,
  DiamondPayTimeoutError,
  DiamondPayValidationError,
  type ValidationIssue,
} from '../errors.js';
import { compact, FieldReader } from '../json/field-reader.js';
import { JsonNumber, JsonSyntaxError, parseJsonRaw, type RawJsonObject } from '../json/raw-json.js';
import { type DepositNotification, verifyNotification } from '../notifications/verify.js';
import { GatewayErrorCode, GatewayPath } from '../protocol/constants.js';
import { CLIENT_ID_PATTERN, createDepositSchema, isHttpUrl, validate } from '../protocol/rules.js';
import { type DepositOutcome, depositOutcome } from '../protocol/status.js';
import { SIGN_TYPES, type SignType, sign } from '../signing/signature.js';
import { backoffDelay, type FetchLike, type HttpResponse, HttpTransport, sleep } from './transport.js';

export const SDK_VERSION = '0.1.0';

export interface DiamondPayConfig {
  /** Gateway base URL of your deployment, e.g. `https://api.example-gateway.com` (no trailing path). */
  baseUrl: string;
  /** Merchant id, e.g. `PF0002`. */
  platformId: string;
  /** Platform key used to sign requests and verify notifications. Never logged. */
  platformKey: string;
  /** Token for GET endpoints (query, balance), sent raw in `Authorization`. Never logged. */
  authorization?: string;
  /** Signature algorithm for requests. Default `HMAC-SHA256`; `MD5` for legacy deployments. */
  signType?: SignType;
  /** Per-attempt timeout in milliseconds. Default 30 000. */
  timeoutMs?: number;
  /** Retries after the first attempt (0 = none). Default 2. */
  maxRetries?: number;
  /** First retry delay in milliseconds (doubles each retry, with jitter). Default 500. */
  retryBaseDelayMs?: number;
  /** Longest retry delay in milliseconds. Default 8 000. */
  retryMaxDelayMs?: number;
  /** A fetch implementation (tests, proxies). Default the global `fetch`. */
  fetch?: FetchLike;
  /** Clock in milliseconds, for `request_time` (tests). Default `Date.now`. */
  now?: () => number;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Overrides the client's `timeoutMs` for this call. */
  timeoutMs?: number;
}

export interface CreateDepositParams {
  /** Service id, e.g. `KoreaService.BANK_CARD` (`SVC0015`). Any `SVC` + 4 digits enabled for you. */
  service_id: string;
  /** Your unique order id (1–64 of `A-Z a-z 0-9 _ . : -`). */
  payment_cl_id: string;
  /** Amount in cents (won × 100): `toMinorUnits('500000')` → 50000000. */
  amount: number;
  /** Complete http(s) URL the gateway POSTs the result to. */
  notify_url: string;
  /** Payer name (real-name channels), ≤ 16 characters. */
  name?: string;
  /** Payer bank, ≤ 16 characters. */
  bank_name?: string;
  last_number?: string;
  user_id?: string;
  bank_id?: string;
}

export interface CreateDepositOptions extends RequestOptions {
  /** Extra gateway fields not modelled by the SDK; they are signed and sent as given. */
  extraParams?: Record<string, string | number>;
}

export interface CreatedDeposit {
  /** Cashier page URL to send the payer to. */
  link: string;
  payment_id: string;
  payment_cl_id: string;
  /** Cents. */
  amount: number;
  qr_code_content?: string;
  /** Transfer reference the payer must quote. */
  token?: string;
  /** Payee (account holder) name. */
  card_name?: string;
  /** Receiving account number. */
  card_number?: string;
  bank_name?: string;
  bank_code?: string;
}

export interface DepositRecord {
  payment_id: string;
  payment_cl_id: string;
  /** Cents. */
  amount: number;
  /** Cents actually received. */
  real_amount?: number;
  /** Cents. */
  fee?: number;
  status: number;
  payment_cl_name?: string;
  /** Unix seconds. */
  create_time?: number;
  /** Unix seconds; 0 or absent until paid. */
  success_time?: number;
  readonly outcome: DepositOutcome;
}

export interface Balance {
  platform_id: string;
  /** Cents. */
  total_balance: number;
  /** Cents. */
  total_frozen_balance: number;
}

interface ResolvedConfig {
  baseUrl: string;
  platformId: string;
  platformKey: string;
  authorization: string | undefined;
  signType: SignType;
  timeoutMs: number;
  maxRetries: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  now: () => number;
}

const ORDER_NOT_FOUND = GatewayErrorCode.ORDER_NOT_FOUND;
const AUTH_CODES = new Set<string>([
  GatewayErrorCode.SIGNATURE_FAILED,
  GatewayErrorCode.INVALID_AUTHORIZATION,
]);

function checkConfig(config: DiamondPayConfig): ResolvedConfig {
  const issues: ValidationIssue[] = [];
  const c = (config ?? {}) as Partial<DiamondPayConfig>;
  if (typeof c.baseUrl !== 'string' || !isHttpUrl(c.baseUrl)) {
    issues.push({
      field: 'baseUrl',
      rule: 'url',
      message: 'must be the gateway\'s http(s) base URL, e.g. "https://gateway.example.com"',
    });
  }
  if (typeof c.platformId !== 'string' || !/^[A-Za-z0-9]{1,6}$/.test(c.platformId)) {
    issues.push({
      field: 'platformId',
      rule: 'pattern',
      message: 'must be 1–6 letters or digits, e.g. "PF0002"',
    });
  }
  if (typeof c.platformKey !== 'string' || c.platformKey === '') {
    issues.push({
      field: 'platformKey',
      rule: 'required',
      message: 'is required (the key issued with your platform_id)',
    });
  } else if (c.platformKey.trim() !== c.platformKey) {
    issues.push({
      field: 'platformKey',
      rule: 'whitespace',
      message: 'has leading or trailing white space; remove it (a copy-paste slip?)',
    });
  }
  if (
    c.authorization !== undefined &&
    (typeof c.authorization !== 'string' ||
      c.authorization.trim() !== c.authorization ||
      c.authorization === '')
  ) {
    issues.push({
      field: 'authorization',
      rule: 'whitespace',
      message: 'must be a non-empty token without surrounding white space or a "Bearer " prefix',
    });
  } else if (typeof c.authorization === 'string' && /^bearer\s/i.test(c.authorization)) {
    issues.push({
      field: 'authorization',
      rule: 'raw_token',
      message: 'is sent raw: remove the "Bearer " prefix',
    });
  }
  if (c.signType !== undefined && !SIGN_TYPES.includes(c.signType)) {
    issues.push({ field: 'signType', rule: 'enum', message: 'must be "HMAC-SHA256" or "MD5"' });
  }
  const int = (field: keyof DiamondPayConfig, value: unknown, min: number, max: number) => {
    if (
      value !== undefined &&
      (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    ) {
      issues.push({ field, rule: 'range', message: `must be an integer from ${min} to ${max}` });
    }
  };
  int('timeoutMs', c.timeoutMs, 1, 600_000);
  int('maxRetries', c.maxRetries, 0, 10);
  int('retryBaseDelayMs', c.retryBaseDelayMs, 0, 60_000);
  int('retryMaxDelayMs', c.retryMaxDelayMs, 0, 300_000);
  if (c.fetch !== undefined && typeof c.fetch !== 'function')
    issues.push({ field: 'fetch', rule: 'type', message: 'must be a function' });
  if (c.fetch === undefined && typeof globalThis.fetch !== 'function') {
    issues.push({ field: 'fetch', rule: 'required', message: 'no global fetch in this runtime: pass one' });
  }
  if (issues.length > 0)
    throw new DiamondPayValidationError(issues, 'Invalid DiamondPay configuration', 'configuration_error');
  return {
    baseUrl: c.baseUrl!.replace(/\/+$/, ''),
    platformId: c.platformId!,
    platformKey: c.platformKey!,
    authorization: c.authorization,
    signType: c.signType ?? 'HMAC-SHA256',
    timeoutMs: c.timeoutMs ?? 30_000,
    maxRetries: c.maxRetries ?? 2,
    retryBaseDelayMs: c.retryBaseDelayMs ?? 500,
    retryMaxDelayMs: c.retryMaxDelayMs ?? 8_000,
    now: c.now ?? Date.now,
  };
}

type Envelope =
  | { kind: 'ok'; data: RawJsonObject }
  | { kind: 'error'; details: ApiErrorDetails }
  | { kind: 'garbled' };

function readEnvelope(res: HttpResponse, path: string): Envelope {
  let parsed: unknown;
  try {
    parsed = parseJsonRaw(res.text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) return { kind: 'garbled' };
    throw error;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || parsed instanceof JsonNumber)
    return { kind: 'garbled' };
  const obj = parsed as RawJsonObject;
  const code =
    typeof obj.error_code === 'string'
      ? obj.error_code
      : obj.error_code != null
        ? String(obj.error_code)
        : undefined;
  if (code === undefined) return { kind: 'garbled' };
  if (code === GatewayErrorCode.SUCCESS && res.status >= 200 && res.status < 300) {
    const data = obj.data;
    if (data !== null && typeof data === 'object' && !Array.isArray(data))
      return { kind: 'ok', data: data as RawJsonObject };
    return { kind: 'garbled' };
  }
  if (code === GatewayErrorCode.SUCCESS) return { kind: 'garbled' };
  const msg = typeof obj.error_msg === 'string' ? obj.error_msg : undefined;
  return { kind: 'error', details: { errorCode: code, errorMsg: msg, httpStatus: res.status, path } };
}

function apiError(details: ApiErrorDetails): DiamondPayApiError {
  return details.errorCode && AUTH_CODES.has(details.errorCode)
    ? new DiamondPayAuthenticationError(details)
    : new DiamondPayApiError(details);
}

function typed<T>(r: FieldReader, value: T, what: string, path: string, status: number): T {
  if (r.issues.length > 0) {
    throw new DiamondPayApiError(
      { httpStatus: status, path },
      `Diamond Pay ${path}: the gateway's ${what} is malformed (${r.issues.map((i) => `${i.field}: ${i.message}`).join('; ')}).`,
    );
  }
  return compact(value as object) as T;
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

/** @internal */
export class Engine {
  readonly transport: HttpTransport;

  constructor(
    readonly config: ResolvedConfig,
    fetchImpl: FetchLike,
  ) {
    this.transport = new HttpTransport(config.baseUrl, fetchImpl);
  }

  delay(attempt: number, signal?: AbortSignal, retryAfter?: string | null): Promise<void> {
    let ms = backoffDelay(attempt, this.config.retryBaseDelayMs, this.config.retryMaxDelayMs);
    const seconds = retryAfter ? Number(retryAfter) : Number.NaN;
    if (Number.isFinite(seconds) && seconds >= 0)
      ms = Math.min(Math.max(ms, seconds * 1000), this.config.retryMaxDelayMs);
    return sleep(ms, signal);
  }

  /** GET with retries on connection failures, timeouts, 429 and 5xx. Returns the envelope's data. */
  async get(path: string, options: RequestOptions = {}): Promise<{ data: RawJsonObject; status: number }> {
    const token = this.config.authorization;
    if (token === undefined) {
      throw new DiamondPayValidationError(
        [
          {
            field: 'authorization',
            rule: 'required',
            message: 'is required for GET endpoints (query, balance): the token issued by your operator',
          },
        ],
        `Cannot call ${path}`,
        'configuration_error',
      );
    }
    let attempt = 0;
    for (;;) {
      attempt++;
      let retryable: DiamondPayError;
      let retryAfter: string | null = null;
      try {
        const res = await this.transport.send({
          method: 'GET',
          path,
          headers: {
            accept: 'application/json',
            authorization: token,
            'user-agent': `diamondpay-node/${SDK_VERSION}`,
          },
          timeoutMs: options.timeoutMs ?? this.config.timeoutMs,
          signal: options.signal,
        });
        const env = readEnvelope(res, path);
        if (env.kind === 'ok') return { data: env.data, status: res.status };
        if (env.kind === 'error' && !(res.status === 429 || res.status >= 500)) throw apiError(env.details);
        retryable =
          env.kind === 'error'
            ? apiError(env.details)
            : new DiamondPayApiError({ httpStatus: res.status, path });
        retryAfter = res.headers.get('retry-after');
      } catch (error) {
        if (!(error instanceof DiamondPayConnectionError || error instanceof DiamondPayTimeoutError))
          throw error;
        retryable = error;
      }
      if (attempt > this.config.maxRetries) throw retryable;
      await this.delay(attempt, options.signal, retryAfter);
    }
  }
}

/** Deposits (collections): create an order, query it. */
export class Deposits {
  readonly #engine: Engine;

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  /**
   * Creates a deposit order (`amount` in cents) and resolves to its cashier details.
   * Never creates the order twice: an unknown outcome is resolved by querying `payment_cl_id`.
   */
  async create(params: CreateDepositParams, options: CreateDepositOptions = {}): Promise<CreatedDeposit> {
    const engine = this.#engine;
    const config = engine.config;
    validate(createDepositSchema, params as unknown as Record<string, unknown>, 'Invalid deposit');
    const extra = options.extraParams ?? {};
    const clash = Object.keys(extra).filter(
      (k) => k in createDepositSchema || ['platform_id', 'request_time', 'sign', 'sign_type'].includes(k),
    );
    if (clash.length > 0) {
      throw new DiamondPayValidationError(
        clash.map((field) => ({
          field,
          rule: 'reserved',
          message: 'is set by the SDK or the params; it cannot be an extra param',
        })),
        'Invalid deposit',
      );
    }
    const path = GatewayPath.CREATE_DEPOSIT;
    const paymentClId = params.payment_cl_id;
    let attempt = 0;
    let mustQuery = false;
    let lastUnknown: unknown;
    for (;;) {
      attempt++;
      if (mustQuery) {
        // The previous attempt may have created the order: look before sending again.
        const found = await this.#lookup(paymentClId, options, lastUnknown);
        if (found) throw new DiamondPayDepositDetailsLostError(paymentClId, found.payment_id, found);
        mustQuery = false;
      }
      const body: Record<string, unknown> = {
        ...extra,
        ...params,
        platform_id: config.platformId,
        request_time: Math.floor(config.now() / 1000),
      };
      if (config.signType === 'HMAC-SHA256') body.sign_type = 'HMAC-SHA256';
      body.sign = await sign(body, config.platformKey, config.signType);
      let outcome: 'not_sent' | 'unknown';
      let retryAfter: string | null = null;
      try {
        const res = await engine.transport.send({
          method: 'POST',
          path,
          headers: {
            'content-type': 'application/json;charset=utf-8',
            accept: 'application/json',
            'user-agent': `diamondpay-node/${SDK_VERSION}`,
          },
          body: JSON.stringify(body),
          timeoutMs: options.timeoutMs ?? config.timeoutMs,
          signal: options.signal,
        });
        const env = readEnvelope(res, path);
        if (env.kind === 'ok') {
          try {
            return toCreatedDeposit(env.data, path, res.status);
          } catch (error) {
            // Success with a garbled payload: the order exists; recover its id by query.
            lastUnknown = error;
            outcome = 'unknown';
          }
        } else if (env.kind === 'error') {
          const error = apiError(env.details);
          if (attempt > 1) {
            // A resend was refused: maybe because the first attempt did create the order after all.
            const found = await this.#lookup(paymentClId, options, error).catch(() => undefined);
            if (found) throw new DiamondPayDepositDetailsLostError(paymentClId, found.payment_id, found);
          }
          throw error;
        } else {
          lastUnknown = new DiamondPayApiError({ httpStatus: res.status, path });
          outcome = 'unknown';
          retryAfter = res.headers.get('retry-after');
        }
      } catch (error) {
        if (error instanceof DiamondPayConnectionError && !error.requestSent) {
          outcome = 'not_sent';
          lastUnknown = error;
        } else if (error instanceof DiamondPayConnectionError || error instanceof DiamondPayTimeoutError) {
          outcome = 'unknown';
          lastUnknown = error;
        } else throw error;
      }
      if (outcome! === 'unknown') mustQuery = true;
      if (attempt > config.maxRetries) {
        if (outcome! === 'not_sent') throw lastUnknown;
        const found = await this.#lookup(paymentClId, options, lastUnknown);
        if (found) throw new DiamondPayDepositDetailsLostError(paymentClId, found.payment_id, found);
        throw lastUnknown;
      }
      await engine.delay(attempt, options.signal, retryAfter);
    }
  }

  /** Queries the order; undefined when the gateway does not have it. Unresolvable → OutcomeUnknown. */
  async #lookup(
    paymentClId: string,
    options: RequestOptions,
    cause: unknown,
  ): Promise<DepositRecord | undefined> {
    if (this.#engine.config.authorization === undefined) {
      throw new DiamondPayOutcomeUnknownError(
        paymentClId,
        'no `authorization` token is configured, so the SDK cannot query the order before resending',
        cause,
      );
    }
    try {
      return await this.retrieve(paymentClId, options);
    } catch (error) {
      if (error instanceof DiamondPayApiError && error.errorCode === ORDER_NOT_FOUND) return undefined;
      if (error instanceof DiamondPayAuthenticationError) throw error;
      throw new DiamondPayOutcomeUnknownError(paymentClId, 'the order query failed too', error);
    }
  }

  /** Queries a deposit by your `payment_cl_id`. Throws `DiamondPayApiError` with `errorCode` "0050" when not found. */
  async retrieve(paymentClId: string, options: RequestOptions = {}): Promise<DepositRecord> {
    if (
      typeof paymentClId !== 'string' ||
      paymentClId === '' ||
      paymentClId.length > 64 ||
      !CLIENT_ID_PATTERN.test(paymentClId)
    ) {
      throw new DiamondPayValidationError(
        [{ field: 'payment_cl_id', rule: 'pattern', message: 'must be 1–64 of A-Z a-z 0-9 _ . : -' }],
        'Invalid deposit query',
      );
    }
    const path = `${GatewayPath.QUERY_DEPOSIT}/${encodeURIComponent(paymentClId)}`;
    const { data, status } = await this.#engine.get(path, options);
    return toDepositRecord(data, path, status);
  }
}

/** Verifying notifications without the receiver's duplicate tracking. */
export class Notifications {
  readonly #engine: Engine;

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  /** Verifies a deposit notification from the raw body and returns it typed; throws a typed error otherwise. */
  async parseDeposit(rawBody: string | Uint8Array | ArrayBuffer): Promise<DepositNotification> {
    const config = this.#engine.config;
    const n = await verifyNotification(rawBody, {
      platformId: config.platformId,
      platformKey: config.platformKey,
    });
    if (n.kind !== 'deposit') {
      throw new DiamondPayValidationError(
        [{ field: 'payout_id', rule: 'kind', message: 'this is a payout notification, not a deposit one' }],
        'Not a deposit notification',
        'notification_unsupported',
      );
    }
    return n;
  }
}

/** Merchant balance. */
export class Platforms {
  readonly #engine: Engine;

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  /** Current balance in cents. */
  async balance(options: RequestOptions = {}): Promise<Balance> {
    const path = GatewayPath.BALANCE;
    const { data, status } = await this.#engine.get(path, options);
    const r = new FieldReader(data);
    return typed(
      r,
      {
        platform_id: r.string('platform_id'),
        total_balance: r.integer('total_balance'),
        total_frozen_balance: r.integer('total_frozen_balance'),
      },
      'balance',
      path,
      status,
    );
  }
}

const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');

/** The Diamond Pay client. Secrets passed in `config` are never exposed by logging or inspecting it. */
export class DiamondPay {
  readonly deposits: Deposits;
  readonly notifications: Notifications;
  readonly platforms: Platforms;
  readonly #engine: Engine;

  constructor(config: DiamondPayConfig) {
    const resolved = checkConfig(config);
    const fetchImpl: FetchLike = config.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#engine = new Engine(resolved, fetchImpl);
    this.deposits = new Deposits(this.#engine);
    this.notifications = new Notifications(this.#engine);
    this.platforms = new Platforms(this.#engine);
  }

  get platformId(): string {
    return this.#engine.config.platformId;
  }

  get baseUrl(): string {
    return this.#engine.config.baseUrl;
  }

  get signType(): SignType {
    return this.#engine.config.signType;
  }

  toJSON() {
    return { baseUrl: this.baseUrl, platformId: this.platformId, signType: this.signType };
  }

  toString(): string {
    return `DiamondPay(${this.platformId} @ ${this.baseUrl})`;
  }

  [inspectSymbol](): string {
    return this.toString();
  }
}
