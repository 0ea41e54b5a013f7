// The shop's notification handlers, as every adapter's options take them (Hono, Koa; NestJS wires
// the same methods through its decorators): with the ledger each one is an UPDATE on the
// notification's transaction; without it, on the shop's own store.
import type {
  DepositNotification,
  DiscrepancyEvent,
  LedgerHandlerContext,
  PayoutNotification,
  ReceiveResult,
} from '@diamondpay/core';
import type { Shop } from './orders.js';

/** Handlers for a receiver on the ledger: credits, refunds and discrepancies commit with the inbox row. */
export function ledgerNotificationHandlers(shop: Shop) {
  return {
    onDeposit: async (n: DepositNotification, _context: unknown, { tx }: LedgerHandlerContext) => {
      await shop.applyNotification(n, { tx });
    },
    // A refund's payout result, likewise one UPDATE on the notification's transaction.
    onPayout: async (n: PayoutNotification, _context: unknown, { tx }: LedgerHandlerContext) => {
      await shop.refunds.applyNotification(n, { tx });
    },
    // A status contradicting the record (paid after cancelled…): counted, never credited.
    onDiscrepancy: (event: DiscrepancyEvent, _context: unknown, { tx }: LedgerHandlerContext) =>
      shop.recordDiscrepancy(event, { tx }),
    onResult: (result: ReceiveResult) => shop.recordDelivery(result),
  };
}

/** Handlers for a receiver on a duplicate store (memory or Redis). */
export function storeNotificationHandlers(shop: Shop) {
  return {
    onDeposit: async (n: DepositNotification) => {
      await shop.applyNotification(n);
    },
    onPayout: async (n: PayoutNotification) => {
      await shop.refunds.applyNotification(n);
    },
    onResult: (result: ReceiveResult) => shop.recordDelivery(result),
  };
}
