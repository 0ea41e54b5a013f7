// Type-level checks (run by `tsc -p packages/hono/tsconfig.json`).
import {
  type DepositNotification,
  type DiamondPay,
  type DiamondPayConfig,
  type DiamondPayEnv,
  type DiamondPayVariables,
  type DiscrepancyEvent,
  depositNotifications,
  diamondPay,
  type LedgerHandlerContext,
  type LedgerOrder,
  type LedgerTransaction,
  MemoryLedger,
} from '@diamondpay/hono';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import type { BlankEnv } from 'hono/types';
import { expectTypeOf } from 'vitest';

const config: DiamondPayConfig = { baseUrl: 'http://127.0.0.1:4010', platformId: 'PF0002', platformKey: 'k' };

// c.var.diamondPay is typed where the middleware runs: chained after app.use(), or inline before the handler.
const app = new Hono().use(diamondPay(config)).get('/', (c) => {
  expectTypeOf(c.var.diamondPay).toEqualTypeOf<DiamondPay>();
  expectTypeOf(c.get('diamondPay')).toEqualTypeOf<DiamondPay>();
  return c.text('ok');
});
app.post('/orders', diamondPay(), (c) => {
  expectTypeOf(c.var.diamondPay).toEqualTypeOf<DiamondPay>();
  return c.text('ok');
});
expectTypeOf(diamondPay()).toEqualTypeOf<MiddlewareHandler<BlankEnv & DiamondPayEnv>>();

// …and nowhere else: no global ContextVariableMap augmentation unless `@diamondpay/hono/global` is imported.
const plain = new Hono();
plain.use(diamondPay(config));
plain.get('/', (c) => {
  // @ts-expect-error the middleware's variable is not promised to handlers it does not run before
  c.var.diamondPay.deposits;
  return c.text('ok');
});

// Explicit Variables work too.
const typed = new Hono<{ Variables: DiamondPayVariables & { user: string } }>();
typed.get('/', (c) => {
  expectTypeOf(c.var.diamondPay).toEqualTypeOf<DiamondPay>();
  expectTypeOf(c.var.user).toEqualTypeOf<string>();
  return c.text('ok');
});

// The same config object feeds both factories; onDeposit gets the typed notification and c.
type Env = { Bindings: { KEY: string }; Variables: { requestId: string } };
const edge = new Hono<Env>();
edge.post(
  '/notify',
  depositNotifications<Env>({
    ...config,
    onDeposit: (n, c) => {
      expectTypeOf(n).toEqualTypeOf<DepositNotification>();
      expectTypeOf(c).toEqualTypeOf<Context<Env>>();
      expectTypeOf(c.var.requestId).toEqualTypeOf<string>();
    },
  }),
);
edge.post(
  '/notify-env',
  depositNotifications<Env>((c) => ({ platformId: 'PF0002', platformKey: c.env.KEY, onDeposit: () => {} })),
);
edge.use(diamondPay<Env>((c) => ({ ...config, platformKey: c.env.KEY }))).get('/balance', (c) => {
  expectTypeOf(c.var.diamondPay).toEqualTypeOf<DiamondPay>();
  expectTypeOf(c.var.requestId).toEqualTypeOf<string>();
  expectTypeOf(c.env.KEY).toEqualTypeOf<string>();
  return c.text('ok');
});

// onDeposit is required.
// @ts-expect-error missing onDeposit
depositNotifications({ platformId: 'PF0002', platformKey: 'k' });

// With a ledger, handlers get `{ tx, order, source }` as their third argument, without `!`.
edge.post(
  '/notify-ledger',
  depositNotifications<Env>({
    ...config,
    ledger: new MemoryLedger(),
    onDeposit: async (n, c, { tx, order, source }) => {
      expectTypeOf(n).toEqualTypeOf<DepositNotification>();
      expectTypeOf(c).toEqualTypeOf<Context<Env>>();
      expectTypeOf(tx).toEqualTypeOf<LedgerTransaction>();
      expectTypeOf(order).toEqualTypeOf<LedgerOrder>();
      expectTypeOf(source).toEqualTypeOf<'notification' | 'reconciliation'>();
      await tx.query('UPDATE orders SET paid = true WHERE id = $1', [n.payment_cl_id]);
    },
    onDiscrepancy: (event, _c, { tx }) => {
      expectTypeOf(event).toEqualTypeOf<DiscrepancyEvent>();
      expectTypeOf(tx).toEqualTypeOf<LedgerTransaction>();
    },
  }),
);

// Without a ledger there is no third argument.
// @ts-expect-error: `{ tx }` needs a ledger
depositNotifications({ ...config, onDeposit: (_n, _c, _l: LedgerHandlerContext) => {} });
