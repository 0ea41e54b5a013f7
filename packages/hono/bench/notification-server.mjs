// The server measured by notification-route.bench.ts, in its own process (plain Node, no tsx): the
// BUILT @diamondpay/hono, so @diamondpay/core resolves through its `node` export condition as in a
// deployed app. Prints "LISTENING <port>"; reports the duplicate store's size over IPC.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { HEADERS, handWrittenReceiver } from '../../../bench/hand-written.mjs';
import { reportStats } from '../../../bench/server-stats.mjs';
import { depositNotifications, MemoryNotificationStore } from '../dist/index.js';

const ACK = '{"error_code":"0000"}';
const store = new MemoryNotificationStore();
const app = new Hono();
app.post(
  '/notify',
  depositNotifications({
    platformId: 'PF0002',
    platformKey: 'ThisIsYourSecretKey123',
    store,
    onDeposit: () => {},
  }),
);
// The baseline: the same reply, no body read, no verification.
app.post('/bare', (c) =>
  c.body(ACK, 200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }),
);
// A second baseline: the same reply after reading the body (what any verifying route must do).
app.post('/read', async (c) => {
  await c.req.arrayBuffer();
  return c.body(ACK, 200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
});
// The hand-written route a merchant would write instead: c.req.text(), JSON.parse, sort, createHmac,
// compare, de-duplicate in a Map, reply (bench/hand-written.mjs).
const hand = handWrittenReceiver('ThisIsYourSecretKey123');
app.post('/hand', async (c) => {
  const r = hand.receive(await c.req.text());
  return c.body(r.body, r.status, HEADERS);
});
reportStats(() => ({ storeSize: store.size }));
serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => console.log(`LISTENING ${info.port}`));
