// The opt-in global typing: with `@diamondpay/koa/global` imported, Koa's DefaultState carries the client
// (its own program: an augmentation applies to every file of a program).
import '@diamondpay/koa/global';
import { type DiamondPay, diamondPay } from '@diamondpay/koa';
import Koa from 'koa';
import { expectTypeOf } from 'vitest';

const app = new Koa();
app.use(diamondPay({ baseUrl: 'http://127.0.0.1:4010', platformId: 'PF0002', platformKey: 'k' }));
app.use((ctx) => {
  expectTypeOf(ctx.state.diamondPay).toEqualTypeOf<DiamondPay>();
});
