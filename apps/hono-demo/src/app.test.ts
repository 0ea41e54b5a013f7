// The purchase and the refunds every demo shares (see @diamondpay-demo/shop/testing), through the Hono demo.
import type { AddressInfo } from 'node:net';
import { Shop, type ShopConfig } from '@diamondpay-demo/shop';
import { describeDemoPurchase, describeDemoRefunds } from '@diamondpay-demo/shop/testing';
import { type ServerType, serve } from '@hono/node-server';
import { createApp, REFUND_NOTIFICATION_PATH, startApp } from './app.js';

describeDemoPurchase('hono-demo', startApp);
describeDemoRefunds('hono-demo', startApp, REFUND_NOTIFICATION_PATH);

// Without the ledger (the REDIS_URL path keeps orders and refunds in memory): the same refunds, an
// unknown outcome checked by querying payout_cl_id instead of through the outbox.
describeDemoRefunds(
  'hono-demo without the ledger',
  async (config) => {
    const live: ShopConfig = { ...config };
    const shop = new Shop();
    const app = createApp(live, shop);
    const server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    live.port = (server.address() as AddressInfo).port;
    return {
      url: `http://127.0.0.1:${live.port}`,
      shop,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  },
  REFUND_NOTIFICATION_PATH,
);
