// `diamondPay()`: a configured client on `c.var.diamondPay`, the Hono way (like hono's own
// `contextStorage` or `@hono/*` middleware setting typed variables): the returned middleware's type
// carries the variable, so `c.var.diamondPay` is typed in the handlers the middleware runs before.
import { DiamondPay, type DiamondPayConfig } from '@diamondpay/core';
import type { Context, Env, MiddlewareHandler } from 'hono';
import { env } from 'hono/adapter';
import type { BlankEnv } from 'hono/types';
import { configFromEnv } from './env-config.js';
import { memoizeByOptions } from './options-cache.js';

/** The variables `diamondPay()` sets. */
export type DiamondPayVariables = { diamondPay: DiamondPay };

/** The Hono `Env` of `diamondPay()`'s middleware: `app.use(diamondPay()).get(…, (c) => c.var.diamondPay)`. */
export type DiamondPayEnv = { Variables: DiamondPayVariables };

/**
 * Connection options, or a function of the request context returning them (edge runtimes, where
 * secrets come from `env(c)`). Other properties of the object are ignored, so the object you pass to
 * `depositNotifications` fits here too.
 */
export type DiamondPayOptions<E extends Env = any> = DiamondPayConfig | ((c: Context<E>) => DiamondPayConfig);

// Every client option keys the cached client (a missing one would hand a request the client built for
// other options: another tenant's ledger, another resend rule). `Exhaustive` fails the typecheck when
// DiamondPayConfig gains an option that is in neither list.
const CLIENT_FIELDS = [
  'baseUrl',
  'platformId',
  'signType',
  'timeoutMs',
  'maxRetries',
  'retryBaseDelayMs',
  'retryMaxDelayMs',
  'settleMs',
  'resendUnknown',
  'ledger',
  'fetch',
  'now',
] as const satisfies readonly (keyof DiamondPayConfig)[];
const CLIENT_SECRETS = [
  'platformKey',
  'authorization',
] as const satisfies readonly (keyof DiamondPayConfig)[];
type Unlisted = Exclude<
  keyof DiamondPayConfig,
  (typeof CLIENT_FIELDS)[number] | (typeof CLIENT_SECRETS)[number]
>;
true satisfies [Unlisted] extends [never] ? true : Unlisted;

/**
 * Middleware putting a `DiamondPay` client on `c.var.diamondPay`; built once per distinct options.
 * Without options it reads `DIAMONDPAY_BASE_URL`, `DIAMONDPAY_PLATFORM_ID`, `DIAMONDPAY_PLATFORM_KEY`,
 * `DIAMONDPAY_AUTHORIZATION` and `DIAMONDPAY_SIGN_TYPE` from `env(c)` (Workers bindings, or the
 * environment on Node, Deno and Bun) on each request, reusing the client while they do not change.
 */
export function diamondPay<E extends Env = BlankEnv>(
  options?: DiamondPayOptions<E>,
): MiddlewareHandler<E & DiamondPayEnv> {
  if (options !== undefined && typeof options !== 'function') {
    // Static options: build now, so a configuration mistake fails at startup, not on a request.
    const client = new DiamondPay(options);
    return async (c, next) => {
      c.set('diamondPay', client);
      await next();
    };
  }
  const configFor = options ?? ((c: Context<E>) => configFromEnv(env(c)));
  const clientFor = memoizeByOptions<DiamondPayConfig, DiamondPay>(
    CLIENT_FIELDS,
    CLIENT_SECRETS,
    (config) => new DiamondPay(config),
  );
  return async (c, next) => {
    // The context is `Context<E & DiamondPayEnv>`; the options function was written for `Context<E>`.
    c.set('diamondPay', clientFor(configFor(c as unknown as Context<E>)));
    await next();
  };
}
