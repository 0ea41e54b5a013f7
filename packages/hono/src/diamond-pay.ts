// `diamondPay()`: a configured client on `c.var.diamondPay`, the Hono way (like hono's own
// `contextStorage` or `@hono/*` middleware setting typed variables).
import { DiamondPay, type DiamondPayConfig } from '@diamondpay/core';
import type { Context, Env, MiddlewareHandler } from 'hono';
import { memoizeByOptions } from './options-cache.js';

declare module 'hono' {
  interface ContextVariableMap {
    diamondPay: DiamondPay;
  }
}

/** The variables `diamondPay()` sets, for apps that spell their `Variables` out. */
export type DiamondPayVariables = { diamondPay: DiamondPay };

/**
 * Connection options, or a function of the request context returning them (edge runtimes, where
 * secrets come from `env(c)`). Other properties of the object are ignored, so the object you pass to
 * `depositNotifications` fits here too.
 */
export type DiamondPayOptions<E extends Env = any> = DiamondPayConfig | ((c: Context<E>) => DiamondPayConfig);

const CLIENT_FIELDS = [
  'baseUrl',
  'platformId',
  'signType',
  'timeoutMs',
  'maxRetries',
  'retryBaseDelayMs',
  'retryMaxDelayMs',
  'fetch',
  'now',
] as const satisfies readonly (keyof DiamondPayConfig)[];
const CLIENT_SECRETS = [
  'platformKey',
  'authorization',
] as const satisfies readonly (keyof DiamondPayConfig)[];

/** Middleware putting a `DiamondPay` client on `c.var.diamondPay`; built once per distinct options. */
export function diamondPay<E extends Env = any>(options: DiamondPayOptions<E>): MiddlewareHandler<E> {
  if (typeof options !== 'function') {
    // Static options: build now, so a configuration mistake fails at startup, not on a request.
    const client = new DiamondPay(options);
    return async (c, next) => {
      c.set('diamondPay', client);
      await next();
    };
  }
  const clientFor = memoizeByOptions<DiamondPayConfig, DiamondPay>(
    CLIENT_FIELDS,
    CLIENT_SECRETS,
    (config) => new DiamondPay(config),
  );
  return async (c, next) => {
    c.set('diamondPay', clientFor(options(c)));
    await next();
  };
}
