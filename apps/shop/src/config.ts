// Demo configuration from environment variables; defaults point at a local sandbox with the
// gateway docs' published test merchant (never real credentials).
import type { DiamondPayConfig, SignType } from '@diamondpay/core';

export interface ShopConfig {
  host: string;
  port: number;
  /** Public base URL of this app, used to build notify_url. Defaults to http://host:port. */
  publicUrl?: string;
  gateway: DiamondPayConfig;
  redisUrl?: string;
  /** A PostgreSQL server for orders and the ledger; unset: PGlite embedded in the process. */
  databaseUrl?: string;
  /** The shop's reconciler (with the ledger): how often it runs and when it checks an order. */
  reconcile: {
    /** Between passes, ms (RECONCILE_INTERVAL_MS, default 30 000). */
    intervalMs: number;
    /** Checks after an order's creation, ms (RECONCILE_SCHEDULE_MS, comma-separated; default core's 1, 2, 5, 10, 30 min). */
    scheduleMs?: number[];
    /** After the schedule, check every this many ms (RECONCILE_REPEAT_MS; default hourly). */
    repeatMs?: number;
    /** Inbox rows older than this are pruned by the reconciler, ms (RECONCILE_PRUNE_INBOX_AFTER_MS; default 90 days). */
    pruneInboxAfterMs?: number;
  };
  /** Fault injection (SHOP_HANDLER_DELAY_MS): the notification handler waits this long after crediting. */
  handlerDelayMs?: number;
}

function positiveInt(name: string, text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new Error(`${name} must be a positive integer (ms), got ${text}`);
  return n;
}

export const SANDBOX_DEFAULT_URL = 'http://127.0.0.1:4010';

export function loadShopConfig(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<ShopConfig> = {},
): ShopConfig {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number, got ${env.PORT}`);
  const signType = (env.DIAMONDPAY_SIGN_TYPE ?? 'HMAC-SHA256') as SignType;
  const config: ShopConfig = {
    host: env.HOST ?? '127.0.0.1',
    port,
    publicUrl: env.PUBLIC_URL || undefined,
    gateway: {
      baseUrl: env.DIAMONDPAY_BASE_URL ?? SANDBOX_DEFAULT_URL,
      platformId: env.DIAMONDPAY_PLATFORM_ID ?? 'PF0002',
      platformKey: env.DIAMONDPAY_PLATFORM_KEY ?? 'ThisIsYourSecretKey123',
      authorization: env.DIAMONDPAY_AUTHORIZATION ?? 'sandbox-authorization-token',
      signType,
      retryBaseDelayMs: 200,
      // How long a create whose answer was lost waits before asking the gateway (DIAMONDPAY_SETTLE_MS;
      // default the client's timeout). The sandbox answers at once, so the demo and tests shorten it.
      ...(env.DIAMONDPAY_SETTLE_MS
        ? { settleMs: positiveInt('DIAMONDPAY_SETTLE_MS', env.DIAMONDPAY_SETTLE_MS) }
        : {}),
    },
    redisUrl: env.REDIS_URL || undefined,
    databaseUrl: env.DATABASE_URL || undefined,
    reconcile: {
      intervalMs: positiveInt('RECONCILE_INTERVAL_MS', env.RECONCILE_INTERVAL_MS) ?? 30_000,
      scheduleMs: env.RECONCILE_SCHEDULE_MS
        ? env.RECONCILE_SCHEDULE_MS.split(',').map((v) => positiveInt('RECONCILE_SCHEDULE_MS', v.trim())!)
        : undefined,
      repeatMs: positiveInt('RECONCILE_REPEAT_MS', env.RECONCILE_REPEAT_MS),
      pruneInboxAfterMs:
        positiveInt('RECONCILE_PRUNE_INBOX_AFTER_MS', env.RECONCILE_PRUNE_INBOX_AFTER_MS) ?? 90 * 86_400_000,
    },
    handlerDelayMs: positiveInt('SHOP_HANDLER_DELAY_MS', env.SHOP_HANDLER_DELAY_MS),
  };
  return { ...config, ...overrides, gateway: { ...config.gateway, ...overrides.gateway } };
}

/** The URL the gateway should POST notifications to: publicUrl (or http://host:port) + path. */
export function notifyUrlFor(config: ShopConfig, path: string): string {
  if (!config.publicUrl && config.port === 0) {
    throw new Error(
      'notifyUrlFor: the app listens on port 0; set config.publicUrl to the listening URL once it is known',
    );
  }
  const base = (config.publicUrl ?? `http://${config.host}:${config.port}`).replace(/\/+$/, '');
  return `${base}${path.startsWith('/') ? path : `/${path}`}`;
}
