// fetch-based transport: per-call timeout, caller AbortSignal, and a classification of failures
// into "the gateway never saw it" (safe to resend) and "the outcome is unknown".
import { DiamondPayConnectionError, DiamondPayTimeoutError } from '../errors.js';

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface HttpRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

export interface HttpResponse {
  status: number;
  text: string;
  headers: Headers;
}

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

export class HttpTransport {
  constructor(
    private readonly baseUrl: string,
    private readonly fetchImpl: FetchLike,
  ) {}

  async send(req: HttpRequest): Promise<HttpResponse> {
    const timeout = AbortSignal.timeout(req.timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    const url = this.baseUrl + req.path;
    try {
      const res = await this.fetchImpl(url, {
        method: req.method,
        headers: req.headers,
        body: req.body,
        signal,
        redirect: 'manual',
      });
      const text = await res.text();
      return { status: res.status, text, headers: res.headers };
    } catch (error) {
      if (req.signal?.aborted) throw req.signal.reason;
      if (timeout.aborted) throw new DiamondPayTimeoutError(req.path, req.timeoutMs);
      const notSent = wasNotSent(error);
      const codes = errorCodes(error);
      throw new DiamondPayConnectionError(
        `Diamond Pay ${req.path}: ${notSent ? 'could not connect' : 'the connection failed'}${codes.length ? ` (${[...new Set(codes)].join(', ')})` : ''}` +
          (notSent ? '; nothing was sent.' : '; the gateway may or may not have received the request.'),
        !notSent,
        error,
      );
    }
  }
}

/** Sleeps `ms` milliseconds, waking early (rejecting) when `signal` aborts. */
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
