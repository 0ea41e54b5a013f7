// The framework-neutral notification endpoint: raw body in, the exact reply for the gateway out.
// The gateway stops retrying only on {"error_code":"0000"}, so that reply is given only after the
// merchant's handler succeeded (or for a notification already processed), never before.
import {
  type DiamondPayError,
  DiamondPayNotificationError,
  DiamondPayValidationError,
  isDiamondPayError,
} from '../errors.js';
import { ACK_BODY } from '../protocol/constants.js';
import { rawBodyUnavailable, readBodyLimited } from './body.js';
import { LEDGER_INBOX, type Ledger } from './ledger.js';
import type {
  DiscrepancyHandler,
  LedgerInboxResult,
  LedgerNotificationHandler,
  LedgerSource,
  QueriedOrder,
} from './ledger-inbox.js';
import { notificationKey, updateTimeProblem } from './notification-key.js';
import { isPromiseLike } from './promise-like.js';
import { type HandleOptions, headerValue, type NotificationRequest } from './request.js';

import { MemoryNotificationStore, type NotificationStore } from './store.js';
import {
  DEFAULT_MAX_NOTIFICATION_BYTES,
  type DepositNotification,
  type Notification,
  type PayoutNotification,
  tooLarge,
  verifyNotificationNow,
} from './verify.js';

// Pure: a client-only bundle drops it (bundlers keep a bare call).
const JSON_HEADERS: Readonly<Record<string, string>> = /* @__PURE__ */ Object.freeze({
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
});

export interface NotificationReply {
  status: number;
  body: string;
  headers: Record<string, string>;
}

/**
 * `processed`: handler ran and succeeded (acknowledged); `duplicate`: already processed (acknowledged);
 * `rejected`: refused before any handler ran; `failed`: the handler threw (not acknowledged, the gateway retries);
 * `busy`: another instance is processing the same notification right now (not acknowledged).
 */
export type ReceiveOutcome = 'processed' | 'duplicate' | 'rejected' | 'failed' | 'busy';

export interface ReceiveResult extends NotificationReply {
  outcome: ReceiveOutcome;
  /** Present when the signature verified. */
  notification?: Notification | undefined;
  /** Why it was rejected or failed. */
  error?: unknown;
  /** With a ledger, for a `processed` result: `applied` (handler ran), `stale` or `discrepancy` (onDiscrepancy ran). */
  effect?: 'applied' | 'stale' | 'discrepancy' | undefined;
}

export type NotificationHandler<N, Ctx> = (notification: N, context: Ctx) => unknown;

export interface NotificationReceiverOptions<Ctx = undefined> {
  platformId: string;
  platformKey: string;
  /** Runs once per (payment_id, status) after verification; throw to have the gateway retry. */
  onDeposit?: NotificationHandler<DepositNotification, Ctx> | undefined;
  /** Runs once per (payout_id, status). */
  onPayout?: NotificationHandler<PayoutNotification, Ctx> | undefined;
  /** Duplicate tracking; default an in-memory store (single instance). */
  store?: NotificationStore | undefined;
  /** See `LedgerNotificationReceiverOptions`: with a ledger the handlers get a third argument. */
  ledger?: undefined;
  /** Only with a `ledger`. */
  onDiscrepancy?: undefined;
  /** How long processed notifications are remembered, in seconds; older notifications are refused. Default 86 400 (24 h); at least 7 200. */
  retentionSeconds?: number | undefined;
  /** How long a claim lasts while a handler runs, in seconds, before another delivery may retry. Default 300. */
  processingTimeoutSeconds?: number | undefined;
  /** Largest accepted body in bytes. Default 65 536. */
  maxBodyBytes?: number | undefined;
  /** Accept MD5-signed notifications. Default true. */
  acceptMd5?: boolean | undefined;
  /** Called for every refused or failed notification (for logging; secrets are never included). */
  onError?: ((error: unknown, result: ReceiveResult) => void) | undefined;
  /** Called once for every delivery with its result, whatever the outcome (metrics, logs). Must not throw. */
  onResult?: ((result: ReceiveResult, context: Ctx) => void) | undefined;
  /** Clock in milliseconds (tests). */
  now?: (() => number) | undefined;
}

