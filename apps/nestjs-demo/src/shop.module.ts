// The shop kit and its configuration as providers. The configuration is the app's own small config
// provider: the given config (tests), or the environment read with the shop kit's loadShopConfig.
import { loadShopConfig, Shop, type ShopConfig } from '@diamondpay-demo/shop';
import { type DynamicModule, Module } from '@nestjs/common';

export const SHOP_CONFIG = Symbol('SHOP_CONFIG');

@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: a Nest dynamic module is a class with a static factory.
export class ShopModule {
  static forRoot(options: { config?: ShopConfig; shop?: Shop } = {}): DynamicModule {
    return {
      module: ShopModule,
      global: true,
      providers: [
        { provide: SHOP_CONFIG, useFactory: () => options.config ?? loadShopConfig(process.env) },
        { provide: Shop, useValue: options.shop ?? new Shop() },
      ],
      exports: [SHOP_CONFIG, Shop],
    };
  }
}
