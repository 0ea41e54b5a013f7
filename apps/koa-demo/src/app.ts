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
  PAYOUT_NOTIFICATION_PATH,
} from '@diamondpay/koa';
import { diamondPayRouter } from '@diamondpay/koa/router';
import {
  errorResponse,
  ledgerNotificationHandlers,
  notifyUrlFor,
  openShopStorage,
  orderCreatedResponse,
  orderPageResponse,
  refundRequestResponse,
  renderHome,
  Shop,
  type ShopConfig,
  type ShopResponse,
  type ShopStorage,
  shopBadge,
  storeNotificationHandlers,
} from '@diamondpay-demo/shop';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa, { type Context } from 'koa';

/** Writes the shop kit's answer onto the Koa context. */
function reply(ctx: Context, r: ShopResponse): void {
  if (r.status === 303) {
    ctx.redirect(r.headers.location!);
    ctx.status = 303;
    return;
  }
  ctx.status = r.status;
  for (const [name, value] of Object.entries(r.headers)) ctx.set(name, value);
  ctx.body = r.body;
}

/** Where the gateway POSTs the refunds' payout notifications. */
export const REFUND_NOTIFICATION_PATH = PAYOUT_NOTIFICATION_PATH;

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
  storage: { ledger?: Ledger; store?: NotificationStore; database?: ShopStorage['database'] } = {},
): Koa<DiamondPayState> {
  const { ledger, store } = storage;
  const notifyUrl = notifyUrlFor(config, DEPOSIT_NOTIFICATION_PATH);
  const refundNotifyUrl = notifyUrlFor(config, REFUND_NOTIFICATION_PATH);
  const app = new Koa<DiamondPayState>();
  const badge = shopBadge('Koa', storage, shop.store);
  const router = new Router<DiamondPayState>();

  // The notification route, from the router plugin. It is mounted before the body parser below,
  // so it reads the raw request itself (mounted after it, it would use ctx.request.rawBody).
  // A throw (unknown order) makes the gateway retry; with the ledger it also rolls the credit back.
  // The same receiver options serve the deposit route and the refunds' payout route.
  const notificationRouter = (path: string) =>
    ledger
      ? diamondPayRouter({ ...config.gateway, path, ledger, ...ledgerNotificationHandlers(shop) })
      : diamondPayRouter({ ...config.gateway, path, store, ...storeNotificationHandlers(shop) });
  const notifications = notificationRouter(DEPOSIT_NOTIFICATION_PATH);
  const payoutNotifications = notificationRouter(REFUND_NOTIFICATION_PATH);

  router.get('/', (ctx) => {
    ctx.type = 'html';
    ctx.body = renderHome(shop, badge);
  });

  router.post('/orders', async (ctx) => {
    const input = (ctx.request.body ?? {}) as Record<string, unknown>;
    const productId = typeof input.product_id === 'string' ? input.product_id : '';
    const serviceId = typeof input.service_id === 'string' ? input.service_id : '';
    const accept = ctx.get('accept');
    let order: Awaited<ReturnType<Shop['newOrder']>>;
    try {
      order = await shop.newOrder({ productId, serviceId });
    } catch (error) {
      return reply(ctx, errorResponse(400, (error as Error).message, accept, badge));
    }
    let created: Awaited<ReturnType<typeof ctx.state.diamondPay.deposits.create>>;
    try {
      created = await ctx.state.diamondPay.deposits.create({
        service_id: order.serviceId,
        payment_cl_id: order.id,
        amount: order.amount,
        notify_url: notifyUrl,
      });
    } catch (error) {
      if (!isDiamondPayError(error)) throw error;
      return reply(ctx, errorResponse(502, error.message, accept, badge));
    }
    const attached = await shop.attachDeposit(order.id, created);
    reply(ctx, orderCreatedResponse(attached, accept));
  });

  // A refund: the shop kit checks the order, sends the payout once and answers.
  router.post('/orders/:id/refund', async (ctx) => {
    reply(
      ctx,
      await refundRequestResponse(shop, {
        orderId: ctx.params.id ?? '',
        body: ctx.request.body as Record<string, unknown> | undefined,
        accept: ctx.get('accept'),
        client: ctx.state.diamondPay,
        notifyUrl: refundNotifyUrl,
        badge,
      }),
    );
  });

  router.get('/orders/:id', async (ctx) => {
    reply(ctx, await orderPageResponse(shop, ctx.params.id ?? '', ctx.get('accept'), badge));
  });

  app.use(notifications.routes());
  app.use(payoutNotifications.routes());
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
