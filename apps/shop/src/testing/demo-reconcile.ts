// The reconciler every demo runs with its ledger: deposits whose notifications never arrive are found
// by query and credited once, through the same inbox a late notification would hit.
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
  });
}
