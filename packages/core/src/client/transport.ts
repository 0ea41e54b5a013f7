// fetch-based transport: per-call timeout, caller AbortSignal, and a classification of failures
// into "the gateway never saw it" (safe to resend) and "the outcome is unknown". Foreign errors are
// never kept raw: a fetch error can echo the request's headers, so only its name, code and a
// redacted message survive.
import { DiamondPayConnectionError, DiamondPayTimeoutError } from '../errors.js';

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface HttpRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string | undefined;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

export type TransportResult =
  | { kind: 'response'; status: number; text: string; headers: Headers }
  | { kind: 'failed'; error: DiamondPayConnectionError | DiamondPayTimeoutError }
  /** The caller's signal fired; `requestSent` is false only when it fired before fetch was called. */
  | { kind: 'aborted'; reason: unknown; requestSent: boolean };

// Errors raised before a single byte of the request could reach the gateway.
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function errorCodes(error: unknown, depth = 0): string[] {
  if (depth > 4 || typeof error !== 'object' || error === null) return [];
  const e = error as { code?: unknown; cause?: unknown; errors?: unknown };
  const own = typeof e.code === 'string' ? [e.code] : [];
  const nested = Array.isArray(e.errors) ? e.errors.flatMap((x) => errorCodes(x, depth + 1)) : [];
  return [...own, ...nested, ...errorCodes(e.cause, depth + 1)];
}

/** True when the failure happened before the request could be sent (connection refused, DNS, TLS). */
export function wasNotSent(error: unknown): boolean {
  const codes = errorCodes(error);
  return codes.length > 0 && codes.every((c) => NOT_SENT_CODES.has(c));
}

const ERROR_CODE_TEXT = /^[A-Za-z0-9_]{1,40}$/;
const MAX_CAUSE_MESSAGE = 200;

/**
 * A safe stand-in for a foreign error: its name, its code (when it looks like one) and its message
 * with every secret removed; no stack frames, no nested causes, no other properties.
 */
export function redactedError(error: unknown, secrets: readonly string[]): Error {
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: unknown;
    message?: unknown;
  };
  const name = typeof e.name === 'string' && ERROR_CODE_TEXT.test(e.name) ? e.name : 'Error';
  const codes = [...new Set(errorCodes(error).filter((c) => ERROR_CODE_TEXT.test(c)))];
  const raw = typeof e.message === 'string' ? e.message : typeof error === 'string' ? error : '';
  const safe = new Error(redactText(raw, secrets));
  Object.defineProperty(safe, 'name', { value: name, enumerable: false, configurable: true });
  if (codes[0] !== undefined) Object.defineProperty(safe, 'code', { value: codes[0], enumerable: true });
  Object.defineProperty(safe, 'stack', {
    value: `${name}: ${safe.message}`,
    enumerable: false,
    configurable: true,
    writable: true,
  });
  return safe;
}

/** Removes secrets and anything that looks like a header dump from a foreign message. */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s !== '') out = out.split(s).join('[redacted]');
  // A message that quotes headers or an Authorization value: keep none of it.
  if (/authorization|headers?\s*[:={[]|cookie/i.test(out))
    return '[message removed: it quoted request headers]';
  if (out.length > MAX_CAUSE_MESSAGE) out = `${out.slice(0, MAX_CAUSE_MESSAGE)}…`;
  return out;
}

export class HttpTransport {
  constructor(
    private readonly baseUrl: string,
    private readonly fetchImpl: FetchLike,
    private readonly secrets: readonly string[],
  ) {}

  /** One attempt; never throws: every way it can end is a `TransportResult`. */
  async send(req: HttpRequest): Promise<TransportResult> {
    if (req.signal?.aborted) return { kind: 'aborted', reason: req.signal.reason, requestSent: false };
    const timeout = AbortSignal.timeout(req.timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    const url = this.baseUrl + req.path;
    try {
      const res = await this.fetchImpl(url, {
        method: req.method,
        headers: req.headers,
        body: req.body ?? null,
        signal,
        redirect: 'manual',
      });
      const text = await res.text();
      return { kind: 'response', status: res.status, text, headers: res.headers };
    } catch (error) {
      if (req.signal?.aborted) return { kind: 'aborted', reason: req.signal.reason, requestSent: true };
      if (timeout.aborted)
        return { kind: 'failed', error: new DiamondPayTimeoutError(req.path, req.timeoutMs) };
      const notSent = wasNotSent(error);
      const codes = errorCodes(error).filter((c) => ERROR_CODE_TEXT.test(c));
      return {
        kind: 'failed',
        error: new DiamondPayConnectionError(
          `Diamond Pay ${req.path}: ${notSent ? 'could not connect' : 'the connection failed'}${codes.length ? ` (${[...new Set(codes)].join(', ')})` : ''}` +
            (notSent ? '; nothing was sent.' : '; the gateway may or may not have received the request.'),
          !notSent,
          redactedError(error, this.secrets),
        ),
      };
    }
  }
}

/** Sleeps `ms` milliseconds, waking early (rejecting with the signal's reason) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Exponential backoff with full jitter, in milliseconds: attempt 1 → up to base, doubling, capped. */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Longest `Retry-After` the client honours, in milliseconds (a longer one is cut to this). */
export const MAX_RETRY_AFTER_MS = 60_000;

/** `Retry-After` in milliseconds from now: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d{1,10}$/.test(text)) return Number(text) * 1000;
  // HTTP-date (IMF-fixdate and the obsolete forms Date.parse understands); must name a weekday or GMT.
  if (!/GMT|UTC|[A-Za-z]{3},/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
