// `@diamondpay/koa/router`: the @koa/router plugin. A separate entry, so @koa/router stays an optional
// peer dependency for apps that mount `depositNotifications()` themselves.
import Router from '@koa/router';
import type { DefaultContext, DefaultState } from 'koa';
import {
  DEPOSIT_NOTIFICATION_PATH,
  type DepositNotificationsOptions,
  depositNotifications,
  type LedgerDepositNotificationsOptions,
} from './deposit-notifications.js';

export interface DiamondPayRouterOptions<StateT = DefaultState, ContextT = DefaultContext>
  extends DepositNotificationsOptions<StateT, ContextT> {
  /** Router prefix, e.g. `/webhooks`. */
  prefix?: string | undefined;
  /** Route of the notification, under `prefix`. Default `DEPOSIT_NOTIFICATION_PATH` (`/diamondpay/notifications/deposit`). */
  path?: string | undefined;
}

/** The router options with a ledger: `onDeposit(notification, ctx, { tx, order, source })`. */
export interface LedgerDiamondPayRouterOptions<StateT = DefaultState, ContextT = DefaultContext>
  extends LedgerDepositNotificationsOptions<StateT, ContextT> {
  /** Router prefix, e.g. `/webhooks`. */
  prefix?: string | undefined;
  /** Route of the deposit notification, under `prefix`. Default `/diamondpay/notifications/deposit`. */
  path?: string | undefined;
}

/**
 * A `@koa/router` instance with the deposit notification route mounted, for `app.use(router.routes())`.
 * Other methods on that route get core's 405 reply.
 */
export function diamondPayRouter<StateT = DefaultState, ContextT = DefaultContext>(
  options: LedgerDiamondPayRouterOptions<StateT, ContextT>,
): Router<StateT, ContextT>;
export function diamondPayRouter<StateT = DefaultState, ContextT = DefaultContext>(
  options: DiamondPayRouterOptions<StateT, ContextT>,
): Router<StateT, ContextT>;
export function diamondPayRouter<StateT = DefaultState, ContextT = DefaultContext>(
  options: DiamondPayRouterOptions<StateT, ContextT> | LedgerDiamondPayRouterOptions<StateT, ContextT>,
): Router<StateT, ContextT> {
  const { prefix, path = DEPOSIT_NOTIFICATION_PATH, ...receiverOptions } = options;
  const router = new Router<StateT, ContextT>(prefix === undefined ? {} : { prefix });
  // One implementation behind both overloads: the options go through as they came.
  router.all(
    path,
    depositNotifications<StateT, ContextT>(receiverOptions as DepositNotificationsOptions<StateT, ContextT>),
  );
  return router;
}
