// The demo shop, the Koa way: @koa/router for routes, @koa/bodyparser for forms and JSON, and
// @diamondpay/koa for the gateway client and the deposit notification route.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DEPOSIT_NOTIFICATION_PATH,
  type DiamondPayState,
  diamondPay,
  isDiamondPayError,
  type Ledger,
  type NotificationStore,
} from '@diamondpay/koa';
import { diamondPayRouter } from '@diamondpay/koa/router';
import {
  notifyUrlFor,
  openShopStorage,
  orderJson,
  renderHome,
  renderOrder,
  Shop,
  type ShopConfig,
  type ShopStorage,
} from '@diamondpay-demo/shop';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa from 'koa';

export interface RunningApp {
  url: string;
  close(): Promise<void>;
  app: Koa<DiamondPayState>;
  shop: Shop;
  storage: ShopStorage;
}

/**
 * The Koa app. `config` must give a reachable notify URL (publicUrl, or a fixed port). With a
 * `ledger`, creates go through its outbox and each notification is one transaction in which the
 * shop credits the order (`tx`); else `store` (or the in-memory default) de-duplicates.
 */
export function createApp(
  config: ShopConfig,
  shop: Shop = new Shop(),
  storage: { ledger?: Ledger; store?: NotificationStore } = {},
): Koa<DiamondPayState> {
  const { ledger, store } = storage;
  const notifyUrl = notifyUrlFor(config, DEPOSIT_NOTIFICATION_PATH);
  const app = new Koa<DiamondPayState>();
  const router = new Router<DiamondPayState>();

  // The notification route, from the router plugin. It is mounted before the body parser below,
  // so it reads the raw request itself (mounted after it, it would use ctx.request.rawBody).
  // A throw (unknown order) makes the gateway retry; with the ledger it also rolls the credit back.
  const notifications = ledger
    ? diamondPayRouter({
        ...config.gateway,
        ledger,
        onDeposit: async (notification, _ctx, { tx }) => {
          await shop.applyNotification(notification, { tx });
        },
        // A status contradicting the record (paid after cancelled…): counted, never credited.
        onDiscrepancy: (event, _ctx, { tx }) => shop.recordDiscrepancy(event, { tx }),
        onResult: (result) => shop.recordDelivery(result),
      })
    : diamondPayRouter({
        ...config.gateway,
        store,
        onDeposit: async (notification) => {
          await shop.applyNotification(notification);
        },
        onResult: (result) => shop.recordDelivery(result),
      });

  router.get('/', (ctx) => {
    ctx.type = 'html';
    ctx.body = renderHome(shop);
  });

  router.post('/orders', async (ctx) => {
    const input = (ctx.request.body ?? {}) as Record<string, unknown>;
    const productId = typeof input.product_id === 'string' ? input.product_id : '';
    const serviceId = typeof input.service_id === 'string' ? input.service_id : '';
    const order = await shop
      .newOrder({ productId, serviceId })
      .catch((error: Error) => ctx.throw(400, error.message));
    let created: Awaited<ReturnType<typeof ctx.state.diamondPay.deposits.create>>;
    try {
      created = await ctx.state.diamondPay.deposits.create({
        service_id: order.serviceId,
        payment_cl_id: order.id,
        amount: order.amount,
        notify_url: notifyUrl,
      });
    } catch (error) {
      if (isDiamondPayError(error)) ctx.throw(502, `The payment gateway refused the order: ${error.message}`);
      throw error;
    }
    const attached = await shop.attachDeposit(order.id, created);
    if (ctx.request.is('json')) {
      ctx.status = 201;
      ctx.set('location', `/orders/${attached.id}`);
      ctx.body = orderJson(attached);
      return;
    }
    ctx.status = 303;
    ctx.redirect(created.link);
  });

  router.get('/orders/:id', async (ctx) => {
    const param = ctx.params.id ?? '';
    const asJson = param.endsWith('.json');
    const id = asJson ? param.slice(0, -'.json'.length) : param;
    const order = await shop.getOrder(id);
    if (!order) return ctx.throw(404, `No order ${id}`);
    if (asJson || ctx.accepts('html', 'json') === 'json') {
      ctx.set('cache-control', 'no-store');
      ctx.body = orderJson(order);
      return;
    }
    ctx.type = 'html';
    ctx.body = renderOrder(order);
  });

  app.use(notifications.routes());
  app.use(diamondPay({ ...config.gateway, ledger }));
  app.use(bodyParser());
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}

/**
 * Listens on config.host:config.port (0 = a free port) and serves the app, its orders and ledger in
 * the shop database (PGlite, or DATABASE_URL). `shop` is used only with REDIS_URL. Prints nothing.
 */
export async function startApp(config: ShopConfig, shop?: Shop): Promise<RunningApp> {
  const server = createServer();
  server.listen(config.port, config.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  // With port 0 the notify URL is known only now.
  const storage = await openShopStorage(config, 'koa', shop);
  const app = createApp({ ...config, port, publicUrl: config.publicUrl ?? url }, storage.shop, storage);
  server.on('request', app.callback());
  return {
    url,
    app,
    shop: storage.shop,
    storage,
    close: async () => {
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      await storage.close();
    },
  };
}
