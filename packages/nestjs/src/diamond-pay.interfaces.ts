import type {
  DepositNotification,
  DiamondPayConfig,
  NotificationStore,
  ReceiveResult,
} from '@diamondpay/core';

/** A decorator for the notification route, e.g. your `Public()` (a `SetMetadata`) so global guards let it through. */
export type DiamondPayRouteDecorator = ClassDecorator | MethodDecorator;

/** What shapes the notification route itself; fixed when the module is defined. */
export interface DiamondPayNotificationRouteOptions {
  /** Controller path of the notification route. Default `'diamondpay/notifications/deposit'`. */
  path?: string;
  /** Decorators applied to the route handler (metadata lookups on the handler or `[handler, class]` see them). */
  decorators?: DiamondPayRouteDecorator[];
}

/** The notification receiver's options (see `createNotificationReceiver` in `@diamondpay/core`). */
export interface DiamondPayNotificationOptions extends DiamondPayNotificationRouteOptions {
  /** Duplicate tracking shared by your instances; default an in-memory store (single instance). */
  store?: NotificationStore;
  /** How long processed notifications are remembered, in seconds. Default 86 400; at least 7 200. */
  retentionSeconds?: number;
  /** How long a handler may run, in seconds, before another delivery of the same notification may. Default 300. */
  processingTimeoutSeconds?: number;
  /** Largest accepted body in bytes. Default 65 536. */
  maxBodyBytes?: number;
  /** Accept MD5-signed notifications. Default true. */
  acceptMd5?: boolean;
  /** Called for every refused or failed notification; default: logged with Nest's `Logger`. */
  onError?: (error: unknown, result: ReceiveResult) => void;
  /** Called once for every delivery with its result, whatever the outcome (metrics); must not throw. */
  onResult?: (result: ReceiveResult, request: any) => void;
}

/** `DiamondPayModule.forRoot()` options: the client's connection options, plus the notification route. */
export interface DiamondPayModuleOptions extends DiamondPayConfig {
  /** Serve the notification route (and require one `@OnDepositNotification()` handler). */
  notifications?: DiamondPayNotificationOptions;
}

/**
 * The signature of an `@OnDepositNotification()` method: the verified notification and the platform's request
 * (Express `Request` or `FastifyRequest`). Throw to have the gateway deliver it again later.
 */
export type DepositNotificationHandler<Req = any> = (
  notification: DepositNotification,
  request: Req,
) => unknown;

/** A class for `forRootAsync({ useClass })` / `useExisting`: returns the module options. */
export interface DiamondPayOptionsFactory {
  createDiamondPayOptions(): DiamondPayModuleOptions | Promise<DiamondPayModuleOptions>;
}
