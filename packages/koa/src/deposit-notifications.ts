// The notification middleware. It only moves bytes: it finds the raw body (a body parser's raw copy,
// or the unread request stream), hands it to core's `receiver.handle` (which checks method, type and
// size and reads the stream with the limit) and writes core's reply back unchanged. What the body means, and what to answer, is core's business.

import type { IncomingMessage } from 'node:http';
import {
  createNotificationReceiver,
  type DepositNotification,
  type DiamondPayConfig,
  type DiscrepancyHandler,
  type Ledger,
  type LedgerNotificationHandler,
  type NotificationHandler,
  type NotificationReceiverOptions,
  type NotificationReply,
  type NotificationStore,
  type PayoutNotification,
} from '@diamondpay/core';
import type { DefaultContext, DefaultState, Middleware, ParameterizedContext } from 'koa';

/** The route `diamondPayRouter()` mounts when no `path` is given (core's protocol constants, also `PAYOUT_NOTIFICATION_PATH`). */
export { DEPOSIT_NOTIFICATION_PATH } from '@diamondpay/core';

/**
 * Connection options (the object given to `diamondPay()` may be passed as is) plus the receiver's
 * options and the handler.
 */
export interface DepositNotificationsOptions<StateT = DefaultState, ContextT = DefaultContext>
  extends Omit<Partial<DiamondPayConfig>, 'platformId' | 'platformKey' | 'now' | 'ledger'>,
    Omit<
      NotificationReceiverOptions<ParameterizedContext<StateT, ContextT>>,
      'onDeposit' | 'onPayout' | 'store' | 'ledger' | 'onDiscrepancy'
    > {
  /** Runs once per (payment_id, status) with the verified notification; throw to have the gateway retry. */
  onDeposit: NotificationHandler<DepositNotification, ParameterizedContext<StateT, ContextT>>;
  /** Runs once per (payout_id, status) for payout notifications sent to this route; without it they are refused. */
  onPayout?: NotificationHandler<PayoutNotification, ParameterizedContext<StateT, ContextT>> | undefined;
  /** Handle only requests to this path and pass others on (for `app.use()` without a router). */
  path?: string | undefined;
  /** Duplicate tracking; default in memory (one process). Not with `ledger`. */
  store?: NotificationStore | undefined;
  /**
   * A ledger (`MemoryLedger`, `@diamondpay/postgres`): each notification in one transaction. Give
   * it as a `Ledger` (not optional) to get `LedgerDepositNotificationsOptions`' typed `{ tx, order }`.
   */
  ledger?: Ledger | undefined;
  /** With a ledger: runs instead of `onDeposit` for a status that contradicts the record. */
  onDiscrepancy?:
    | ((
        event: Parameters<DiscrepancyHandler<ParameterizedContext<StateT, ContextT>>>[0],
        ctx: ParameterizedContext<StateT, ContextT>,
      ) => unknown)
    | undefined;
}

/**
 * The options with a ledger: `onDeposit(notification, ctx, { tx, order, source })` runs inside the
 * ledger's transaction (`tx.query` commits or rolls back with the notification's record).
 */
export interface LedgerDepositNotificationsOptions<StateT = DefaultState, ContextT = DefaultContext>
  extends Omit<
    DepositNotificationsOptions<StateT, ContextT>,
    'onDeposit' | 'onPayout' | 'store' | 'ledger' | 'onDiscrepancy'
  > {
  ledger: Ledger;
  /** Refused with a ledger (its inbox is the duplicate record). */
  store?: undefined;
  /** Runs once per (payment_id, status) for a forward transition, in the ledger's transaction. */
  onDeposit: LedgerNotificationHandler<DepositNotification, ParameterizedContext<StateT, ContextT>>;
  /** Payout notifications, in the ledger's transaction; without it they are refused. */
  onPayout?:
    | LedgerNotificationHandler<PayoutNotification, ParameterizedContext<StateT, ContextT>>
    | undefined;
  /** Runs instead of `onDeposit` for a status that contradicts the record. Default: `console.warn`. */
  onDiscrepancy?: DiscrepancyHandler<ParameterizedContext<StateT, ContextT>> | undefined;
}

// koa-body keeps the unparsed text here when `includeUnparsed: true`.
const KOA_BODY_UNPARSED = Symbol.for('unparsedBody');

