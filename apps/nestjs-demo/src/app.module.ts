import { DiamondPayModule, type DiscrepancyEvent, type LedgerHandlerContext } from '@diamondpay/nestjs';
import { Shop, type ShopConfig, type ShopStorage } from '@diamondpay-demo/shop';
import { type DynamicModule, Module } from '@nestjs/common';
import { NOTIFICATION_PATH } from './app.constants.js';
import { ShopController } from './shop.controller.js';
import { SHOP_CONFIG, SHOP_STORAGE, ShopModule } from './shop.module.js';
import { ShopService } from './shop.service.js';

@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: a Nest dynamic module is a class with a static factory.
export class AppModule {
  /** `config` for tests (default: the environment); `storage` from `openShopStorage`. */
  static register(options: { config?: ShopConfig; storage: ShopStorage }): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ShopModule.forRoot(options),
        DiamondPayModule.forRootAsync({
          inject: [SHOP_CONFIG, Shop, SHOP_STORAGE],
          useFactory: (config: ShopConfig, shop: Shop, storage: ShopStorage) => ({
            ...config.gateway,
            // The ledger serves the create outbox and the notification inbox; the module's reconciler
            // queries what the gateway could not deliver and feeds it to the @OnDepositNotification method.
            ledger: storage.ledger,
            ...(storage.ledger
              ? {
                  reconciler: {
                    intervalMs: config.reconcile.intervalMs,
                    ...(config.reconcile.scheduleMs ? { schedule: config.reconcile.scheduleMs } : {}),
                    ...(config.reconcile.repeatMs ? { repeatMs: config.reconcile.repeatMs } : {}),
                    ...(config.reconcile.pruneInboxAfterMs
                      ? { pruneInboxAfterMs: config.reconcile.pruneInboxAfterMs }
                      : {}),
                  },
                }
              : {}),
            // Every delivery's outcome feeds the shop's counters; refusals are also logged by the module.
            notifications: {
              onResult: (result) => shop.recordDelivery(result),
              // A status contradicting the record (paid after cancelled…): counted, never credited.
              ...(storage.ledger
                ? {
                    onDiscrepancy: (event: DiscrepancyEvent, ledger: LedgerHandlerContext) =>
                      shop.recordDiscrepancy(event, ledger),
                  }
                : {}),
              ...(storage.store ? { store: storage.store } : {}),
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
