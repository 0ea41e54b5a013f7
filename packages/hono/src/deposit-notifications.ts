// `depositNotifications()`: the gateway's notification route as a Hono handler. It finds the raw body,
// hands it to core's `receiver.handle` and returns core's answer unchanged; no protocol logic lives here.
import {
  createNotificationReceiver,
  type DepositNotification,
  type DiamondPayConfig,
  type DiscrepancyEvent,
  type Ledger,
  type LedgerHandlerContext,
  MemoryNotificationStore,
  type NotificationReceiver,
  type NotificationReceiverOptions,
  type NotificationRequest,
  type NotificationStore,
  type PayoutNotification,
  type ReceiveResult,
} from '@diamondpay/core';
import type { Context, Env, Handler } from 'hono';
import { memoizeByOptions } from './options-cache.js';

/**
 * Receiver options plus the connection options `diamondPay()` takes (only `platformId` and
 * `platformKey` are used here), so one config object serves both: `{ ...config, onDeposit }`.
 */
export interface DepositNotificationsOptions<E extends Env = any>
  extends Omit<
      NotificationReceiverOptions,
      'onDeposit' | 'onPayout' | 'onResult' | 'store' | 'ledger' | 'onDiscrepancy'
    >,
    Partial<Omit<DiamondPayConfig, 'platformId' | 'platformKey' | 'now' | 'ledger'>> {
  /** Runs once per (payment_id, status), after the signature verified; throw to have the gateway retry. */
  onDeposit: (notification: DepositNotification, c: Context<E>) => unknown;
  /** Payout notifications sent to the same route; without it they are refused (and retried). */
  onPayout?: ((notification: PayoutNotification, c: Context<E>) => unknown) | undefined;
  /** Called once for every delivery with its result, whatever the outcome (metrics, logs). Must not throw. */
  onResult?: ((result: ReceiveResult, c: Context<E>) => void) | undefined;
  /** Duplicate tracking; default in memory (per process or isolate). Not with `ledger`. */
  store?: NotificationStore | undefined;
  /**
   * A ledger (`MemoryLedger`, `@diamondpay/postgres`): each notification in one transaction. Give
   * it as a `Ledger` (not optional) to get `LedgerDepositNotificationsOptions`' typed `{ tx, order }`.
   */
  ledger?: Ledger | undefined;
  /** With a ledger: runs instead of `onDeposit` for a status that contradicts the record. */
  onDiscrepancy?: ((event: DiscrepancyEvent, c: Context<E>) => unknown) | undefined;
}

/**
 * The options with a ledger: handlers get `{ tx, order, source }` as their third argument and run
 * inside the ledger's transaction (`tx.query` commits or rolls back with the notification's record).
 */
export interface LedgerDepositNotificationsOptions<E extends Env = any>
  extends Omit<
    DepositNotificationsOptions<E>,
    'onDeposit' | 'onPayout' | 'onDiscrepancy' | 'store' | 'ledger'
  > {
  ledger: Ledger;
  /** Refused with a ledger (its inbox is the duplicate record). */
  store?: undefined;
  /** Runs once per (payment_id, status) for a forward transition, in the ledger's transaction. */
  onDeposit: (notification: DepositNotification, c: Context<E>, ledger: LedgerHandlerContext) => unknown;
  onPayout?:
    | ((notification: PayoutNotification, c: Context<E>, ledger: LedgerHandlerContext) => unknown)
    | undefined;
  /** Runs instead of `onDeposit` for a status that contradicts the record. Default: `console.warn`. */
  onDiscrepancy?:
    | ((event: DiscrepancyEvent, c: Context<E>, ledger: LedgerHandlerContext) => unknown)
    | undefined;
}

type AnyOptions<E extends Env> = DepositNotificationsOptions<E> | LedgerDepositNotificationsOptions<E>;

/** What the receiver is given per delivery: the request's context and its options' handlers. */
interface Delivery<E extends Env> {
  c: Context<E>;
  options: AnyOptions<E>;
}

// The receiver is identified by these (handlers travel with each delivery, so an inline
// `onDeposit` in the function form does not rebuild it). Presence of each callback counts, not identity.
const RECEIVER_FIELDS = [
  'platformId',
  'store',
  'ledger',
  'retentionSeconds',
  'processingTimeoutSeconds',
  'maxBodyBytes',
  'acceptMd5',
  'onError',
  'now',
  'hasDeposit',
  'hasPayout',
  'hasResult',
  'hasDiscrepancy',
] as const;
type Keyed<E extends Env> = AnyOptions<E> & {
  hasDeposit: boolean;
  hasPayout: boolean;
  hasResult: boolean;
  hasDiscrepancy: boolean;
};

/**
 * The notification route: `app.post('/notify', depositNotifications({ ...config, onDeposit }))`.
 * Answers `{"error_code":"0000"}` only after `onDeposit` succeeded (or for a duplicate). Pass a
 * function `(c) => options` to read secrets from `env(c)`; the receiver is then built once per
 * distinct options. The default duplicate store is in memory, per process or isolate. With
 * `ledger`, handlers get `{ tx, order, source }` as a third argument.
 */