const RAW_BODY_FIX =
  'Mount the notification route before the body parser, or keep the raw body (@koa/bodyparser does by default, ' +
  'in ctx.request.rawBody; koa-body needs includeUnparsed: true).';

/**
 * Koa middleware for deposit notifications: verifies the raw body with core's receiver, runs
 * `onDeposit` once per notification and answers exactly what core decides.
 * Mount it on a POST route, or with `path` on the app.
 */
export function depositNotifications<StateT = DefaultState, ContextT = DefaultContext>(
  options: LedgerDepositNotificationsOptions<StateT, ContextT>,
): Middleware<StateT, ContextT>;
export function depositNotifications<StateT = DefaultState, ContextT = DefaultContext>(
  options: DepositNotificationsOptions<StateT, ContextT>,
): Middleware<StateT, ContextT>;
export function depositNotifications<StateT = DefaultState, ContextT = DefaultContext>(
  options:
    | DepositNotificationsOptions<StateT, ContextT>
    | LedgerDepositNotificationsOptions<StateT, ContextT>,
): Middleware<StateT, ContextT> {
  type Ctx = ParameterizedContext<StateT, ContextT>;
  const common = {
    platformId: options.platformId,
    platformKey: options.platformKey,
    retentionSeconds: options.retentionSeconds,
    processingTimeoutSeconds: options.processingTimeoutSeconds,
    maxBodyBytes: options.maxBodyBytes,
    acceptMd5: options.acceptMd5,
    onError: options.onError,
    onResult: options.onResult,
    now: options.now,
  };
  // With a ledger core calls the handlers with a third argument, `{ tx, order, source }`.
  const receiver = options.ledger
    ? createNotificationReceiver<Ctx>({
        ...common,
        ledger: options.ledger,
        store: options.store as undefined,
        onDeposit: options.onDeposit as LedgerNotificationHandler<DepositNotification, Ctx>,
        onPayout: options.onPayout as LedgerNotificationHandler<PayoutNotification, Ctx> | undefined,
        onDiscrepancy: options.onDiscrepancy as DiscrepancyHandler<Ctx> | undefined,
      })
    : createNotificationReceiver<Ctx>({
        ...common,
        store: options.store,
        onDeposit: options.onDeposit as NotificationHandler<DepositNotification, Ctx>,
        onPayout: options.onPayout as NotificationHandler<PayoutNotification, Ctx> | undefined,
      });
  const path = options.path;

  const answer = async (ctx: Ctx): Promise<NotificationReply> => {
    const body = rawBodyFromParser(ctx.request as { rawBody?: unknown; body?: unknown }) ?? unreadStream(ctx);
    const result = await receiver.handle({ method: ctx.method, headers: ctx.req.headers, body }, ctx, {
      rawBodyHint: RAW_BODY_FIX,
    });
    // Every 5xx (a throwing handler, a consumed body, a store down) also goes through Koa's error channel,
    // so it shows in the app's logs (Koa prints it unless `app.silent`) and in its error tracking.
    if (result.status >= 500) ctx.app.emit('error', asError(result), ctx);
    return result;
  };

  return async function diamondPayDepositNotifications(ctx, next) {
    if (path !== undefined && ctx.path !== path) return next();
    const reply = await answer(ctx);
    ctx.status = reply.status;
    ctx.set(reply.headers);
    ctx.body = reply.body;
  };
}

/** What `app.on('error')` gets for a 5xx reply: the receiver's error, or one describing the reply. */
function asError(result: NotificationReply & { error?: unknown }): Error {
  const error = result.error;
  if (error instanceof Error) return error;
  return new Error(`Diamond Pay notification answered ${result.status}: ${result.body}`, { cause: error });
}

/** The request stream when nothing has read from it, else `undefined` (a parser consumed it). */
function unreadStream(ctx: { req: IncomingMessage }): IncomingMessage | undefined {
  return ctx.req.readableDidRead ? undefined : ctx.req;
}

/** The raw text a body parser kept: @koa/bodyparser's `rawBody`, or koa-body's unparsed body. */
function rawBodyFromParser(request: { rawBody?: unknown; body?: unknown }): string | undefined {
  if (typeof request.rawBody === 'string') return request.rawBody;
  const body = request.body as Record<symbol, unknown> | undefined;
  const unparsed = typeof body === 'object' && body !== null ? body[KOA_BODY_UNPARSED] : undefined;
  return typeof unparsed === 'string' ? unparsed : undefined;
}
