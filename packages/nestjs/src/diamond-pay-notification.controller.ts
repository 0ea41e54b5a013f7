// The notification controller is built per module definition. Its path and decorators are configuration:
// `forRoot()` knows them at once; with `forRootAsync()` they come from the options factory, and are set on
// the controller by a factory provider (`applyNotificationRoute`), which Nest resolves before it registers
// any route (the way @golevelup/nestjs-stripe sets its webhook controller's path).
import { All, applyDecorators, Controller, Inject, Req, Res, type Type } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants.js';
import { DEFAULT_NOTIFICATION_PATH } from './diamond-pay.constants.js';
import type {
  DiamondPayNotificationRouteOptions,
  DiamondPayRouteDecorator,
} from './diamond-pay.interfaces.js';
import { DiamondPayNotificationService } from './diamond-pay-notification.service.js';

/** The notification route: its controller path and the decorators on its handler. */
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

/**
 * A controller answering every method on its path with the notification receiver's reply (POST is
 * processed; core answers any other method 405 with `Allow: POST`). Its route is set by
 * `applyNotificationRoute`.
 */
export function createNotificationController(): Type<unknown> {
  @Controller(DEFAULT_NOTIFICATION_PATH)
  class DiamondPayNotificationController {
    constructor(
      @Inject(DiamondPayNotificationService) private readonly notifications: DiamondPayNotificationService,
    ) {}

    // @Res(): the reply is written as the receiver decided; response-mapping interceptors must not touch it.
    @All()
    receive(@Req() request: unknown, @Res() response: unknown): Promise<void> {
      return this.notifications.handle(request, response);
    }
  }

  return DiamondPayNotificationController;
}

/** Gives the controller its path and decorators; must run before Nest registers routes (module definition or a provider). */
export function applyNotificationRoute(controller: Type<unknown>, route: NotificationRoute): void {
  Reflect.defineMetadata(PATH_METADATA, route.path, controller);
  if (route.decorators.length === 0) return;
  const prototype = controller.prototype;
  const descriptor = Object.getOwnPropertyDescriptor(prototype, 'receive')!;
  applyDecorators(...(route.decorators as MethodDecorator[]))(prototype, 'receive', descriptor);
}
