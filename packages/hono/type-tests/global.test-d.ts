// The opt-in global typing: with `@diamondpay/hono/global` imported, every handler of every app sees
// `c.var.diamondPay` (its own program: an augmentation applies to every file of a program).
import '@diamondpay/hono/global';
import { type DiamondPay, diamondPay } from '@diamondpay/hono';
import { Hono } from 'hono';
import { expectTypeOf } from 'vitest';

const app = new Hono();
app.use(diamondPay());
app.get('/', (c) => {
  expectTypeOf(c.var.diamondPay).toEqualTypeOf<DiamondPay>();
  expectTypeOf(c.get('diamondPay')).toEqualTypeOf<DiamondPay>();
  return c.text('ok');
});
