// The duplicate store the demos give their notification route: Redis when REDIS_URL is set (several
// instances then process each notification once between them), else the receiver's in-memory default.
import type { NotificationStore } from '@diamondpay/core';
import { RedisNotificationStore } from '@diamondpay/redis';
import { createClient } from 'redis';
import type { ShopConfig } from './config.js';

export interface DemoNotificationStore {
  /** Undefined: use the receiver's in-memory default. */
  store?: NotificationStore;
  close(): Promise<void>;
}

export async function notificationStoreFor(config: ShopConfig): Promise<DemoNotificationStore> {
  if (!config.redisUrl) return { close: async () => {} };
  // Fail fast while Redis is down: the receiver answers 503 and the gateway retries later.
  const client = createClient({ url: config.redisUrl, disableOfflineQueue: true });
  client.on('error', () => {}); // reconnects on its own; failures surface as 503 replies
  await client.connect();
  return {
    store: new RedisNotificationStore({ client }),
    close: async () => {
      client.destroy();
    },
  };
}
