// The server measured by notification-route.bench.ts, in its own process: the BUILT package, as an
// app loads it (@diamondpay/core through its `node` export condition). Prints "LISTENING <port>".
import { ACK_BODY, depositNotifications } from '@diamondpay/koa';
import Koa from 'koa';
import { HEADERS, handWrittenReceiver } from '../../../bench/hand-written.mjs';
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
// The hand-written route a merchant would write instead: read the request stream, JSON.parse, sort,
// createHmac, compare, de-duplicate in a Map, reply (bench/hand-written.mjs).
const hand = handWrittenReceiver('ThisIsYourSecretKey123');
app.use(async (ctx, next) => {
  if (ctx.path !== '/hand') return next();
  const chunks = [];
  for await (const chunk of ctx.req) chunks.push(chunk);
  const r = hand.receive(Buffer.concat(chunks).toString('utf8'));
  ctx.status = r.status;
  ctx.set(HEADERS);
  ctx.body = r.body;
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
