// The reconciler every demo runs with its ledger: deposits whose notifications never arrive are found
// by query and credited once, through the same inbox a late notification would hit; a refund whose
// create answer was lost is found by query too, and never sent again.
import { notificationFields, postNotification, signedNotificationBody } from '@diamondpay/sandbox';
import { describe, expect, it } from 'vitest';
import { NOTIFICATION_PATH, type StartDemo, useSandboxedDemo } from './fixture.js';

const timeout = () => AbortSignal.timeout(10_000);

/** Registers `<name> reconciliation`: lost notifications completed by the demo's reconciler. */
export function describeDemoReconciliation(name: string, start: StartDemo): void {
  describe(`${name} reconciliation`, () => {
    const demo = useSandboxedDemo(start, (config) => ({
      ...config,
      reconcile: { intervalMs: 100, scheduleMs: [200, 400], repeatMs: 400 },
    }));

    it('credits once the deposits whose notifications were all lost, and a late copy is a duplicate', async () => {
      const database = demo.app.storage?.database;
      expect(database, 'the demo keeps its ledger in the shop database').toBeDefined();
      const ids: string[] = [];
      for (const service of ['SVC0015', 'SVC0016']) {
        const res = await fetch(`${demo.app.url}/orders`, {
          method: 'POST',
          headers: { accept: 'application/json', 'content-type': 'application/json' },
          body: JSON.stringify({ product_id: demo.app.shop.featured.id, service_id: service }),
          signal: timeout(),
        });
        expect(res.status).toBe(201);
        ids.push(((await res.json()) as { id: string }).id);
      }
      const lost = { delivery: { failFirst: 100, lose: 'request' as const } };
      await demo.sandbox.pay(ids[0]!, lost);
      await demo.sandbox.cancel(ids[1]!, lost);
      // The outbox schedules a create's first check a minute out: bring it forward.
      await database!.query(
        `UPDATE ${database!.ledger.tables.orders} SET next_check_at = 0 WHERE cl_id = ANY($1)`,
        [ids],
      );
      const deadline = Date.now() + 15_000;
      for (;;) {
        const orders = await Promise.all(ids.map((id) => demo.app.shop.getOrder(id)));
        if (orders.every((o) => o?.status !== 'pending')) break;
        if (Date.now() > deadline) throw new Error(`not reconciled: ${JSON.stringify(orders)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await demo.app.shop.getOrder(ids[0]!)).toMatchObject({ status: 'paid', credits: 1 });
      expect(await demo.app.shop.getOrder(ids[1]!)).toMatchObject({ status: 'cancelled', credits: 0 });
      // The gateway never delivered anything: the reconciler did it all.
      expect(demo.sandbox.deliveries({ paymentClId: ids[0]! }).some((d) => d.acked)).toBe(false);
      // The notification arriving late after all is acknowledged as a duplicate, credited nothing more.
      const late = await signedNotificationBody(
        notificationFields(demo.sandbox.order(ids[0]!)!),
        demo.sandbox.merchant.platformKey,
        'HMAC-SHA256',
      );
      const reply = await postNotification(`${demo.app.url}${NOTIFICATION_PATH}`, late, {
        timeoutMs: 10_000,
      });
      expect(reply).toMatchObject({ httpStatus: 200, reply: '{"error_code":"0000"}' });
      expect(await demo.app.shop.getOrder(ids[0]!)).toMatchObject({ status: 'paid', credits: 1 });
    });

    it('finds a refund whose create answer was lost (unknown) by query, and never sends it again', async () => {
      const { app, sandbox } = demo;
      const database = app.storage!.database!;
      const ordered = async (fate: 'pay' | 'underpay') => {
        const res = await fetch(`${app.url}/orders`, {
          method: 'POST',
          headers: { accept: 'application/json', 'content-type': 'application/json' },
          body: JSON.stringify({ product_id: app.shop.featured.id, service_id: 'SVC0015' }),
          signal: timeout(),
        });
        const o = (await res.json()) as { id: string; amount: number };
        await sandbox.pay(o.id, { realAmount: fate === 'pay' ? o.amount : o.amount - 100_000 });
        await sandbox.waitForDelivery(o.id, { timeoutMs: 10_000 });
        return o.id;
      };
      await ordered('pay'); // the balance the refund is paid from
      const id = await ordered('underpay');
      const creates = sandbox.stats().requests.createPayout;
      sandbox.injectFault('createPayout', 'resetAfter');
      sandbox.setFaults({ queryPayout: { error5xxRate: 1 } });
      const res = await fetch(`${app.url}/orders/${id}/refund`, {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/json' },
        body: JSON.stringify({
          bank_code: 'WOORI',
          account_number: '1002987654321',
          account_holder: '김철수',
          phone_number: '01098765432',
        }),
        signal: timeout(),
      });
      sandbox.setFaults({});
      expect(res.status).toBe(201);
      expect(await res.json()).toMatchObject({ state: 'unknown' });
      const payoutClId = `${id}-R1`;
      // The outbox schedules the first check a minute out: bring it forward.
      await database.query(`UPDATE ${database.ledger.tables.orders} SET next_check_at = 0 WHERE cl_id = $1`, [
        payoutClId,
      ]);
      const deadline = Date.now() + 15_000;
      while ((await app.shop.refunds.store.get(payoutClId))?.state !== 'accepted') {
        if (Date.now() > deadline) throw new Error('the reconciler did not find the refund');
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await app.shop.refunds.store.get(payoutClId)).toMatchObject({
        payoutId: sandbox.payout(payoutClId)?.payoutId,
        notificationsApplied: 1,
        finalNotificationsApplied: 0,
      });
      await sandbox.completePayout(payoutClId);
      await sandbox.waitForPayoutDelivery(payoutClId, { timeoutMs: 10_000 });
      expect(await app.shop.refunds.store.get(payoutClId)).toMatchObject({
        state: 'paid_out',
        notificationsApplied: 2,
        finalNotificationsApplied: 1,
      });
      expect(sandbox.stats().requests.createPayout - creates).toBe(1);
      expect(sandbox.stats().duplicatePayouts).toBe(0);
    });
  });
}
