// The server measured by notification-route.bench.ts, in its own process: the BUILT package, as an
// app loads it (@diamondpay/core through its `node` export condition). Prints "LISTENING <port>".
import { ACK_BODY, depositNotifications } from '@diamondpay/koa';
import Koa from 'koa';
import { reportStats } from '../../../bench/server-stats.mjs';

const app = new Koa();
app.use(async (ctx, next) => {
  if (ctx.path !== '/bare') return next();
  // The baseline: the same reply, no notification logic.
  ctx.status = 200;
  ctx.set({ 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  ctx.body = ACK_BODY;
});
app.use(async (ctx, next) => {
  if (ctx.path !== '/read') return next();
  // A second baseline: the same reply after reading the body (what any verifying route must do).
  for await (const _chunk of ctx.req);
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
reportStats();
const server = app.listen(0, '127.0.0.1', () => console.log(`LISTENING ${server.address().port}`));
