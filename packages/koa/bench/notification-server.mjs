// The server measured by notification-route.bench.ts, in its own process (the load generator must
// not share its event loop). Loads the BUILT package, as an app would: @diamondpay/koa → dist,
// @diamondpay/core → its Node entry (node:crypto). Prints "LISTENING <port>".
import { ACK_BODY, depositNotifications } from '@diamondpay/koa';
import Koa from 'koa';

const app = new Koa();
app.use(async (ctx, next) => {
  if (ctx.path !== '/bare') return next();
  // The baseline: the same reply, no notification logic.
  ctx.status = 200;
  ctx.set({ 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  ctx.body = ACK_BODY;
});
app.use(
  depositNotifications({
    platformId: 'PF0002',
    platformKey: 'ThisIsYourSecretKey123',
    path: '/diamondpay/notifications/deposit',
    onDeposit() {},
  }),
);
const server = app.listen(0, '127.0.0.1', () => {
  console.log(`LISTENING ${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
