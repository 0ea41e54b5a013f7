// The duplicate store the demos give their notification route: Redis when REDIS_URL is set (several
// instances then process each notification once between them), else the receiver's in-memory default.
import type { NotificationStore } from '@diamondpay/core';
import { RedisNotificationStore } from '@diamondpay/redis';
import { createClient } from 'redis';
import type { ShopConfig } from './config.js';
import { ShopStartupError } from './startup.js';

/** How long a demo waits for Redis at startup before giving up (the whole start stays under 10 s). */
const REDIS_CONNECT_TIMEOUT_MS = 3_000;

export interface DemoNotificationStore {
  /** Undefined: use the receiver's in-memory default. */
  store?: NotificationStore;
  /** What the demo prints: which store, and where. */
  description: string;
  close(): Promise<void>;
}

/** REDIS_URL without its credentials, for messages. */
function redisWhere(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return '(not a URL)';
  }
}

/** Which duplicate store the demo uses (`openShopStorage`), in words. */
export function describeNotificationStore(config: ShopConfig): string {
  if (config.redisUrl) return `Redis at ${redisWhere(config.redisUrl)} (REDIS_URL), shared by every instance`;
  return config.databaseUrl
    ? 'the ledger in PostgreSQL (DATABASE_URL), shared by every instance on that database'
    : 'the ledger in embedded PGlite, this process only (set DATABASE_URL for a shared PostgreSQL)';
}

/**
 * The store for `config`; with REDIS_URL, connects first and fails within 5 s with a
 * `ShopStartupError` naming REDIS_URL on the first connection error, or after 3 s without an answer
 * (rather than retrying forever).
 */
export async function notificationStoreFor(config: ShopConfig): Promise<DemoNotificationStore> {
  const description = describeNotificationStore(config);
  if (!config.redisUrl) return { description, close: async () => {} };
  const where = redisWhere(config.redisUrl);
  // Fail fast while Redis is down: the receiver answers 503 and the gateway retries later.
  const client = createClient({
    url: config.redisUrl,
    disableOfflineQueue: true,
    socket: { connectTimeout: REDIS_CONNECT_TIMEOUT_MS },
  });
  // Once connected it reconnects on its own; failures then surface as 503 replies (the gateway retries).
  let failStartup: (error: unknown) => void = () => {};
  client.on('error', (error) => failStartup(error));
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      client.connect(),
      new Promise((_, reject) => {
        failStartup = reject;
        timer = setTimeout(() => reject(new Error('no answer')), REDIS_CONNECT_TIMEOUT_MS);
      }),
    ]);
    failStartup = () => {};
  } catch (error) {
    failStartup = () => {};
    client.destroy();
    const reason = error instanceof Error ? error.message || error.name : String(error);
    throw new ShopStartupError(
      `REDIS_URL: cannot reach Redis at ${where} (${reason}; waited at most ${REDIS_CONNECT_TIMEOUT_MS / 1000} s). Start Redis, fix REDIS_URL, or unset it to use the in-memory store.`,
    );
  } finally {
    clearTimeout(timer);
  }
  return {
    store: new RedisNotificationStore({ client }),
    description,
    close: async () => {
      client.destroy();
    },
  };
}
