import type {
  DepositNotification,
  DiamondPayConfig,
  DiscrepancyEvent,
  LedgerHandlerContext,
  NotificationReceiverOptions,
  PayoutNotification,
  ReconcilerOptions,
} from '@diamondpay/core';

/** A decorator for the notification route, e.g. your `Public()` (a `SetMetadata`) so global guards let it through. */
export type DiamondPayRouteDecorator = ClassDecorator | MethodDecorator;

/** What shapes the notification route itself; fixed when the module is defined. */
export interface DiamondPayNotificationRouteOptions {
  /** Controller path of the notification route. Default `'diamondpay/notifications/deposit'`. */
  path?: string | undefined;
  /** Decorators applied to the route handler (metadata lookups on the handler or `[handler, class]` see them). */
  decorators?: DiamondPayRouteDecorator[] | undefined;
}

/**
 * The notification receiver's options (`createNotificationReceiver` in `@diamondpay/core`): store,
 * retentionSeconds, processingTimeoutSeconds, maxBodyBytes, acceptMd5, onError (default: Nest's
 * `Logger`), onResult (called with the platform's request). Connection and handler come from the module;
 * so does the ledger (the module's `ledger` serves the create outbox and the notification inbox).
 */
export interface DiamondPayNotificationOptions
  extends DiamondPayNotificationRouteOptions,
    Omit<
      NotificationReceiverOptions<any>,
      'platformId' | 'platformKey' | 'onDeposit' | 'onPayout' | 'now' | 'ledger' | 'onDiscrepancy'
    > {
  /**
   * With the module's `ledger`: runs instead of the `@OnDepositNotification()` method for a status that
   * contradicts the record (paid after cancelled, another amount), in the same transaction. Default: logged.
   */
  onDiscrepancy?:
    | ((event: DiscrepancyEvent, ledger: LedgerHandlerContext, request: any) => unknown)
    | undefined;
}

/**
 * `DiamondPayModule.forRoot()` options: the client's connection options (with `ledger`, creates go
 * through the outbox and notifications through the ledger's inbox), plus the notification route.
 */
export interface DiamondPayModuleOptions extends DiamondPayConfig {
  /** Serve the notification route (and require an `@OnDepositNotification()` or `@OnPayoutNotification()` handler). */
  notifications?: DiamondPayNotificationOptions | undefined;
  /**
   * Run core's reconciler with the app (started on bootstrap, stopped, awaiting its running pass, on
   * shutdown). Needs `ledger` and `notifications`. Reconciled statuses reach the handler with
   * `source: 'reconciliation'` and no request.
   */
  reconciler?: DiamondPayReconcilerOptions | undefined;
}

/** `reconciler` options: core's `createReconciler` options (the client, receiver and ledger are the module's). */
export interface DiamondPayReconcilerOptions
  extends Omit<ReconcilerOptions<any>, 'client' | 'receiver' | 'ledger' | 'context'> {
  /** Milliseconds between passes, e.g. 30 000. */
  intervalMs: number;
}

/**
 * The signature of an `@OnDepositNotification()` method: the verified notification and the platform's request
 * (Express `Request` or `FastifyRequest`). Throw to have the gateway deliver it again later.
 */
export type DepositNotificationHandler<Req = any> = (
  notification: DepositNotification,
  request: Req,
) => unknown;

/**
 * With the module's `ledger`, an `@OnDepositNotification()` method is called with the ledger's
 * `{ tx, order, source }` as its second parameter (the request moves to the third): it runs inside
 * the ledger's transaction, so `tx.query` commits or rolls back with the notification's record.
 */
export type LedgerDepositNotificationHandler<Req = any> = (
  notification: DepositNotification,
  ledger: LedgerHandlerContext,
  request: Req,
) => unknown;

/**
 * The signature of an `@OnPayoutNotification()` method: the verified payout notification and the platform's
 * request. Throw to have the gateway deliver it again later.
 */
export type PayoutNotificationHandler<Req = any> = (
  notification: PayoutNotification,
  request: Req,
) => unknown;

/** A class for `forRootAsync({ useClass })` / `useExisting`: returns the module options. */
export interface DiamondPayOptionsFactory {
  createDiamondPayOptions(): DiamondPayModuleOptions | Promise<DiamondPayModuleOptions>;
}
