// Failures are visible by default: every 5xx the notification route answers also goes to Koa's error
// channel (`app.on('error')`, printed by Koa's default handler); payout notifications reach onPayout.
import { payoutFields, signedBody } from '@diamondpay-internal/test-signer';
import Koa from 'koa';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { depositNotifications, PAYOUT_NOTIFICATION_PATH, type PayoutNotification } from './index.js';
import { ACK, listen, post, type Running, signedNotification, TEST_MERCHANT } from './test-support.js';

const PATH = '/diamondpay/notifications/deposit';
const running: Running[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(running.splice(0).map((r) => r.close()));
});

describe('depositNotifications: failures reach app.on("error")', () => {
  it('emits the handler error for the 500 reply, with the Koa context, and not for a 4xx', async () => {
    const app = new Koa();
    const emitted: { error: unknown; path: string }[] = [];
    app.on('error', (error, ctx) => emitted.push({ error, path: ctx.path }));
    app.use(
      depositNotifications({
        ...TEST_MERCHANT,
        path: PATH,
        onDeposit() {
          throw new Error('database down');
        },
      }),
    );
    const server = await listen(app);
    running.push(server);
    const { body } = await signedNotification();
    expect((await post(`${server.url}${PATH}`, body)).status).toBe(500);
    expect((await post(`${server.url}${PATH}`, '{"broken":')).status).toBe(400);
    expect(emitted).toHaveLength(1);
    expect((emitted[0]!.error as Error).message).toContain('database down');
    expect(emitted[0]!.path).toBe(PATH);
  });

  it("is printed by Koa's default error handler when the app has no listener", async () => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {});
    const app = new Koa();
    app.use(
      depositNotifications({
        ...TEST_MERCHANT,
        path: PATH,
        onDeposit() {
          throw new Error('database down');
        },
      }),
    );
    const server = await listen(app);
    running.push(server);
    const { body } = await signedNotification();
    expect((await post(`${server.url}${PATH}`, body)).status).toBe(500);
    expect(printed.mock.calls.flat().join('\n')).toContain('database down');
  });
});

describe('depositNotifications: onPayout', () => {
  it('runs onPayout for a payout notification with the Koa context, once, and acknowledges it', async () => {
    const payouts: { n: PayoutNotification; path: string }[] = [];
    const app = new Koa();
    app.use(
      depositNotifications({
        ...TEST_MERCHANT,
        path: PAYOUT_NOTIFICATION_PATH,
        onDeposit() {
          throw new Error('not a deposit');
        },
        onPayout(n, ctx) {
          payouts.push({ n, path: ctx.path });
        },
      }),
    );
    const server = await listen(app);
    running.push(server);
    const body = signedBody(payoutFields({ payout_cl_id: 'po-koa-1' }));
    const first = await post(`${server.url}${PAYOUT_NOTIFICATION_PATH}`, body);
    const again = await post(`${server.url}${PAYOUT_NOTIFICATION_PATH}`, body);
    expect([first.status, first.text, again.text]).toEqual([200, ACK, ACK]);
    expect(payouts.map((p) => [p.n.kind, p.n.payout_cl_id, p.path])).toEqual([
      ['payout', 'po-koa-1', PAYOUT_NOTIFICATION_PATH],
    ]);
  });
});
