import { DiamondPayModule } from '@diamondpay/nestjs';
import { Shop, type ShopConfig } from '@diamondpay-demo/shop';
import { type DynamicModule, Module } from '@nestjs/common';
import { NOTIFICATION_PATH } from './app.constants.js';
import { ShopController } from './shop.controller.js';
import { SHOP_CONFIG, ShopModule } from './shop.module.js';
import { ShopService } from './shop.service.js';

@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: a Nest dynamic module is a class with a static factory.
export class AppModule {
  /** `config`/`shop` for tests; by default both come from the environment and a fresh in-memory shop. */
  static register(options: { config?: ShopConfig; shop?: Shop } = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ShopModule.forRoot(options),
        DiamondPayModule.forRootAsync({
          inject: [SHOP_CONFIG, Shop],
          useFactory: (config: ShopConfig, shop: Shop) => ({
            ...config.gateway,
            // Every delivery's outcome feeds the shop's counters; refusals are also logged by the module.
            notifications: { onResult: (result) => shop.recordDelivery(result) },
          }),
          notifications: { path: NOTIFICATION_PATH },
        }),
      ],
      controllers: [ShopController],
      providers: [ShopService],
    };
  }
}
