// `import '@diamondpay/hono/global'`: opt-in typing of `c.var.diamondPay` in every handler of every app,
// through Hono's `ContextVariableMap`. Without it, `c.var.diamondPay` is typed where `diamondPay()` runs
// (`app.use(diamondPay()).get(…)`, or `app.get(path, diamondPay(), handler)`), which is the safer default:
// a handler the middleware does not run before is not told the client is there.
import type { DiamondPay } from '@diamondpay/core';

// Names the augmented module for declaration bundlers (and re-exports the map that now holds the client).
export type { ContextVariableMap } from 'hono';

declare module 'hono' {
  interface ContextVariableMap {
    diamondPay: DiamondPay;
  }
}