export function depositNotifications<E extends Env = any>(
  options: LedgerDepositNotificationsOptions<E> | ((c: Context<E>) => LedgerDepositNotificationsOptions<E>),
): Handler<E>;
export function depositNotifications<E extends Env = any>(
  options: DepositNotificationsOptions<E> | ((c: Context<E>) => DepositNotificationsOptions<E>),
): Handler<E>;
export function depositNotifications<E extends Env = any>(
  options: AnyOptions<E> | ((c: Context<E>) => AnyOptions<E>),
): Handler<E> {
  // One default store per handler and clock, shared by every receiver it builds, so a rebuilt
  // receiver (rotated key, evicted cache entry) still knows what was processed.
  const defaultStores = new Map<unknown, MemoryNotificationStore>();
  const defaultStore = (now: (() => number) | undefined) => {
    let store = defaultStores.get(now);
    if (!store) {
      store = new MemoryNotificationStore({ now });
      defaultStores.set(now, store);
    }
    return store;
  };

  const build = (o: AnyOptions<E>): NotificationReceiver<Delivery<E>> => {
    const common = {
      platformId: o.platformId,
      platformKey: o.platformKey,
      retentionSeconds: o.retentionSeconds,
      processingTimeoutSeconds: o.processingTimeoutSeconds,
      maxBodyBytes: o.maxBodyBytes,
      acceptMd5: o.acceptMd5,
      onError: o.onError,
      now: o.now,
      onResult: o.onResult && ((r: ReceiveResult, d: Delivery<E>) => d.options.onResult!(r, d.c)),
    };
    // Presence decides which handlers core sees; each delivery calls its own options' handlers.
    const hasDeposit = (o.onDeposit as unknown) !== undefined;
    if (o.ledger) {
      const withLedger = (d: Delivery<E>) => d.options as LedgerDepositNotificationsOptions<E>;
      return createNotificationReceiver<Delivery<E>>({
        ...common,
        ledger: o.ledger,
        store: o.store as undefined,
        onDeposit: hasDeposit ? (n, d, l) => withLedger(d).onDeposit(n, d.c, l) : undefined,
        onPayout: o.onPayout && ((n, d, l) => withLedger(d).onPayout!(n, d.c, l)),
        onDiscrepancy: o.onDiscrepancy && ((e, d, l) => withLedger(d).onDiscrepancy!(e, d.c, l)),
      });
    }
    const plain = (d: Delivery<E>) => d.options as DepositNotificationsOptions<E>;
    return createNotificationReceiver<Delivery<E>>({
      ...common,
      store: o.store ?? defaultStore(o.now),
      onDeposit: hasDeposit ? (n, d) => plain(d).onDeposit(n, d.c) : undefined,
      onPayout: o.onPayout && ((n, d) => plain(d).onPayout!(n, d.c)),
    });
  };

  let receiverFor: (o: AnyOptions<E>) => NotificationReceiver<Delivery<E>>;
  if (typeof options === 'function') {
    const memo = memoizeByOptions<Keyed<E>, NotificationReceiver<Delivery<E>>>(
      RECEIVER_FIELDS,
      ['platformKey'],
      build,
    );
    receiverFor = (o) =>
      memo({
        ...o,
        hasDeposit: !!o.onDeposit,
        hasPayout: !!o.onPayout,
        hasResult: !!o.onResult,
        hasDiscrepancy: !!o.onDiscrepancy,
      });
  } else {
    // Static options: build now, so a configuration mistake fails at startup.
    const receiver = build(options);
    receiverFor = () => receiver;
  }

  return async (c) => {
    const o = typeof options === 'function' ? options(c) : options;
    const reply = await receiverFor(o).handle(await notificationRequest(c), { c, options: o }, RAW_BODY_HINT);
    if (reply.status >= 500) reportFailure(c, reply, o.onError !== undefined);
    return new Response(reply.body, { status: reply.status, headers: reply.headers });
  };
}

/**
 * A 5xx reply (a throwing handler, a consumed body, a store down) is visible by default: on `c.error`, where
 * error-tracking middleware looks after `await next()`, and printed with `console.error` unless `onError`
 * was given (it then received the error already).
 */
function reportFailure(c: Context, reply: ReceiveResult, hasOnError: boolean): void {
  const error =
    reply.error instanceof Error
      ? reply.error
      : new Error(`Diamond Pay notification answered ${reply.status}: ${reply.body}`, { cause: reply.error });
  c.error = error;
  if (!hasOnError) console.error(`Diamond Pay notification ${reply.outcome} (${reply.status}):`, error);
}

const RAW_BODY_HINT = {
  rawBodyHint:
    'Mount the notification route before middleware that reads the body, or read it there with c.req.text() or c.req.arrayBuffer() (Hono caches those bytes).',
};

/** The parts of Node's `IncomingMessage` used here (no `node:` import: this file also runs on the edge). */
interface NodeIncoming {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  readableDidRead?: boolean | undefined;
  on?: unknown;
}

/**
 * The request as plain values for core: on @hono/node-server the Node request's own stream and
 * header record (building Hono's Web `Request` costs more than verifying the notification); else
 * Hono's raw request; when a middleware already read the body through `c.req` (which caches the
 * exact bytes), those bytes; when only a parsed object is left, `undefined` (core answers 500).
 */
async function notificationRequest(c: Context): Promise<NotificationRequest> {
  const incoming = (c.env as { incoming?: NodeIncoming } | undefined)?.incoming;
  if (
    typeof incoming?.on === 'function' &&
    incoming.readableDidRead === false &&
    !('rawBody' in incoming) &&
    Object.keys(c.req.bodyCache).length === 0
  ) {
    return {
      method: incoming.method,
      headers: incoming.headers,
      body: incoming as unknown as AsyncIterable<Uint8Array>,
    };
  }
  const raw = c.req.raw;
  if (!raw.bodyUsed) return { method: raw.method, headers: raw.headers, body: raw.body };
  const cache = c.req.bodyCache;
  // Only a parsed object left (older Hono cached `json()` that way): its numbers may have changed,
  // so the signature cannot be checked against it.
  const body = cache.arrayBuffer || cache.text || cache.blob ? await c.req.arrayBuffer() : undefined;
  return { method: raw.method, headers: raw.headers, body };
}
