// The one request sender. Every request goes through `attempt` (one HTTP exchange, classified) and
// `pause` (backoff with jitter, `Retry-After` honoured up to 60 s); `get` is the retry loop for reads.
// Creates go through `create-once.ts`, which uses the same two pieces with its own, stricter rules.
import {
  type DiamondPayApiError,
  type DiamondPayConnectionError,
  type DiamondPayError,
  DiamondPayValidationError,
} from '../errors.js';
import type { RawJsonObject } from '../json/raw-json.js';
import type { ResolvedConfig } from './config.js';
import { apiError, readEnvelope, unreadableAnswer } from './envelope.js';
import {
  backoffDelay,
  type FetchLike,
  HttpTransport,
  MAX_RETRY_AFTER_MS,
  retryAfterMs,
  sleep,
} from './transport.js';
import { SDK_VERSION } from './version.js';

export interface RequestOptions {
  signal?: AbortSignal | undefined;
  /** Overrides the client's `timeoutMs` for this call (milliseconds). */
  timeoutMs?: number | undefined;
}

/**
 * How one attempt ended:
 * - `answered`: a success envelope with `data`;
 * - `refused`: an error envelope (the gateway said no) below HTTP 500;
 * - `not_sent`: nothing reached the gateway (connection refused, DNS, TLS);
 * - `unknown`: the gateway may have acted on it (timeout, reset after sending, HTTP 5xx, an empty or
 *   unreadable body, `0000` without data);
 * - `aborted`: the caller's signal fired (`requestSent` false only when it fired before sending).
 * `transient` marks what a read may retry: connection errors, timeouts, 429 and 5xx.
 */
export type Attempt =
  | { kind: 'answered'; status: number; data: RawJsonObject }
  | { kind: 'refused'; error: DiamondPayApiError; transient: boolean; retryAfterMs: number | undefined }
  | { kind: 'not_sent'; error: DiamondPayConnectionError }
  | { kind: 'unknown'; error: DiamondPayError; transient: boolean; retryAfterMs: number | undefined }
  | { kind: 'aborted'; reason: unknown; requestSent: boolean };

export interface AttemptRequest {
  method: 'GET' | 'POST';
  path: string;
  /** JSON text, for POST. */
  body?: string | undefined;
}

/** @internal */
export class RequestSender {
  readonly #transport: HttpTransport;

  constructor(
    readonly config: ResolvedConfig,
    fetchImpl: FetchLike,
  ) {
    const secrets = [config.platformKey, config.authorization ?? ''];
    this.#transport = new HttpTransport(config.baseUrl, fetchImpl, secrets);
  }

  /** The timeout of one attempt of this call, in milliseconds. */
  timeoutOf(options: RequestOptions): number {
    return options.timeoutMs ?? this.config.timeoutMs;
  }

  /** One HTTP exchange, classified. Never retries, never throws for a network or gateway failure. */
  async attempt(req: AttemptRequest, options: RequestOptions): Promise<Attempt> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': `diamondpay-node/${SDK_VERSION}`,
    };
    if (req.method === 'POST') headers['content-type'] = 'application/json;charset=utf-8';
    else headers.authorization = this.#token(req.path);
    const result = await this.#transport.send({
      method: req.method,
      path: req.path,
      headers,
      body: req.body,
      timeoutMs: this.timeoutOf(options),
      signal: options.signal,
    });
    if (result.kind === 'aborted') return result;
    if (result.kind === 'failed') {
      const error = result.error;
      if (error.code === 'connection_error' && !(error as DiamondPayConnectionError).requestSent)
        return { kind: 'not_sent', error: error as DiamondPayConnectionError };
      return { kind: 'unknown', error, transient: true, retryAfterMs: undefined };
    }
    const { status } = result;
    const transient = status === 429 || status >= 500;
    const wait = transient ? retryAfterMs(result.headers.get('retry-after'), this.config.now()) : undefined;
    const env = readEnvelope(status, result.text, req.path);
    if (env.kind === 'ok') return { kind: 'answered', status, data: env.data };
    if (env.kind === 'error') {
      const error = apiError(env.details);
      // A 5xx with an error envelope may come from a gateway that failed half-way: unknown.
      if (status >= 500) return { kind: 'unknown', error, transient, retryAfterMs: wait };
      return { kind: 'refused', error, transient, retryAfterMs: wait };
    }
    return {
      kind: 'unknown',
      error: unreadableAnswer(status, req.path, env.why),
      transient,
      retryAfterMs: wait,
    };
  }

  /** Waits before retry number `attempt` (1 = first retry): backoff with jitter, or `Retry-After` up to 60 s. */
  pause(attempt: number, retryAfter: number | undefined, signal: AbortSignal | undefined): Promise<void> {
    let ms = backoffDelay(attempt, this.config.retryBaseDelayMs, this.config.retryMaxDelayMs);
    if (retryAfter !== undefined) ms = Math.max(ms, Math.min(retryAfter, MAX_RETRY_AFTER_MS));
    return sleep(ms, signal);
  }

  /** GET with retries on connection failures, timeouts, 429 and 5xx only. Returns the envelope's data. */
  async get(path: string, options: RequestOptions = {}): Promise<{ data: RawJsonObject; status: number }> {
    this.#token(path);
    for (let attempt = 1; ; attempt++) {
      const a = await this.attempt({ method: 'GET', path }, options);
      if (a.kind === 'answered') return a;
      if (a.kind === 'aborted') throw a.reason;
      const transient = a.kind === 'not_sent' || a.transient;
      if (!transient || attempt > this.config.maxRetries) throw a.error;
      await this.pause(attempt, a.kind === 'not_sent' ? undefined : a.retryAfterMs, options.signal);
    }
  }

  #token(path: string): string {
    const token = this.config.authorization;
    if (token !== undefined) return token;
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
}
