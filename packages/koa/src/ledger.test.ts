// depositNotifications and diamondPayRouter with a ledger, on a real Koa server: the handler gets
// (notification, ctx, { tx, order, source }) and runs in the ledger's transaction.
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type DiscrepancyEvent,
  depositNotifications,
  type LedgerHandlerContext,
  MemoryLedger,
  MemoryNotificationStore,
} from './index.js';
import { diamondPayRouter } from './router.js';
import { ACK, listen, post, type Running, signedNotification, TEST_MERCHANT } from './test-support.js';

const running: Running[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
});

describe('koa with a ledger', () => {
  it('runs onDeposit once with ctx and { tx, order }; a copy is acknowledged; a throw answers 500 and records nothing', async () => {
    const ledger = new MemoryLedger();
    const calls: { tag: unknown; l: LedgerHandlerContext }[] = [];
    let fail = true;
    const app = new Koa();
    app.use(async (ctx, next) => {
      ctx.state.tag = 'from-middleware';
      await next();
    });
    app.use(
      depositNotifications({
        ...TEST_MERCHANT,
        ledger,
        path: '/notify',
        onDeposit: (_n, ctx, l) => {
          if (fail) {
            fail = false;
            throw new Error('shop database hiccup');
          }
          calls.push({ tag: ctx.state.tag, l });
        },
      }),
    );
    const server = await listen(app);
    running.push(server);
    const { body, fields } = await signedNotification();
    const failed = await post(`${server.url}/notify`, body);
    expect(failed.status).toBe(500);
    expect(await ledger.getInboxEntry(`deposit:PF0002:${fields.payment_id}:2`)).toBeUndefined();
    expect(await post(`${server.url}/notify`, body)).toMatchObject({ status: 200, text: ACK });
    expect(await post(`${server.url}/notify`, body)).toMatchObject({ status: 200, text: ACK });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      tag: 'from-middleware',
      l: { source: 'notification', order: { cl_id: fields.payment_cl_id, status: 2, final: true } },
    });
    expect(typeof calls[0]!.l.tx.query).toBe('function');
  });

  it('the router plugin takes a ledger and onDiscrepancy', async () => {
    const ledger = new MemoryLedger();
    const deposits: number[] = [];
    const discrepancies: DiscrepancyEvent[] = [];
    const router = diamondPayRouter({
      ...TEST_MERCHANT,
      ledger,
      onDeposit: (n, _ctx, { order }) => {
        deposits.push(order.status ?? -1);
        expect(n.status).toBe(order.status);
      },
      onDiscrepancy: (event) => {
        discrepancies.push(event);
      },
    });
    const app = new Koa().use(router.routes());
    const server = await listen(app);
    running.push(server);
    const url = `${server.url}/diamondpay/notifications/deposit`;
    const cancelled = await signedNotification({ status: 3, real_amount: 0 });
    const paid = await signedNotification({
      payment_id: cancelled.fields.payment_id!,
      payment_cl_id: cancelled.fields.payment_cl_id!,
      status: 2,
    });
    expect((await post(url, cancelled.body)).status).toBe(200);
    expect((await post(url, paid.body)).status).toBe(200);
    expect(deposits).toEqual([3]);
    expect(discrepancies.map((d) => d.reason)).toEqual(['conflicting_final']);
  });

  it('refuses a ledger together with a store', () => {
    expect(() =>
      depositNotifications({
        ...TEST_MERCHANT,
        ledger: new MemoryLedger(),
        store: new MemoryNotificationStore(),
        onDeposit: () => {},
      }),
    ).toThrow(/store/);
  });
});
