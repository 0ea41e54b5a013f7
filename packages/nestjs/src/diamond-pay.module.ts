import { DiamondPay } from '@diamondpay/core';
import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import {
  DIAMONDPAY_CLIENT,
  DIAMONDPAY_NOTIFICATION_ROUTE,
  DIAMONDPAY_OPTIONS,
} from './diamond-pay.constants.js';
import type {
  DiamondPayModuleOptions,
  DiamondPayNotificationOptions,
  DiamondPayNotificationRouteOptions,
} from './diamond-pay.interfaces.js';
import {
  ASYNC_OPTIONS_TYPE,
  DiamondPayConfigurableModule,
  OPTIONS_TYPE,
} from './diamond-pay.module-definition.js';
import { DiamondPayService } from './diamond-pay.service.js';
import {
  createNotificationController,
  type NotificationRoute,
  notificationRoute,
} from './diamond-pay-notification.controller.js';
import { DiamondPayNotificationService } from './diamond-pay-notification.service.js';

/** `forRoot()` options: the client's connection options, `notifications` (`true` for the defaults) and `isGlobal`. */
export type DiamondPayModuleSyncOptions = Omit<typeof OPTIONS_TYPE, 'notifications'> & {
  /** Serve the notification route: `true` (default path and receiver options) or the options themselves. */
  notifications?: true | DiamondPayNotificationOptions | undefined;
};

/** `forRootAsync()` options: `useFactory`/`useClass`/`useExisting`, plus the notification route's shape. */
export type DiamondPayModuleAsyncOptions = typeof ASYNC_OPTIONS_TYPE & {
  /**
   * Serve the notification route: `true` (default path) or `{ path, decorators }`. Given here, not by the
   * factory, because Nest fixes routes before any factory runs. The factory's `notifications` holds the rest.
   */
  notifications?: true | DiamondPayNotificationRouteOptions | undefined;
};

/**
 * Diamond Pay for NestJS: provides `DiamondPayService` and the `DiamondPay` client (`@InjectDiamondPay()`), and,
 * with `notifications`, a route that verifies gateway notifications and runs your `@OnDepositNotification()`.
 */
@Module({})
export class DiamondPayModule extends DiamondPayConfigurableModule {
  // `super.forRoot()` (not `DiamondPayConfigurableModule.forRoot()`): the builder's static methods return
  // `{ module: this }`, so the dynamic module is `DiamondPayModule` in Nest's logs, devtools and errors.
  static override forRoot(options: DiamondPayModuleSyncOptions): DynamicModule {
    const notifications = options.notifications === true ? {} : options.notifications;
    const route = notifications ? notificationRoute(notifications) : null;
    return withProviders(
      DiamondPayConfigurableModule.forRoot({ ...options, notifications } as typeof OPTIONS_TYPE),
      route,
    );
  }

  static override forRootAsync(options: DiamondPayModuleAsyncOptions): DynamicModule {
    const { notifications, ...asyncOptions } = options;
    const route = notifications ? notificationRoute(notifications === true ? {} : notifications) : null;
    return withProviders(DiamondPayConfigurableModule.forRootAsync(asyncOptions), route);
  }
}

function withProviders(definition: DynamicModule, route: NotificationRoute | null): DynamicModule {
  const providers: Provider[] = [
    ...(definition.providers ?? []),
    { provide: DIAMONDPAY_NOTIFICATION_ROUTE, useValue: route },
    {
      provide: DIAMONDPAY_CLIENT,
      useFactory: createClient,
      inject: [DIAMONDPAY_OPTIONS, DIAMONDPAY_NOTIFICATION_ROUTE],
    },
    DiamondPayService,
  ];
  const exports = [DiamondPayService, DIAMONDPAY_CLIENT, DIAMONDPAY_OPTIONS];
  if (!route) return { ...definition, providers, exports };
  return {
    ...definition,
    imports: [...(definition.imports ?? []), DiscoveryModule],
    providers: [...providers, DiamondPayNotificationService],
    controllers: [createNotificationController(route)],
    exports,
  };
}

function createClient(options: DiamondPayModuleOptions, route: NotificationRoute | null): DiamondPay {
  checkRoute(options, route);
  if (options.reconciler && (!route || !options.ledger)) {
    throw new Error(
      "DiamondPayModule: `reconciler` needs `ledger` and `notifications` (it feeds what it finds through the notification route's ledger inbox).",
    );
  }
  const { notifications: _notifications, reconciler: _reconciler, ...config } = options;
  return new DiamondPay(config);
}

/** With forRootAsync, the factory's `notifications` must agree with the route declared beside it. */
function checkRoute(options: DiamondPayModuleOptions, route: NotificationRoute | null): void {
  const n = options.notifications;
  if (n && !route) {
    throw new Error(
      'DiamondPayModule: the options factory returned `notifications`, but the route was not declared. Pass `notifications: true` (or `{ path, decorators }`) to DiamondPayModule.forRootAsync() beside useFactory/useClass: routes are fixed before the factory runs.',
    );
  }
  if (!n || !route) return;
  const trim = (p: string) => p.replace(/^\/+|\/+$/g, '');
  if (n.path !== undefined && trim(n.path) !== trim(route.path)) {
    throw new Error(
      `DiamondPayModule: notifications.path "${n.path}" from the options factory differs from the route declared in forRootAsync() ("${route.path}"). Give the path in forRootAsync({ notifications: { path } }) only.`,
    );
  }
  if (n.decorators !== undefined && n.decorators !== route.decorators) {
    throw new Error(
      'DiamondPayModule: notifications.decorators from the options factory cannot be applied (the route already exists). Give them in forRootAsync({ notifications: { decorators } }).',
    );
  }
}
