// The client's options: checked once, at construction, naming each bad field and never echoing a
// secret's value.
import { DiamondPayValidationError, type ValidationIssue } from '../errors.js';
import type { Ledger } from '../notifications/ledger.js';
import { isHttpUrl } from '../protocol/rules.js';
import { SIGN_TYPES, type SignType } from '../signing/signature.js';
import type { FetchLike } from './transport.js';

export interface DiamondPayConfig {
  /** Gateway base URL of your deployment, e.g. `https://api.example-gateway.com` (no trailing path). */
  baseUrl: string;
  /** Merchant id, e.g. `PF0002`. */
  platformId: string;
  /** Platform key used to sign requests and verify notifications. Never logged. */
  platformKey: string;
  /** Token for GET endpoints (query, balance), sent raw in `Authorization`. Never logged. */
  authorization?: string | undefined;
  /** Signature algorithm for requests. Default `HMAC-SHA256`; `MD5` for legacy deployments. */
  signType?: SignType | undefined;
  /** Per-attempt timeout in milliseconds. Default 30 000. */
  timeoutMs?: number | undefined;
  /** Retries after the first attempt (0 = none). Default 2. */
  maxRetries?: number | undefined;
  /** First retry delay in milliseconds (doubles each retry, with jitter). Default 500. */
  retryBaseDelayMs?: number | undefined;
  /** Longest retry delay in milliseconds. Default 8 000. */
  retryMaxDelayMs?: number | undefined;
  /**
   * How long to wait, in milliseconds, after a create whose outcome is unknown before querying the order
   * (a gateway may still be processing the first request). Default: the effective `timeoutMs`.
   */
  settleMs?: number | undefined;
  /**
   * Resend a create whose outcome was unknown when the query (after `settleMs`) does not find the order.
   * Only safe where your deployment refuses a reused `payment_cl_id`. Default `false`.
   */
  resendUnknown?: boolean | undefined;
  /**
   * Where creates are recorded (the outbox): the intent before the request, the outcome after it. A
   * create repeated under the same id is answered from the record, never resent blindly.
   */
  ledger?: Ledger | undefined;
  /** A fetch implementation (tests, proxies). Default the global `fetch`. */
  fetch?: FetchLike | undefined;
  /** Clock in milliseconds, for `request_time` and `Retry-After` dates (tests). Default `Date.now`. */
  now?: (() => number) | undefined;
}

/** @internal The checked configuration. */
export interface ResolvedConfig {
  baseUrl: string;
  platformId: string;
  platformKey: string;
  authorization: string | undefined;
  signType: SignType;
  timeoutMs: number;
  maxRetries: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  /** `undefined`: the effective timeout of the call. */
  settleMs: number | undefined;
  resendUnknown: boolean;
  ledger: Ledger | undefined;
  now: () => number;
}

// A header value the SDK can send: visible ASCII, single inner spaces allowed; no CR/LF or controls.
const HEADER_TOKEN = /^[\x21-\x7E]+(?: +[\x21-\x7E]+)*$/;

function checkAuthorization(value: unknown, issues: ValidationIssue[]): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || value === '' || value.trim() !== value) {
    issues.push({
      field: 'authorization',
      rule: 'whitespace',
      message: 'must be a non-empty token without surrounding white space or a "Bearer " prefix',
    });
  } else if (!HEADER_TOKEN.test(value)) {
    issues.push({
      field: 'authorization',
      rule: 'header_value',
      message:
        'must be a valid header value: visible ASCII characters only (no line breaks, tabs, control or non-ASCII characters)',
    });
  } else if (/^bearer\s/i.test(value)) {
    issues.push({
      field: 'authorization',
      rule: 'raw_token',
      message: 'is sent raw: remove the "Bearer " prefix',
    });
  }
}

/** @internal Checks the options; throws one `configuration_error` listing every problem. */
export function checkConfig(config: DiamondPayConfig): ResolvedConfig {
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
  checkAuthorization(c.authorization, issues);
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
  int('settleMs', c.settleMs, 0, 600_000);
  if (c.resendUnknown !== undefined && typeof c.resendUnknown !== 'boolean')
    issues.push({ field: 'resendUnknown', rule: 'type', message: 'must be true or false' });
  if (
    c.ledger !== undefined &&
    (c.ledger === null ||
      typeof c.ledger !== 'object' ||
      typeof c.ledger.beginCreate !== 'function' ||
      typeof c.ledger.finishCreate !== 'function')
  ) {
    issues.push({
      field: 'ledger',
      rule: 'type',
      message: 'must be a Ledger (MemoryLedger, @diamondpay/postgres)',
    });
  }
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
    settleMs: c.settleMs,
    resendUnknown: c.resendUnknown ?? false,
    ledger: c.ledger,
    now: c.now ?? Date.now,
  };
}
