// The shop kit and its configuration as providers. The configuration is the app's own small config
// provider: the given config (tests), or the environment read with the shop kit's loadShopConfig.
import { loadShopConfig, Shop, type ShopConfig, type ShopStorage } from '@diamondpay-demo/shop';
import { type DynamicModule, Module } from '@nestjs/common';

export const SHOP_CONFIG = Symbol('SHOP_CONFIG');
/** The shop's storage (`openShopStorage`): its ledger, or its duplicate store. */
export const SHOP_STORAGE = Symbol('SHOP_STORAGE');

@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: a Nest dynamic module is a class with a static factory.
export class ShopModule {
  static forRoot(options: { config?: ShopConfig; storage: ShopStorage }): DynamicModule {
    return {
      module: ShopModule,
      global: true,
      providers: [
        { provide: SHOP_CONFIG, useFactory: () => options.config ?? loadShopConfig(process.env) },
        { provide: Shop, useValue: options.storage.shop },
        { provide: SHOP_STORAGE, useValue: options.storage },
      ],
      exports: [SHOP_CONFIG, Shop, SHOP_STORAGE],
    };
  }
}
