// The notification controller is built per module definition: its path is configuration, and a controller's
// path is fixed by its class decorator.
import { applyDecorators, Controller, Inject, Post, Req, Res, type Type } from '@nestjs/common';
import { DEFAULT_NOTIFICATION_PATH } from './diamond-pay.constants.js';
import type {
  DiamondPayNotificationRouteOptions,
  DiamondPayRouteDecorator,
} from './diamond-pay.interfaces.js';
import { FASTIFY_ROUTE_CONFIG_METADATA, NOTIFICATION_ROUTE_CONFIG } from './diamond-pay.raw-body.js';
import { DiamondPayNotificationService } from './diamond-pay-notification.service.js';

/** The notification route as declared when the module was defined. */
export interface NotificationRoute {
  path: string;
  decorators: readonly DiamondPayRouteDecorator[];
}

export function notificationRoute(options: DiamondPayNotificationRouteOptions): NotificationRoute {
  const path = options.path ?? DEFAULT_NOTIFICATION_PATH;
  if (typeof path !== 'string' || path.trim() === '') {
    throw new TypeError('DiamondPayModule: notifications.path must be a non-empty route path.');
  }
  return { path, decorators: options.decorators ?? [] };
}

/** A controller answering `POST <path>` with the notification receiver's reply. */
export function createNotificationController(route: NotificationRoute): Type<unknown> {
  @Controller(route.path)
  class DiamondPayNotificationController {
    constructor(
      @Inject(DiamondPayNotificationService) private readonly notifications: DiamondPayNotificationService,
    ) {}

    // @Res(): the reply is written as the receiver decided; response-mapping interceptors must not touch it.
    @Post()
    receive(@Req() request: unknown, @Res() response: unknown): Promise<void> {
      return this.notifications.handle(request, response);
    }
  }

  const prototype = DiamondPayNotificationController.prototype;
  const descriptor = Object.getOwnPropertyDescriptor(prototype, 'receive')!;
  if (route.decorators.length > 0) {
    applyDecorators(...(route.decorators as MethodDecorator[]))(prototype, 'receive', descriptor);
  }
  // Marks the route for the Fastify payload hook (ignored on other platforms).
  const config = Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, descriptor.value) ?? {};
  Reflect.defineMetadata(
    FASTIFY_ROUTE_CONFIG_METADATA,
    { ...config, ...NOTIFICATION_ROUTE_CONFIG },
    descriptor.value,
  );
  return DiamondPayNotificationController;
}
