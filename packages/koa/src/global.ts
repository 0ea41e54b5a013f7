// `import '@diamondpay/koa/global'`: opt-in typing of `ctx.state.diamondPay` in every app that uses Koa's
// `DefaultState`. Without it, the state is typed where `diamondPay()` is part of the app's type
// (`new Koa().use(diamondPay(…))` or `new Koa<DiamondPayState>()`), which does not promise the client to
// middleware mounted on an app that never installed it.
import type { DiamondPay } from '@diamondpay/core';

// Names the augmented module for declaration bundlers (and re-exports the state type that now holds the client).
export type { DefaultState } from 'koa';

declare module 'koa' {
  interface DefaultState {
    diamondPay: DiamondPay;
  }
}
