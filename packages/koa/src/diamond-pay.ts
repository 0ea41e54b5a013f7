// The client middleware: one configured `DiamondPay` client, built at startup, on every `ctx.state`.
import { DiamondPay, type DiamondPayConfig } from '@diamondpay/core';
import type { Middleware } from 'koa';

/**
 * What `diamondPay()` puts on `ctx.state`: `app.use(diamondPay(…))` adds it to the app's state type, or
 * spell it out with `new Koa<DiamondPayState>()`. `import '@diamondpay/koa/global'` adds it to Koa's
 * `DefaultState` instead (every app, every middleware).
 */
export interface DiamondPayState {
  diamondPay: DiamondPay;
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
