// The demo shop on NestJS (Express platform): startApp builds the app and listens.
import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { openShopStorage, type Shop, type ShopConfig, type ShopStorage } from '@diamondpay-demo/shop';
import type { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';

export { NOTIFICATION_PATH, REFUND_NOTIFICATION_PATH } from './app.constants.js';

export interface RunningApp {
  url: string;
  app: NestExpressApplication;
  shop: Shop;
  storage: ShopStorage;
  close(): Promise<void>;
}

/**
 * Serves the shop on config.host:config.port (0 = a free port), its orders and ledger in the shop
 * database (PGlite, or DATABASE_URL). `shop` is used only with REDIS_URL.
 */
export async function startApp(
  config: ShopConfig,
  shop?: Shop,
  logger: LogLevel[] | false = ['error', 'warn'],
): Promise<RunningApp> {
  // The module runs the reconciler (started on bootstrap, stopped on close), not the shop kit.
  const storage = await openShopStorage(config, 'nestjs', shop, { reconciler: false });
  // notify_url is built from this copy, whose port is filled in once listening.
  const live: ShopConfig = { ...config };
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.register({ config: live, storage }),
    new ExpressAdapter(),
    // No rawBody needed: the module keeps the body parsers off its notification route.
    // abortOnError false: a startup failure (an unreachable Redis) rejects instead of aborting the process.
    { logger, forceCloseConnections: true, abortOnError: false },
  );
  try {
    await app.listen(config.port, config.host);
  } catch (error) {
    await app.close();
    await storage.close();
    throw error;
  }
  const { port } = app.getHttpServer().address() as AddressInfo;
  live.port = port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    url: `http://${host}:${port}`,
    app,
    shop: storage.shop,
    storage,
    close: async () => {
      await app.close();
      await storage.close();
    },
  };
}