/**
 * The receiver on a Ledger: every notification is handled in one ledger transaction (inbox row,
 * order state, the handler's own SQL through `tx`), acknowledged only after it committed. Order
 * states only move forward; a stale status is recorded without running the handler; a status that
 * contradicts the record runs `onDiscrepancy` instead. `store` and `processingTimeoutSeconds` do not
 * apply (the ledger's inbox is the duplicate record, and copies wait on its row); `retentionSeconds`
 * still bounds how old a delivered notification may be.
 */
export interface LedgerNotificationReceiverOptions<Ctx = undefined>
  extends Omit<
    NotificationReceiverOptions<Ctx>,
    'onDeposit' | 'onPayout' | 'store' | 'ledger' | 'onDiscrepancy'
  > {
  /** Where notifications, order states and create intents are kept (`MemoryLedger`, `@diamondpay/postgres`). */
  ledger: Ledger;
  /** Runs once per (payment_id, status) for a forward transition, inside the ledger transaction. */
  onDeposit?: LedgerNotificationHandler<DepositNotification, Ctx> | undefined;
  /** Runs once per (payout_id, status) for a forward transition, inside the ledger transaction. */
  onPayout?: LedgerNotificationHandler<PayoutNotification, Ctx> | undefined;
  /** Runs instead of the handler for a status that contradicts the record. Default: `console.warn`. */
  onDiscrepancy?: DiscrepancyHandler<Ctx> | undefined;
  /** Refused with a ledger (the ledger's inbox is the duplicate record). */
  store?: undefined;
}

/** Either kind of receiver options (adapters that pass options through). */
export type AnyNotificationReceiverOptions<Ctx = undefined> =
  | NotificationReceiverOptions<Ctx>
  | LedgerNotificationReceiverOptions<Ctx>;

/** How long after a waiting status of an order no one scheduled the reconciler first checks it: 1 minute. */
const FIRST_CHECK_DELAY_MS = 60_000;

function reply(status: number, body: string): NotificationReply {
  return { status, body, headers: { ...JSON_HEADERS } };
}

function errorReply(status: number, code: string, message: string): NotificationReply {
  return reply(status, JSON.stringify({ error_code: code, error_msg: message }));
}

/** The acknowledgement, built as one object (the hot path's only allocation for its reply). */
function acknowledged(
  outcome: 'processed' | 'duplicate',
  notification: Notification,
  effect?: ReceiveResult['effect'],
): ReceiveResult {
  const result: ReceiveResult = {
    status: 200,
    body: ACK_BODY,
    headers: {
      'content-type': JSON_HEADERS['content-type']!,
      'cache-control': JSON_HEADERS['cache-control']!,
    },
    outcome,
    notification,
  };
  if (effect) result.effect = effect;
  return result;
}

// Keys whose handler is running synchronously right now, innermost last (in any receiver of this
// module). No claim is written for them, so a handler that delivers the same notification again
// from inside itself (re-entrantly) must find them here and get "busy", never a second run.
const SYNC_KEYS: string[] = [];

/** The store itself when it is an unmodified in-memory store, whose steps can then run synchronously. */
function syncMemoryStore(store: NotificationStore): MemoryNotificationStore | undefined {
  if (!(store instanceof MemoryNotificationStore)) return undefined;
  // Read here, not at module level: a module-level property read would keep this module in bundles
  // without the receiver.
  const own = MemoryNotificationStore.prototype;
  return store.claim === own.claim && store.complete === own.complete && store.release === own.release
    ? store
    : undefined;
}

/** Claim tokens: a random prefix per receiver and a counter (getRandomValues per delivery costs more than the HMAC). */
function tokenFactory(): () => string {
  const bytes = new Uint8Array(9);
  crypto.getRandomValues(bytes);
  let prefix = '';
  for (const b of bytes) prefix += b.toString(16).padStart(2, '0');
  let seq = 0;
  return () => `${prefix}.${(++seq).toString(36)}`;
}

/** How many times `store.complete` is tried after a handler succeeded, and the waits between tries (ms). */
const COMPLETE_RETRY_DELAYS_MS = [20, 100];

