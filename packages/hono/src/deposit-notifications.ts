// `depositNotifications()`: the gateway's notification route as a Hono handler. It finds the raw body,
// hands it to core's `receiver.handle` and returns core's answer unchanged; no protocol logic lives here.
import {
  createNotificationReceiver,
  type DepositNotification,
  type DiamondPayConfig,
  MemoryNotificationStore,
  type NotificationReceiver,
  type NotificationReceiverOptions,
  type NotificationRequest,
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
  extends Omit<NotificationReceiverOptions, 'onDeposit' | 'onPayout' | 'onResult'>,
    Partial<Omit<DiamondPayConfig, 'platformId' | 'platformKey' | 'now'>> {
  /** Runs once per (payment_id, status), after the signature verified; throw to have the gateway retry. */
  onDeposit: (notification: DepositNotification, c: Context<E>) => unknown;
  /** Payout notifications sent to the same route; without it they are refused (and retried). */
  onPayout?: (notification: PayoutNotification, c: Context<E>) => unknown;
  /** Called once for every delivery with its result, whatever the outcome (metrics, logs). Must not throw. */
  onResult?: (result: ReceiveResult, c: Context<E>) => void;
}

/** What the receiver is given per delivery: the request's context and its options' handlers. */
interface Delivery<E extends Env> {
  c: Context<E>;
  options: DepositNotificationsOptions<E>;
}

// The receiver is identified by these (handlers travel with each delivery, so an inline
// `onDeposit` in the function form does not rebuild it). Presence of each callback counts, not identity.
const RECEIVER_FIELDS = [
  'platformId',
  'store',
  'retentionSeconds',
  'processingTimeoutSeconds',
  'maxBodyBytes',
  'acceptMd5',
  'onError',
  'now',
  'hasDeposit',
  'hasPayout',
  'hasResult',
] as const;
type Keyed<E extends Env> = DepositNotificationsOptions<E> & {
  hasDeposit: boolean;
  hasPayout: boolean;
  hasResult: boolean;
};

/**
 * The notification route: `app.post('/notify', depositNotifications({ ...config, onDeposit }))`.
 * Answers `{"error_code":"0000"}` only after `onDeposit` succeeded (or for a duplicate). Pass a
 * function `(c) => options` to read secrets from `env(c)`; the receiver is then built once per
 * distinct options. The default duplicate store is in memory, per process or isolate.
 */
export function depositNotifications<E extends Env = any>(
  options: DepositNotificationsOptions<E> | ((c: Context<E>) => DepositNotificationsOptions<E>),
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

  const build = (o: DepositNotificationsOptions<E>): NotificationReceiver<Delivery<E>> =>
    createNotificationReceiver<Delivery<E>>({
      platformId: o.platformId,
      platformKey: o.platformKey,
      store: o.store ?? defaultStore(o.now),
      retentionSeconds: o.retentionSeconds,
      processingTimeoutSeconds: o.processingTimeoutSeconds,
      maxBodyBytes: o.maxBodyBytes,
      acceptMd5: o.acceptMd5,
      onError: o.onError,
      now: o.now,
      onDeposit: o.onDeposit && ((n, d) => d.options.onDeposit(n, d.c)),
      onPayout: o.onPayout && ((n, d) => d.options.onPayout!(n, d.c)),
      onResult: o.onResult && ((r, d) => d.options.onResult!(r, d.c)),
    });

  let receiverFor: (o: DepositNotificationsOptions<E>) => NotificationReceiver<Delivery<E>>;
  if (typeof options === 'function') {
    const memo = memoizeByOptions<Keyed<E>, NotificationReceiver<Delivery<E>>>(
      RECEIVER_FIELDS,
      ['platformKey'],
      build,
    );
    receiverFor = (o) =>
      memo({ ...o, hasDeposit: !!o.onDeposit, hasPayout: !!o.onPayout, hasResult: !!o.onResult });
  } else {
    // Static options: build now, so a configuration mistake fails at startup.
    const receiver = build(options);
    receiverFor = () => receiver;
  }

  return async (c) => {
    const o = typeof options === 'function' ? options(c) : options;
    const reply = await receiverFor(o).handle(await notificationRequest(c), { c, options: o }, RAW_BODY_HINT);
    return new Response(reply.body, { status: reply.status, headers: reply.headers });
  };
}

const RAW_BODY_HINT = {
  rawBodyHint:
    'Mount the notification route before middleware that reads the body, or read it there with c.req.text() or c.req.arrayBuffer() (Hono caches those bytes).',
};

/** The parts of Node's `IncomingMessage` used here (no `node:` import: this file also runs on the edge). */
interface NodeIncoming {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  readableDidRead?: boolean;
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
