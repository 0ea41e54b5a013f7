// Type-level tests (checked by `pnpm typecheck`): with a ledger, handlers get `{ tx, order, source }`
// without `!`; without one, a handler that wants it does not compile.
import { expectTypeOf } from 'vitest';
import type { LedgerOrder, LedgerTransaction } from './ledger.js';
import type { DiscrepancyEvent, LedgerHandlerContext, LedgerSource } from './ledger-inbox.js';
import { MemoryLedger } from './memory-ledger.js';
import { createNotificationReceiver } from './receiver.js';
import type { DepositNotification, PayoutNotification } from './verify.js';

const base = { platformId: 'PF0002', platformKey: 'k' };

createNotificationReceiver<{ ip: string }>({
  ...base,
  ledger: new MemoryLedger(),
  onDeposit: async (n, context, { tx, order, source }) => {
    expectTypeOf(n).toEqualTypeOf<DepositNotification>();
    expectTypeOf(context).toEqualTypeOf<{ ip: string }>();
    expectTypeOf(tx).toEqualTypeOf<LedgerTransaction>();
    expectTypeOf(order).toEqualTypeOf<LedgerOrder>();
    expectTypeOf(source).toEqualTypeOf<LedgerSource>();
    await tx.query('UPDATE shop_orders SET paid = true WHERE id = $1', [n.payment_cl_id]);
  },
  onPayout: (n, _context, ledger) => {
    expectTypeOf(n).toEqualTypeOf<PayoutNotification>();
    expectTypeOf(ledger).toEqualTypeOf<LedgerHandlerContext>();
  },
  onDiscrepancy: (event, _context, { tx }) => {
    expectTypeOf(event).toEqualTypeOf<DiscrepancyEvent>();
    expectTypeOf(tx).toEqualTypeOf<LedgerTransaction>();
  },
});

// Two-argument handlers stay valid with a ledger.
createNotificationReceiver({ ...base, ledger: new MemoryLedger(), onDeposit: (_n) => {} });

// Without a ledger there is no third argument.
// @ts-expect-error: `{ tx }` needs a ledger
createNotificationReceiver({ ...base, onDeposit: (_n, _c, _ledger: LedgerHandlerContext) => {} });
