// The client middleware: one configured `DiamondPay` client, built at startup, on every `ctx.state`.
import { DiamondPay, type DiamondPayConfig } from '@diamondpay/core';
import type { Middleware } from 'koa';

/** What `diamondPay()` puts on `ctx.state`; use it as Koa's state type: `new Koa<DiamondPayState>()`. */
export interface DiamondPayState {
  diamondPay: DiamondPay;
}

declare module 'koa' {
  // Types `ctx.state.diamondPay` for apps that use Koa's default state.
  interface DefaultState {
    diamondPay: DiamondPay;
  }
}

/**
 * Middleware that sets `ctx.state.diamondPay` to a client built once from `options`
 * (or to the given client). Options are validated here, at startup.
 */
export function diamondPay(options: DiamondPayConfig | DiamondPay): Middleware<DiamondPayState> {
  const client = options instanceof DiamondPay ? options : new DiamondPay(options);
  return function diamondPayClient(ctx, next) {
    ctx.state.diamondPay = client;
    return next();
  };
}