export interface IncomingNotificationRequest {
  method: string;
  /** A `Headers`, or anything with its `get` (adapters on Node can skip building a `Headers`). */
  headers: Pick<Headers, 'get'>;
  body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | null;
}

export interface PrecheckRequest {
  method: string;
  contentType?: string | null | undefined;
  /** The Content-Length header, if any. */
  contentLength?: string | number | null | undefined;
}

export interface NotificationReceiver<Ctx = undefined> {
  /** Handles one delivery from its raw body. Never throws; the reply says what happened. */
  receive(rawBody: string | Uint8Array | ArrayBuffer, context: Ctx): Promise<ReceiveResult>;
  /**
   * The adapter door: method, headers and the body as the framework holds it (bytes, text, a Web
   * stream, a Node readable, or `undefined` when a body parser consumed it) in; the plain reply
   * (`status`, `headers`, `body` text) out. Checks method (405), content type (415) and size (413),
   * reads the body with the size limit, then `receive`s it. Never throws; reported to onResult once.
   */
  handle(request: NotificationRequest, context: Ctx, options?: HandleOptions): Promise<ReceiveResult>;
  /**
   * Handles a Web `Request` (method, content type, size-limited body) and answers with a `Response`.
   * Only `method`, `headers` and `body` are read; `body` may also be a Node request stream.
   */
  handleRequest(request: IncomingNotificationRequest, context: Ctx): Promise<Response>;
  /**
   * The reply for a request that cannot be a notification (wrong method or content type, a declared
   * length over maxBodyBytes), or undefined. A refusal is reported to onResult with `context`.
   */
  precheck(request: PrecheckRequest, context: Ctx): ReceiveResult | undefined;
  /** The reply for an error an adapter met before core saw the body (e.g. the body was too large, or unreadable). Reported to onResult. */
  reject(error: unknown, context: Ctx): ReceiveResult;
  readonly maxBodyBytes: number;
  /** The ledger given in the options, if any. */
  readonly ledger: Ledger | undefined;
  /**
   * Feeds a status found by querying the gateway through the same inbox path as a notification,
   * under the same key (`notificationKey`), with `source: 'reconciliation'`: whichever arrives
   * first runs the handler, the other is a duplicate. Needs a ledger. Used by `createReconciler`;
   * public for custom reconcilers. Never throws.
   */
  applyQueried(queried: QueriedOrder, context: Ctx): Promise<ReceiveResult>;
}

