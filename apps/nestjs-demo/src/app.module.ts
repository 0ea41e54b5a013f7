import { DiamondPayModule } from '@diamondpay/nestjs';
import {
  type DemoNotificationStore,
  notificationStoreFor,
  Shop,
  type ShopConfig,
} from '@diamondpay-demo/shop';
import { type DynamicModule, Module } from '@nestjs/common';
import { NOTIFICATION_PATH } from './app.constants.js';
import { ShopController } from './shop.controller.js';
import { SHOP_CONFIG, ShopModule } from './shop.module.js';
import { ShopService } from './shop.service.js';

const DEMO_NOTIFICATION_STORE = Symbol('DEMO_NOTIFICATION_STORE');

@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: a Nest dynamic module is a class with a static factory.
export class AppModule {
  /**
   * `config`/`shop` for tests; by default both come from the environment and a fresh in-memory shop.
   * `duplicates`: the duplicate store, connected before Nest starts (startApp), so an unreachable Redis is
   * one clear error; by default it is connected here and closed with the app.
   */
  static register(
    options: { config?: ShopConfig; shop?: Shop; duplicates?: DemoNotificationStore } = {},
  ): DynamicModule {
    const given = options.duplicates;
    @Module({
      providers: [
        given
          ? { provide: DEMO_NOTIFICATION_STORE, useValue: given }
          : {
              provide: DEMO_NOTIFICATION_STORE,
              inject: [SHOP_CONFIG],
              useFactory: async (config: ShopConfig) => {
                const duplicates = await notificationStoreFor(config);
                return Object.assign(duplicates, { onModuleDestroy: () => duplicates.close() });
              },
            },
      ],
      exports: [DEMO_NOTIFICATION_STORE],
    })
    class NotificationStoreModule {}

    return {
      module: AppModule,
      imports: [
        ShopModule.forRoot(options),
        DiamondPayModule.forRootAsync({
          imports: [NotificationStoreModule],
          inject: [SHOP_CONFIG, Shop, DEMO_NOTIFICATION_STORE],
          useFactory: (config: ShopConfig, shop: Shop, duplicates: DemoNotificationStore) => ({
            ...config.gateway,
            notifications: {
              // Redis with REDIS_URL (as the other demos), else the receiver's in-memory default.
              store: duplicates.store,
              // Every delivery's outcome feeds the shop's counters; refusals are also logged by the module.
              onResult: (result) => shop.recordDelivery(result),
            },
          }),
          notifications: { path: NOTIFICATION_PATH },
        }),
      ],
      controllers: [ShopController],
      providers: [ShopService],
    };
  }
}
