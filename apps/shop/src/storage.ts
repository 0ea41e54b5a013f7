// Where a demo keeps its orders and its notification records:
// - by default the ledger: orders in PostgreSQL (PGlite embedded, or DATABASE_URL), the Diamond Pay
//   ledger beside them, each credit committed in the notification's own transaction;
// - with REDIS_URL: the shop's in-memory orders and a Redis duplicate store shared by instances (the
//   store the SDK offered before the ledger; kept so the Redis path stays exercised).
import {
  createNotificationReceiver,
  createReconciler,
  DiamondPay,
  type Ledger,
  type NotificationStore,
  type Reconciler,
} from '@diamondpay/core';
import type { ShopConfig } from './config.js';
import { openShopDatabase, type ShopDatabase } from './database.js';
import { notificationStoreFor } from './notification-store.js';
import { Shop } from './orders.js';

export interface ShopStorage {
  shop: Shop;
  /** Set unless REDIS_URL is: give it to the client (create outbox) and the notification route. */
  ledger?: Ledger;
  /** Set with REDIS_URL: the notification route's duplicate store. */
  store?: NotificationStore;
  /** The database behind the ledger (tests read the credits through it). */
  database?: ShopDatabase;
  /** With the ledger: the shop's reconciler, started (every `config.reconcile.intervalMs`). */
  reconciler?: Reconciler;
  close(): Promise<void>;
}

/**
 * Opens the storage of the demo called `name` (its table prefix). `shop` (tests) is used as given
 * with REDIS_URL; on the ledger it must be backed by this database, so a new one is made.
 */
export async function openShopStorage(
  config: ShopConfig,
  name: string,
  shop?: Shop,
  /** `reconciler: false`: the app runs its own (the NestJS module does, with the app's lifecycle). */
  options: { reconciler?: boolean } = {},
): Promise<ShopStorage> {
  if (config.redisUrl) {
    const notifications = await notificationStoreFor(config);
    return { shop: shop ?? new Shop(), store: notifications.store, close: notifications.close };
  }
  const database = await openShopDatabase(config, name);
  const ledger = database.ledger;
  const own = new Shop({
    store: database.orders,
    refunds: database.refunds,
    handlerDelayMs: config.handlerDelayMs,
    log: (line) => console.log(line),
  });
  if (options.reconciler === false) {
    return { shop: own, ledger, database, close: () => database.close() };
  }
  // Statuses the gateway could not deliver (the shop was down past its retries, a create's answer was
  // lost) are found by query and go through the same inbox, so the handler still runs once.
  const receiver = createNotificationReceiver({
    platformId: config.gateway.platformId,
    platformKey: config.gateway.platformKey,
    ledger,
    onDeposit: async (notification, _context, { tx }) => {
      await own.applyNotification(notification, { tx });
    },
    // A refund's payout status found by query (its notification was lost, or its create's answer).
    onPayout: async (notification, _context, { tx }) => {
      await own.refunds.applyNotification(notification, { tx });
    },
    onDiscrepancy: (event, _context, { tx }) => own.recordDiscrepancy(event, { tx }),
  });
  const reconciler = createReconciler({
    client: new DiamondPay({ ...config.gateway, ledger }),
    receiver,
    ...(config.reconcile.scheduleMs ? { schedule: config.reconcile.scheduleMs } : {}),
    ...(config.reconcile.repeatMs ? { repeatMs: config.reconcile.repeatMs } : {}),
    // The inbox keeps a row per notification: the reconciler prunes the old ones, hourly.
    ...(config.reconcile.pruneInboxAfterMs ? { pruneInboxAfterMs: config.reconcile.pruneInboxAfterMs } : {}),
    onError: (error, order) =>
      console.warn(
        `reconciler: ${order?.cl_id ?? 'pass'}: ${error instanceof Error ? error.message : error}`,
      ),
  });
  reconciler.start({ intervalMs: config.reconcile.intervalMs });
  return {
    shop: own,
    ledger,
    database,
    reconciler,
    close: async () => {
      await reconciler.stop();
      await database.close();
    },
  };
}
