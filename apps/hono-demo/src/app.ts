// The demo shop on Hono: routing only. Payments go through @diamondpay/hono; the shop kit holds the
// orders and pages.
import type { AddressInfo } from 'node:net';
import {
  type CreatedDeposit,
  DEPOSIT_NOTIFICATION_PATH,
  depositNotifications,
  diamondPay,
  isDiamondPayError,
  type Ledger,
  type NotificationStore,
  PAYOUT_NOTIFICATION_PATH,
} from '@diamondpay/hono';
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
import { type ServerType, serve } from '@hono/node-server';
import { type Context, Hono } from 'hono';

/** Where the gateway POSTs deposit notifications. */
export const NOTIFICATION_PATH = DEPOSIT_NOTIFICATION_PATH;
/** Where the gateway POSTs the refunds' payout notifications (the same receiver serves both routes). */
export const REFUND_NOTIFICATION_PATH = PAYOUT_NOTIFICATION_PATH;

/** Writes the shop kit's answer as a Hono response. */
const reply = (r: ShopResponse) => new Response(r.status === 303 || r.body === '' ? null : r.body, r);

/** The request's form or JSON body. */
async function bodyOf(c: Context): Promise<Record<string, unknown>> {
  const type = c.req.header('content-type') ?? '';
  return type.includes('application/json')
    ? await c.req.json<Record<string, unknown>>().catch(() => ({}))
    : await c.req.parseBody();
}

async function orderInput(c: Context): Promise<{ productId: string; serviceId: string }> {
  const body = await bodyOf(c);
  return { productId: String(body.product_id ?? ''), serviceId: String(body.service_id ?? '') };
}

/**
 * The shop's Hono app. `config` is read per request (startApp fills in the port it got). With a
 * `ledger`, creates go through its outbox and each notification is one transaction in which the
 * shop credits the order (`tx`); else `store` (or the in-memory default) de-duplicates.
 */
export function createApp(
  config: ShopConfig,
  shop: Shop = new Shop(),
  storage: { ledger?: Ledger; store?: NotificationStore; database?: ShopStorage['database'] } = {},
): Hono {
  const app = new Hono();
  const { ledger, store } = storage;
  const badge = shopBadge('Hono', storage, shop.store);
  const accept = (c: Context) => c.req.header('accept');

  app.onError((error, c) => {
    // The gateway refused or could not be reached while creating the deposit.
    const status = isDiamondPayError(error) ? 502 : 500;
    if (status === 500) console.error(error);
    const message = isDiamondPayError(error) ? error.message : 'Internal error';
    return reply(errorResponse(status, message, accept(c), badge));
  });

  app.get('/', (c) => c.html(renderHome(shop, badge)));

  app.post('/orders', diamondPay({ ...config.gateway, ledger }), async (c) => {
    let order: Awaited<ReturnType<Shop['newOrder']>>;
    try {
      order = await shop.newOrder(await orderInput(c));
    } catch (error) {
      return reply(errorResponse(400, (error as Error).message, accept(c), badge));
    }
    const created: CreatedDeposit = await c.var.diamondPay.deposits.create({
      service_id: order.serviceId,
      payment_cl_id: order.id,
      amount: order.amount,
      notify_url: notifyUrlFor(config, NOTIFICATION_PATH),
    });
    const updated = await shop.attachDeposit(order.id, created);
    return reply(orderCreatedResponse(updated, accept(c)));
  });

  // A refund: the shop kit checks the order, sends the payout once and answers.
  app.post('/orders/:id/refund', diamondPay({ ...config.gateway, ledger }), async (c) =>
    reply(
      await refundRequestResponse(shop, {
        orderId: c.req.param('id'),
        body: await bodyOf(c),
        accept: accept(c),
        client: c.var.diamondPay,
        notifyUrl: notifyUrlFor(config, REFUND_NOTIFICATION_PATH),
        badge,
      }),
    ),
  );

  const notifications = ledger
    ? depositNotifications({ ...config.gateway, ledger, ...ledgerNotificationHandlers(shop) })
    : depositNotifications({ ...config.gateway, store, ...storeNotificationHandlers(shop) });
  // app.all: core answers any other method 405 with Allow: POST (app.post would let Hono answer 404).
  app.all(NOTIFICATION_PATH, notifications);
  app.all(REFUND_NOTIFICATION_PATH, notifications);

  app.get('/orders/:id', async (c) =>
    reply(await orderPageResponse(shop, c.req.param('id'), accept(c), badge)),
  );

  return app;
}

export interface RunningApp {
  url: string;
  app: Hono;
  shop: Shop;
  storage: ShopStorage;
  close(): Promise<void>;
}

/**
 * Serves the shop with @hono/node-server on config.host:config.port (0 = a free port), its orders and
 * ledger in the shop database (PGlite, or DATABASE_URL). `shop` is used only with REDIS_URL.
 */
export async function startApp(config: ShopConfig, shop?: Shop): Promise<RunningApp> {
  const live: ShopConfig = { ...config };
  const storage = await openShopStorage(config, 'hono', shop);
  const app = createApp(live, storage.shop, storage);
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(s));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  live.port = port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  return {
    url,
    app,
    shop: storage.shop,
    storage,
    close: async () => {
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
      await storage.close();
    },
  };
}
