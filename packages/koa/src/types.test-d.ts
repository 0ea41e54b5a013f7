// Type-level checks (run by `tsc -p packages/koa`): ctx.state and handler types.
import Koa from 'koa';
import { expectTypeOf } from 'vitest';
import {
  type DepositNotification,
  DiamondPay,
  type DiamondPayState,
  type DiscrepancyEvent,
  depositNotifications,
  diamondPay,
  type LedgerHandlerContext,
  type LedgerOrder,
  type LedgerTransaction,
  MemoryLedger,
} from './index.js';
import { diamondPayRouter } from './router.js';

const config = {
  baseUrl: 'http://127.0.0.1:4010',
  platformId: 'PF0002',
  platformKey: 'ThisIsYourSecretKey123',
};

// Chained after diamondPay(): the app's state type carries the client.
new Koa().use(diamondPay(config)).use((ctx) => {
  expectTypeOf(ctx.state.diamondPay).toEqualTypeOf<DiamondPay>();
});

// Koa's DefaultState is not augmented unless `@diamondpay/koa/global` is imported (type-tests/global.test-d.ts).
const plain = new Koa();
plain.use(diamondPay(config));
plain.use((ctx) => {
  // Koa's DefaultState is an open record: the client is `any` there, not a promise that it is set.
  expectTypeOf(ctx.state.diamondPay).toBeAny();
});

// Explicit state type.
new Koa<DiamondPayState>().use(diamondPay(new DiamondPay(config))).use((ctx) => {
  expectTypeOf(ctx.state.diamondPay.deposits.create).toBeFunction();
});

// The same options object feeds both factories; the handler gets the notification and the context.
const options = {
  ...config,
  onDeposit(notification: DepositNotification, ctx: Koa.ParameterizedContext<DiamondPayState>) {
    expectTypeOf(notification.real_amount).toBeNumber();
    expectTypeOf(ctx.state.diamondPay).toEqualTypeOf<DiamondPay>();
  },
};
new Koa().use(diamondPay(options)).use(depositNotifications({ ...options, path: '/n' }));

depositNotifications<{ user: string }>({
  ...config,
  onDeposit(n, ctx) {
    expectTypeOf(n).toEqualTypeOf<DepositNotification>();
    expectTypeOf(ctx.state.user).toBeString();
  },
});

const router = diamondPayRouter({ ...options, prefix: '/hooks' });
new Koa().use(router.routes()).use(router.allowedMethods());

// @ts-expect-error onDeposit is required
depositNotifications({ ...config });

// A custom state type gains diamondPay through use().
new Koa<{ user: string }>().use(diamondPay(config)).use((ctx) => {
  expectTypeOf(ctx.state.user).toBeString();
  expectTypeOf(ctx.state.diamondPay).toEqualTypeOf<DiamondPay>();
});

// With a ledger, the handler's third argument is `{ tx, order, source }`, without `!`.
depositNotifications<DiamondPayState>({
  ...config,
  ledger: new MemoryLedger(),
  onDeposit: async (n, ctx, { tx, order }) => {
    expectTypeOf(ctx.state.diamondPay).toEqualTypeOf<DiamondPay>();
    expectTypeOf(tx).toEqualTypeOf<LedgerTransaction>();
    expectTypeOf(order).toEqualTypeOf<LedgerOrder>();
    await tx.query('UPDATE orders SET paid = true WHERE id = $1', [n.payment_cl_id]);
  },
  onDiscrepancy: (event, _ctx, { tx }) => {
    expectTypeOf(event).toEqualTypeOf<DiscrepancyEvent>();
    expectTypeOf(tx).toEqualTypeOf<LedgerTransaction>();
  },
});
diamondPayRouter({
  ...config,
  ledger: new MemoryLedger(),
  onDeposit: (_n, _ctx, ledger) => {
    expectTypeOf(ledger).toEqualTypeOf<LedgerHandlerContext>();
  },
});
// @ts-expect-error: `{ tx }` needs a ledger
depositNotifications({ ...config, onDeposit: (_n, _ctx, _l: LedgerHandlerContext) => {} });