/** Creates the notification endpoint. With `ledger`, handlers get `{ tx, order, source }` as a third argument. */
export function createNotificationReceiver<Ctx = undefined>(
  options: LedgerNotificationReceiverOptions<Ctx>,
): NotificationReceiver<Ctx>;
export function createNotificationReceiver<Ctx = undefined>(
  options: NotificationReceiverOptions<Ctx>,
): NotificationReceiver<Ctx>;
export function createNotificationReceiver<Ctx = undefined>(
  options: AnyNotificationReceiverOptions<Ctx>,
): NotificationReceiver<Ctx>;
export function createNotificationReceiver<Ctx = undefined>(
  anyOptions: AnyNotificationReceiverOptions<Ctx>,
): NotificationReceiver<Ctx> {
  // The store path reads the plain options; the ledger path reads its handlers from `anyOptions`.
  const options = anyOptions as NotificationReceiverOptions<Ctx>;
  const ledger = (anyOptions as { ledger?: Ledger }).ledger;
  const issues = [];
  if (ledger !== undefined) {
    if (typeof ledger !== 'object' || ledger === null || typeof ledger.transaction !== 'function') {
      issues.push({
        field: 'ledger',
        rule: 'type',
        message: 'must be a Ledger (MemoryLedger, @diamondpay/postgres)',
      });
    } else if (typeof ledger[LEDGER_INBOX] !== 'function') {
      issues.push({
        field: 'ledger',
        rule: 'ledger_inbox',
        message:
          'carries no ledger path: a Ledger implementation sets `readonly [LEDGER_INBOX] = createLedgerInbox` (both from @diamondpay/core)',
      });
    }
    if ((anyOptions as { store?: unknown }).store !== undefined) {
      issues.push({
        field: 'store',
        rule: 'exclusive',
        message:
          'cannot be combined with ledger: the ledger records every notification in its own transaction; remove store',
      });
    }
  } else if ((anyOptions as { onDiscrepancy?: unknown }).onDiscrepancy !== undefined) {
    issues.push({
      field: 'onDiscrepancy',
      rule: 'requires_ledger',
      message: 'needs a ledger (order states are kept in the ledger); add ledger or remove onDiscrepancy',
    });
  }
  if (typeof options.platformId !== 'string' || options.platformId === '') {
    issues.push({ field: 'platformId', rule: 'required', message: 'is required' });
  }
  if (typeof options.platformKey !== 'string' || options.platformKey === '') {
    issues.push({ field: 'platformKey', rule: 'required', message: 'is required' });
  } else if (options.platformKey.trim() !== options.platformKey) {
    issues.push({
      field: 'platformKey',
      rule: 'whitespace',
      message: 'has leading or trailing white space; remove it',
    });
  }
  if (!options.onDeposit && !options.onPayout) {
    issues.push({ field: 'onDeposit', rule: 'required', message: 'give onDeposit and/or onPayout' });
  }
  const retentionSeconds = options.retentionSeconds ?? 86_400;
  if (!Number.isFinite(retentionSeconds) || retentionSeconds < 7_200) {
    issues.push({
      field: 'retentionSeconds',
      rule: 'min',
      message:
        'must be at least 7200 (the gateway retries for an hour; shorter retention would let a replay run a handler twice)',
    });
  }
  const leaseSeconds = options.processingTimeoutSeconds ?? 300;
  if (!Number.isFinite(leaseSeconds) || leaseSeconds <= 0) {
    issues.push({
      field: 'processingTimeoutSeconds',
      rule: 'positive',
      message: 'must be a positive number of seconds',
    });
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_NOTIFICATION_BYTES;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1024) {
    issues.push({ field: 'maxBodyBytes', rule: 'min', message: 'must be an integer of at least 1024' });
  }
  if (issues.length > 0)
    throw new DiamondPayValidationError(
      issues,
      'Invalid notification receiver options',
      'configuration_error',
    );

  // Unused with a ledger (its inbox is the duplicate record).
  const store = options.store ?? new MemoryNotificationStore({ now: options.now });
  const now = options.now ?? Date.now;
  const ledgerOptions = anyOptions as LedgerNotificationReceiverOptions<Ctx>;
  const ledgerInbox =
    ledger === undefined
      ? undefined
      : ledger[LEDGER_INBOX]<Ctx>({
          ledger,
          onDeposit: ledgerOptions.onDeposit,
          onPayout: ledgerOptions.onPayout,
          onDiscrepancy: ledgerOptions.onDiscrepancy,
          now,
          firstCheckDelayMs: FIRST_CHECK_DELAY_MS,
        });
  const retentionMs = retentionSeconds * 1000;
  const leaseMs = leaseSeconds * 1000;
  const verifyOptions = {
    platformId: options.platformId,
    platformKey: options.platformKey,
    maxBodyBytes,
    acceptMd5: options.acceptMd5 ?? true,
  };
  // Copies of one notification arriving together in this process wait for the first one's result.
  const inFlight = new Map<string, Promise<ReceiveResult>>();
  const nextToken = tokenFactory();

  const callOnError = (error: unknown, result: ReceiveResult): void => {
    if (!options.onError) return;
    try {
      options.onError(error, result);
    } catch {
      // A failing logger must not change the reply, nor make receive() reject.
    }
  };

  const report = (result: ReceiveResult): ReceiveResult => {
    if (result.outcome !== 'processed' && result.outcome !== 'duplicate') callOnError(result.error, result);
    return result;
  };

  // Tries to record the success a few times: a store that fails here would let a later copy run
  // the handler again once the claim lease expires (the remaining at-least-once case).
  const completeWithRetry = async (key: string, token: string): Promise<unknown> => {
    let lastError: unknown;
    for (let attempt = 0; attempt <= COMPLETE_RETRY_DELAYS_MS.length; attempt++) {
      if (attempt > 0) await sleep(COMPLETE_RETRY_DELAYS_MS[attempt - 1]!);
      try {
        await store.complete(key, token, retentionMs);
        return undefined;
      } catch (error) {
        lastError = error;
      }
    }
    return lastError ?? new Error('store.complete failed');
  };

  const rejected = (error: unknown, notification?: Notification): ReceiveResult => {
    if (isDiamondPayError(error) && 'httpStatus' in error) {
      const e = error as DiamondPayError & { httpStatus: number };
      const r = errorReply(e.httpStatus, e.code, e.message);
      // The rest of an oversized body was not read: close the connection rather than reuse it.
      if (e.code === 'notification_too_large') r.headers.connection = 'close';
      return report({
        ...r,
        outcome: 'rejected',
        error,
        notification,
      });
    }
    return report({
      ...errorReply(500, 'internal_error', 'The notification could not be processed.'),
      outcome: 'rejected',
      error,
      notification,
    });
  };

  // The ledger path's result as the gateway's reply: acknowledged only once committed.
  function ledgerReply(result: LedgerInboxResult, notification: Notification): ReceiveResult {
    switch (result.outcome) {
      case 'duplicate':
        return acknowledged('duplicate', notification);
      case 'handler_failed':
        return report({
          ...errorReply(
            500,
            'handler_failed',
            'The merchant handler failed; the notification was not processed and may be retried.',
          ),
          outcome: 'failed',
          error: result.error,
          notification,
        });
      case 'ledger_unavailable':
        return report({
          ...errorReply(
            503,
            'ledger_unavailable',
            'The ledger is unavailable; nothing was recorded, retry later.',
          ),
          outcome: 'failed',
          error: result.error,
          notification,
        });
      default:
        return acknowledged('processed', notification, result.outcome);
    }
  }

  function processLedger(
    key: string,
    notification: Notification,
    context: Ctx,
    source: LedgerSource,
  ): ReceiveResult | Promise<ReceiveResult> {
    const result = ledgerInbox!.process(key, notification, context, source);
    return isPromiseLike(result)
      ? Promise.resolve(result).then((r) => ledgerReply(r, notification))
      : ledgerReply(result, notification);
  }

  const handlerFailed = (error: unknown, notification: Notification): ReceiveResult =>
    report({
      ...errorReply(
        500,
        'handler_failed',
        'The merchant handler failed; the notification was not processed and may be retried.',
      ),
      outcome: 'failed',
      error,
      notification,
    });

  const busy = (notification: Notification): ReceiveResult =>
    report({
      ...errorReply(409, 'notification_in_progress', 'This notification is being processed; retry later.'),
      outcome: 'busy',
      notification,
    });

  const handlerFor = (notification: Notification) =>
    (notification.kind === 'deposit' ? options.onDeposit : options.onPayout) as
      | NotificationHandler<Notification, Ctx>
      | undefined;

  const noHandler = (notification: Notification) =>
    new Error(`no on${notification.kind === 'deposit' ? 'Deposit' : 'Payout'} handler is configured`);

  // The in-memory store's fast path: the same steps as `processWithStore` (claim, handler, complete
  // or release), called synchronously, so a delivery whose handler returns no promise settles
  // without a single await. Only the handler's own promise, if it returns one, is waited for.
  function processInMemory(
    memory: MemoryNotificationStore,
    key: string,
    notification: Notification,
    context: Ctx,
  ): ReceiveResult | Promise<ReceiveResult> {
    // Claimed only if the handler returns a promise: until then nothing else runs, so no other
    // delivery can see the key, and a synchronous handler's claim would be written only to be deleted.
    const state = memory.stateSync(key);
    if (state === 'done') return acknowledged('duplicate', notification);
    if (state === 'processing' || (SYNC_KEYS.length > 0 && SYNC_KEYS.includes(key)))
      return busy(notification);
    const handler = handlerFor(notification);
    let ran: unknown;
    SYNC_KEYS.push(key);
    try {
      if (!handler) throw noHandler(notification);
      ran = handler(notification, context);
    } catch (error) {
      return handlerFailed(error, notification);
    } finally {
      SYNC_KEYS.pop();
    }
    if (!isPromiseLike(ran)) {
      memory.completeSync(key, '', retentionMs);
      return acknowledged('processed', notification);
    }
    const token = nextToken();
    memory.claimSync(key, token, leaseMs);
    return Promise.resolve(ran).then(
      () => {
        memory.completeSync(key, token, retentionMs);
        return acknowledged('processed', notification);
      },
      (error: unknown) => {
        memory.releaseSync(key, token);
        return handlerFailed(error, notification);
      },
    );
  }

  function process(
    key: string,
    notification: Notification,
    context: Ctx,
  ): ReceiveResult | Promise<ReceiveResult> {
    if (ledgerInbox) return processLedger(key, notification, context, 'notification');
    const memory = syncMemoryStore(store);
    return memory
      ? processInMemory(memory, key, notification, context)
      : processWithStore(key, notification, context);
  }

  async function processWithStore(
    key: string,
    notification: Notification,
    context: Ctx,
  ): Promise<ReceiveResult> {
    const handler = handlerFor(notification);
    const token = nextToken();
    let claim: Awaited<ReturnType<NotificationStore['claim']>>;
    try {
      claim = await store.claim(key, token, leaseMs);
    } catch (error) {
      return report({
        ...errorReply(503, 'store_unavailable', 'The duplicate store is unavailable; retry later.'),
        outcome: 'failed',
        error,
        notification,
      });
    }
    if (claim === 'done') return acknowledged('duplicate', notification);
    if (claim === 'processing') return busy(notification);
    try {
      if (!handler) throw noHandler(notification);
      await handler(notification, context);
    } catch (error) {
      await store.release(key, token).catch(() => undefined);
      return handlerFailed(error, notification);
    }
    const completeError = await completeWithRetry(key, token);
    if (completeError !== undefined) {
      // The handler succeeded: acknowledge. The claim lease still blocks copies until it expires.
      callOnError(completeError, acknowledged('processed', notification));
    }
    return acknowledged('processed', notification);
  }

  function receive(rawBody: string | Uint8Array | ArrayBuffer, context: Ctx): Promise<ReceiveResult> {
    let result: ReceiveResult | Promise<ReceiveResult>;
    try {
      result = receiveOnce(rawBody, context);
    } catch (error) {
      // receiveOnce answers every refusal itself; anything else rejects, as from an async function.
      return Promise.reject(error);
    }
    if (result instanceof Promise) return result.then((r) => observed(r, context));
    return Promise.resolve(observed(result, context));
  }

  function observed(result: ReceiveResult, context: Ctx): ReceiveResult {
    if (options.onResult) {
      try {
        options.onResult(result, context);
      } catch {
        // Metrics must never change the reply.
      }
    }
    return result;
  }

  // Synchronous up to the first step that is not (a signature on Web Crypto, a store other than the
  // in-memory one, a handler returning a promise): a promise only where something is awaited.
  function receiveOnce(
    rawBody: string | Uint8Array | ArrayBuffer,
    context: Ctx,
  ): ReceiveResult | Promise<ReceiveResult> {
    let verified: Notification | Promise<Notification>;
    try {
      verified = verifyNotificationNow(rawBody, verifyOptions);
    } catch (error) {
      return rejected(error);
    }
    if (verified instanceof Promise)
      return verified.then(
        (notification) => receiveVerified(notification, context),
        (error: unknown) => rejected(error),
      );
    return receiveVerified(verified, context);
  }

  function receiveVerified(notification: Notification, context: Ctx): ReceiveResult | Promise<ReceiveResult> {
    const timeProblem = updateTimeProblem(notification.update_time, now());
    if (timeProblem) {
      const error = new DiamondPayNotificationError('notification_time_invalid', 400, timeProblem);
      return report({
        ...errorReply(400, error.code, error.message),
        outcome: 'rejected',
        error,
        notification,
      });
    }
    if (notification.update_time * 1000 < now() - retentionMs) {
      return report({
        ...errorReply(
          400,
          'notification_expired',
          `The notification's update_time is older than the retention (${retentionSeconds} s); it is refused so a replay cannot run a handler twice.`,
        ),
        outcome: 'rejected',
        notification,
      });
    }
    const key = notificationKey(notification);
    return once(key, notification, () => process(key, notification, context));
  }

  // Copies of one key in this process wait for the first one's result instead of queueing on the
  // store. A `run` that settled synchronously needs no entry: nothing else ran meanwhile.
  function once(
    key: string,
    notification: Notification,
    run: () => ReceiveResult | Promise<ReceiveResult>,
  ): ReceiveResult | Promise<ReceiveResult> {
    const running = inFlight.size === 0 ? undefined : inFlight.get(key);
    if (running) {
      return running.then((first) => {
        if (first.outcome === 'processed' || first.outcome === 'duplicate') {
          return acknowledged('duplicate', notification);
        }
        return { ...first, headers: { ...first.headers }, notification };
      });
    }
    const pending = run();
    if (!(pending instanceof Promise)) return pending;
    inFlight.set(key, pending);
    const forget = () => {
      inFlight.delete(key);
    };
    pending.then(forget, forget);
    return pending;
  }

  function precheck(request: PrecheckRequest, context: Ctx): ReceiveResult | undefined {
    if (request.method.toUpperCase() !== 'POST') {
      const r = errorReply(405, 'method_not_allowed', 'Notifications are delivered with POST.');
      return observed(
        report({ ...r, headers: { ...r.headers, allow: 'POST' }, outcome: 'rejected' }),
        context,
      );
    }
    const type = request.contentType?.toLowerCase();
    if (type && !type.includes('json')) {
      return observed(
        report({
          ...errorReply(
            415,
            'unsupported_media_type',
            'Notifications are JSON (Content-Type: application/json).',
          ),
          outcome: 'rejected',
        }),
        context,
      );
    }
    const length =
      request.contentLength == null || request.contentLength === ''
        ? Number.NaN
        : Number(request.contentLength);
    if (length > maxBodyBytes) return reject(tooLarge(maxBodyBytes), context);
    return undefined;
  }

  function reject(error: unknown, context: Ctx): ReceiveResult {
    return observed(rejected(error), context);
  }

  async function handle(
    request: NotificationRequest,
    context: Ctx,
    handleOptions?: HandleOptions,
  ): Promise<ReceiveResult> {
    const contentLength = headerValue(request.headers, 'content-length');
    const early = precheck(
      { method: request.method, contentType: headerValue(request.headers, 'content-type'), contentLength },
      context,
    );
    if (early) return early;
    const body = request.body;
    if (body === undefined) return reject(rawBodyUnavailable(handleOptions?.rawBodyHint), context);
    // Bytes or text an adapter already holds: size and encoding are checked by receive().
    if (typeof body === 'string' || body instanceof Uint8Array || body instanceof ArrayBuffer) {
      return receive(body, context);
    }
    if (body === null) return receive('', context);
    let bytes: Uint8Array;
    try {
      bytes = await readBodyLimited(
        body as ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
        maxBodyBytes,
        contentLength,
        handleOptions?.rawBodyHint,
      );
    } catch (error) {
      const result = reject(error, context);
      // The rest of the body may be unread: do not reuse the connection.
      result.headers.connection = 'close';
      return result;
    }
    return receive(bytes, context);
  }

  async function handleRequest(request: IncomingNotificationRequest, context: Ctx): Promise<Response> {
    const result = await handle(
      { method: request.method, headers: request.headers, body: request.body ?? null },
      context,
    );
    return new Response(result.body, { status: result.status, headers: result.headers });
  }

  async function applyQueried(queried: QueriedOrder, context: Ctx): Promise<ReceiveResult> {
    if (!ledgerInbox) {
      return report({
        ...errorReply(500, 'ledger_required', 'applyQueried needs a receiver created with a ledger.'),
        outcome: 'rejected',
        error: new Error('applyQueried needs a receiver created with a ledger'),
      });
    }
    const notification = ledgerInbox.notificationFromQuery(queried, options.platformId, now());
    const key = notificationKey(notification);
    return observed(
      await once(key, notification, () => processLedger(key, notification, context, 'reconciliation')),
      context,
    );
  }

  return { receive, handle, handleRequest, precheck, reject, maxBodyBytes, ledger, applyQueried };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
