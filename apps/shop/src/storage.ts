// Where a demo keeps its orders and its notification records:
// - by default the ledger: orders in PostgreSQL (PGlite embedded, or DATABASE_URL), the Diamond Pay
//   ledger beside them, each credit committed in the notification's own transaction;
// - with REDIS_URL: the shop's in-memory orders and a Redis duplicate store shared by instances (the
//   store the SDK offered before the ledger; kept so the Redis path stays exercised).
import type { Ledger, NotificationStore } from '@diamondpay/core';
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
  close(): Promise<void>;
}

/**
 * Opens the storage of the demo called `name` (its table prefix). `shop` (tests) is used as given
 * with REDIS_URL; on the ledger it must be backed by this database, so a new one is made.
 */
export async function openShopStorage(config: ShopConfig, name: string, shop?: Shop): Promise<ShopStorage> {
  if (config.redisUrl) {
    const notifications = await notificationStoreFor(config);
    return { shop: shop ?? new Shop(), store: notifications.store, close: notifications.close };
  }
  const database = await openShopDatabase(config, name);
  return {
    shop: new Shop({ store: database.orders }),
    ledger: database.ledger,
    database,
    close: () => database.close(),
  };
}
