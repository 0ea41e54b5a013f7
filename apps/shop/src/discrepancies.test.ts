// A status that contradicts what the ledger recorded reaches the shop's onDiscrepancy and is counted
// on the order it concerns, in the notification's transaction (PGlite), never applied: for a refund's
// payout that is the order the refund pays back (its payout_cl_id names no order).
import { createNotificationReceiver, type DiscrepancyEvent } from '@diamondpay/core';
import {
  depositFields,
  payoutFields,
  signedBody,
  TEST_KEY,
  TEST_PLATFORM_ID,
} from '@diamondpay-internal/test-signer';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadShopConfig } from './config.js';
import { openShopDatabase, type ShopDatabase } from './database.js';
import { ledgerNotificationHandlers } from './notification-handlers.js';
import { Shop } from './orders.js';

let db: ShopDatabase;
let shop: Shop;
const logged: string[] = [];
beforeAll(async () => {
  db = await openShopDatabase(loadShopConfig({}), 'discrepancy_test');
  shop = new Shop({ store: db.orders, refunds: db.refunds, log: (line) => logged.push(line) });
}, 60_000);
afterAll(() => db?.close());

function receiver() {
  return createNotificationReceiver({
    platformId: TEST_PLATFORM_ID,
    platformKey: TEST_KEY,
    ledger: db.ledger,
    ...ledgerNotificationHandlers(shop),
  });
}

async function refundedOrder(): Promise<{ orderId: string; payoutClId: string }> {
  const order = await shop.newOrder({ productId: 'red-ginseng', serviceId: 'SVC0016' });
  const payoutClId = `${order.id}-R1`;
  const now = Date.now();
  await db.refunds.insert({
    payoutClId,
    orderId: order.id,
    attempt: 1,
    amount: 4_000_000,
    state: 'accepted',
    bankCode: 'KB',
    accountNumber: '1002123456789',
    accountHolder: '홍길동',
    phoneNumber: '01012345678',
    payoutId: `PO-${order.id}`,
    notificationsApplied: 0,
    finalNotificationsApplied: 0,
    createdAt: now,
    updatedAt: now,
  });
  return { orderId: order.id, payoutClId };
}

it("counts a refund payout's contradicting final status on the refunded order, and applies nothing", async () => {
  const { orderId, payoutClId } = await refundedOrder();
  const r = receiver();
  const payout = (status: number) =>
    signedBody(
      payoutFields({ payout_id: `PO-${orderId}`, payout_cl_id: payoutClId, amount: 4_000_000, status }),
    );
  expect(await r.receive(payout(5), undefined)).toMatchObject({ status: 200, effect: 'applied' });
  // Paid out after failed: a contradiction the ledger hands to onDiscrepancy, not to onPayout.
  expect(await r.receive(payout(3), undefined)).toMatchObject({ status: 200, effect: 'discrepancy' });
  expect(await db.orders.get(orderId)).toMatchObject({ discrepancies: 1 });
  expect(await db.refunds.get(payoutClId)).toMatchObject({ state: 'failed', finalNotificationsApplied: 1 });
  expect(shop.stats().discrepancies).toBe(1);
});

it("counts a deposit's contradicting final status on its order", async () => {
  const order = await shop.newOrder({ productId: 'red-ginseng', serviceId: 'SVC0015' });
  const r = receiver();
  const deposit = (status: number) =>
    signedBody(depositFields({ payment_id: `PM-${order.id}`, payment_cl_id: order.id, status }));
  expect(await r.receive(deposit(3), undefined)).toMatchObject({ status: 200, effect: 'applied' });
  expect(await r.receive(deposit(2), undefined)).toMatchObject({ status: 200, effect: 'discrepancy' });
  expect(await db.orders.get(order.id)).toMatchObject({ status: 'cancelled', discrepancies: 1 });
});

it('a discrepancy on a payout that refunds no order of the shop is logged, and changes no order', async () => {
  const before = (await db.orders.list()).map((o) => [o.id, o.discrepancies]);
  const notification = { kind: 'payout', payout_id: 'PO-WITHDRAWAL', payout_cl_id: 'WITHDRAWAL-1' };
  await db.ledger.transaction(({ tx }) =>
    shop.recordDiscrepancy({ notification } as unknown as DiscrepancyEvent, { tx }),
  );
  expect(logged).toContain('discrepancy on payout WITHDRAWAL-1, which refunds no order of this shop');
  expect((await db.orders.list()).map((o) => [o.id, o.discrepancies])).toEqual(before);
});
