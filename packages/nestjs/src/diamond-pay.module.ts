import { DiamondPay } from '@diamondpay/core';
import { type DynamicModule, Module, type Provider, type Type } from '@nestjs/common';
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
  applyNotificationRoute,
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
   * Serve the notification route: `true`, or `{ path, decorators }`. It decides whether the module has a
   * route at all (known before the factory runs); its path, decorators and the receiver's options may then
   * come from the factory's `notifications` (a path given in both places must agree; decorators add up).
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
    // biome-ignore lint/complexity/noThisInStatic: `super` makes the dynamic module's `module` this class.
    const definition = super.forRoot({ ...options, notifications } as typeof OPTIONS_TYPE);
    if (!route) return withProviders(definition, null);
    const controller = createNotificationController();
    applyNotificationRoute(controller, route);
    return withProviders(definition, {
      controller,
      provider: { provide: DIAMONDPAY_NOTIFICATION_ROUTE, useValue: route },
    });
  }

  static override forRootAsync(options: DiamondPayModuleAsyncOptions): DynamicModule {
    const { notifications, ...asyncOptions } = options;
    // biome-ignore lint/complexity/noThisInStatic: `super` makes the dynamic module's `module` this class.
    const definition = super.forRootAsync(asyncOptions);
    if (!notifications) return withProviders(definition, null);
    const declared = notifications === true ? {} : notifications;
    const controller = createNotificationController();
    // A factory provider: resolved with the options, before Nest registers routes (app.init), so the
    // path and decorators from the options factory are the controller's.
    return withProviders(definition, {
      controller,
      provider: {
        provide: DIAMONDPAY_NOTIFICATION_ROUTE,
        inject: [DIAMONDPAY_OPTIONS],
        useFactory: (moduleOptions: DiamondPayModuleOptions) => {
          const route = resolveRoute(declared, moduleOptions.notifications);
          applyNotificationRoute(controller, route);
          return route;
        },
      },
    });
  }
}

interface RouteDefinition {
  controller: Type<unknown>;
  /** Provides DIAMONDPAY_NOTIFICATION_ROUTE (the resolved route). */
  provider: Provider;
}

function withProviders(definition: DynamicModule, route: RouteDefinition | null): DynamicModule {
  const providers: Provider[] = [
    ...(definition.providers ?? []),
    route?.provider ?? { provide: DIAMONDPAY_NOTIFICATION_ROUTE, useValue: null },
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
    controllers: [route.controller],
    exports,
  };
}

function createClient(options: DiamondPayModuleOptions, route: NotificationRoute | null): DiamondPay {
  if (options.notifications && !route) {
    throw new Error(
      'DiamondPayModule: the options factory returned `notifications`, but forRootAsync() was not told to serve the route. Pass `notifications: true` to DiamondPayModule.forRootAsync() beside useFactory/useClass (whether there is a route is known before the factory runs); the path, decorators and receiver options can then come from the factory.',
    );
  }
  if (options.reconciler && (!route || !options.ledger)) {
    throw new Error(
      "DiamondPayModule: `reconciler` needs `ledger` and `notifications` (it feeds what it finds through the notification route's ledger inbox).",
    );
  }
  const { notifications: _notifications, reconciler: _reconciler, ...config } = options;
  return new DiamondPay(config);
}

/** forRootAsync: the route declared beside the factory, completed by the factory's `notifications`. */
function resolveRoute(
  declared: DiamondPayNotificationRouteOptions,
  fromFactory: DiamondPayNotificationRouteOptions | undefined,
): NotificationRoute {
  const trim = (p: string) => p.replace(/^\/+|\/+$/g, '');
  const a = declared.path;
  const b = fromFactory?.path;
  if (a !== undefined && b !== undefined && trim(a) !== trim(b)) {
    throw new Error(
      `DiamondPayModule: notifications.path "${b}" from the options factory differs from the path declared in forRootAsync() ("${a}"). Give it in one place.`,
    );
  }
  return notificationRoute({
    path: b ?? a,
    decorators: [...(declared.decorators ?? []), ...(fromFactory?.decorators ?? [])],
  });
}
