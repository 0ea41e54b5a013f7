// startSandbox: a Diamond Pay gateway on loopback (plain node:http, keep-alive), with a cashier
// page, payouts and balances, signed notifications, fault injection and a control API. State lives
// in memory only.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GatewayPath } from '@diamondpay/core';
import type { SandboxBalance } from './balances.js';
import { type CashierActions, handleCashier } from './cashier-page.js';
import { handleControl } from './control.js';
import {
  ChangeFeed,
  depositKey,
  depositKind,
  handleDashboard,
  Journal,
  type OrderKind,
  payoutKey,
  payoutKind,
} from './dashboard/index.js';
import { invalid, SandboxError } from './errors.js';
import {
  type DeliveryFaults,
  type Endpoint,
  type FaultKind,
  FaultPlan,
  type Faults,
  validateDeliveryFaults,
} from './faults.js';
import { balance, createDeposit, errorBody, GatewayCode, queryDeposit } from './gateway.js';
import { BodyTooLargeError, readBody, send, sendJson } from './http-util.js';
import { type DeliveryAttempt, Notifier, type PayoutDeliveryAttempt } from './notifier.js';
import { DEFAULT_MERCHANT, OrderBook, type SandboxMerchant, type SandboxOrder } from './orders.js';
import {
  createPayout,
  DEFAULT_UNSUPPORTED_BANK_CODES,
  type PayoutDesk,
  queryPayout,
} from './payout-gateway.js';
import { PayoutBook, type SandboxPayout } from './payouts.js';
import { Sleeper } from './sleeper.js';

/** Ten attempts within the hour the gateway documents (ms before each attempt; sum 58 min 45 s). */
export const DEFAULT_RETRY_SCHEDULE: readonly number[] = Object.freeze([
  0, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 600_000, 900_000, 900_000,
]);

export interface SandboxOptions {
  /** Port to listen on; default 0 (a free port). */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default [DEFAULT_MERCHANT]. */
  merchants?: SandboxMerchant[];
  /** Delay before each notification attempt, in ms; its length is the number of attempts (default 10 within an hour). */
  retrySchedule?: number[];
  /** Multiplies every sandbox delay (retry schedule, injected latency). Default 1; tests use e.g. 0.001. */
  timeScale?: number;
  /** Timeout of one notification attempt, in ms (not scaled). Default 10 000. */
  notifyTimeoutMs?: number;
  /** Initial faults. */
  faults?: Faults;
  /** Seed of the PRNG behind rate-based faults. Default: random. */
  seed?: number;
  /** Receives one human-readable line per request and delivery attempt. */
  log?: (line: string) => void;
  /** Bank codes (`bank_name`) a payout is refused for with `0012` "Bank not supported!". Default `['UNSUPPORTED']`. */
  unsupportedBankCodes?: string[];
}

export interface PayOptions {
  /** Cents received; default the order amount (smaller = underpaid). */
  realAmount?: number | undefined;
  platformId?: string | undefined;
  /** Delivery faults for this order's notification (override the sandbox-wide `faults.delivery`). */
  delivery?: DeliveryFaults | undefined;
}

export interface CancelOptions {
  platformId?: string | undefined;
  /** 3 cancelled (default), 4 or 5 failed. */
  status?: 3 | 4 | 5 | undefined;
  delivery?: DeliveryFaults | undefined;
}

export interface CompletePayoutOptions {
  platformId?: string | undefined;
  /** Delivery faults for this payout's notification (override the sandbox-wide `faults.delivery`). */
  delivery?: DeliveryFaults | undefined;
}

export interface FailPayoutOptions {
  platformId?: string | undefined;
  /** 5 failed (default) or 4 cancelled. */
  status?: 4 | 5 | undefined;
  /** The notification's and query's `error_msg`; default "Payout failed" / "Payout cancelled". */
  errorMsg?: string | undefined;
  delivery?: DeliveryFaults | undefined;
}

export interface SandboxStats {
  requests: Record<Endpoint, number>;
  ordersCreated: number;
  /** Create requests refused as a reused payment_cl_id: 0 means no client ever sent an order twice. */
  duplicateCreates: number;
  payoutsCreated: number;
  /** Create-payout requests for a payout_cl_id that was already accepted (refused, 9002): each one a payout sent twice. Must stay 0. */
  duplicatePayouts: number;
  /** Notification attempts, deposits and payouts together. */
  deliveriesAttempted: number;
  deliveriesAcked: number;
}

export interface Sandbox {
  /** Base URL, e.g. http://127.0.0.1:54321 (for `new DiamondPay({ baseUrl })`). */
  url: string;
  /** The first merchant. */
  merchant: SandboxMerchant;
  /** Every configured merchant. */
  merchants: readonly SandboxMerchant[];
  /** Stops the server, cancels pending notification retries, closes keep-alive sockets. */
  close(): Promise<void>;
  /** Marks the order paid (status 2) and starts its notification. */
  pay(paymentClId: string, opts?: PayOptions): Promise<SandboxOrder>;
  /** Marks the order cancelled (status 3, or 4/5) and starts its notification. */
  cancel(paymentClId: string, opts?: CancelOptions): Promise<SandboxOrder>;
  order(paymentClId: string, platformId?: string): SandboxOrder | undefined;
  orders(): SandboxOrder[];
  /** The delivery log, oldest first. */
  deliveries(filter?: { paymentClId?: string | undefined; status?: number | undefined }): DeliveryAttempt[];
  /** Resolves on the first acknowledged attempt; rejects on timeout (default 10 s) or when all retries failed. */
  waitForDelivery(
    paymentClId: string,
    opts?: { timeoutMs?: number; status?: number },
  ): Promise<DeliveryAttempt>;
  /** Pays the accepted payout out (status 3, amount + fee debited) and starts its notification. */
  completePayout(payoutClId: string, opts?: CompletePayoutOptions): Promise<SandboxPayout>;
  /** Fails (status 5, default) or cancels (4) the payout, unfreezing its amount, and starts its notification. */
  failPayout(payoutClId: string, opts?: FailPayoutOptions): Promise<SandboxPayout>;
  payout(payoutClId: string, platformId?: string): SandboxPayout | undefined;
  payouts(): SandboxPayout[];
  /** The payout delivery log, oldest first. */
  payoutDeliveries(filter?: {
    payoutClId?: string | undefined;
    status?: number | undefined;
  }): PayoutDeliveryAttempt[];
  /** Resolves on the payout's first acknowledged attempt; rejects on timeout (default 10 s) or when all retries failed. */
  waitForPayoutDelivery(
    payoutClId: string,
    opts?: { timeoutMs?: number; status?: number },
  ): Promise<PayoutDeliveryAttempt>;
  /** A merchant's balance in cents (default the first merchant): `total` (frozen included), `frozen`, `available`. */
  balance(platformId?: string): SandboxBalance;
  /** Resolves when no notification delivery is pending or scheduled. */
  idle(): Promise<void>;
  /** Replaces the fault configuration. */
  setFaults(faults: Faults): void;
  /** The current fault configuration. */
  faults(): Faults;
  /** Queues `fault` for the next `times` (default 1) requests to `endpoint`, ahead of rate-based faults. */
  injectFault(endpoint: Endpoint, fault: FaultKind, times?: number): void;
  stats(): SandboxStats;
}

interface OrderRef {
  paymentClId: string;
  platformId: string | undefined;
}

const MAX_BODY_BYTES = 64 * 1024;
const PAYMENTS_V2 = GatewayPath.CREATE_DEPOSIT;
const PAYMENTS_V1 = GatewayPath.V1_DEPOSITS;
const PAYOUTS = GatewayPath.CREATE_PAYOUT;
const BALANCE = GatewayPath.BALANCE;
const SERVER_ERROR_PAGE: Record<number, string> = {
  500: '<html><head><title>500 Internal Server Error</title></head><body><center><h1>500 Internal Server Error</h1></center></body></html>',
  503: '<html><head><title>503 Service Temporarily Unavailable</title></head><body><center><h1>503 Service Temporarily Unavailable</h1></center></body></html>',
};

function checkOptions(o: SandboxOptions): void {
  if (o.port !== undefined && (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535))
    throw invalid('port must be an integer from 0 to 65535');
  if (
    o.timeScale !== undefined &&
    (typeof o.timeScale !== 'number' || !Number.isFinite(o.timeScale) || o.timeScale < 0)
  )
    throw invalid('timeScale must be a finite number ≥ 0');
  if (o.notifyTimeoutMs !== undefined && (!Number.isFinite(o.notifyTimeoutMs) || o.notifyTimeoutMs <= 0))
    throw invalid('notifyTimeoutMs must be a positive number of ms');
  if (
    o.retrySchedule !== undefined &&
    (!Array.isArray(o.retrySchedule) ||
      o.retrySchedule.length === 0 ||
      o.retrySchedule.some((ms) => typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0))
  )
    throw invalid('retrySchedule must be a non-empty array of delays in ms (≥ 0)');
  if (
    o.unsupportedBankCodes !== undefined &&
    (!Array.isArray(o.unsupportedBankCodes) ||
      o.unsupportedBankCodes.some((code) => typeof code !== 'string' || code === ''))
  )
    throw invalid('unsupportedBankCodes must be an array of bank codes (non-empty strings)');
}

/** The merchant order id of a query path `{prefix}/{id}`; undefined for any other path, '' when undecodable. */
function idAfter(path: string, prefix: string): string | undefined {
  if (!path.startsWith(`${prefix}/`) || path.indexOf('/', prefix.length + 1) >= 0) return undefined;
  try {
    return decodeURIComponent(path.slice(prefix.length + 1));
  } catch {
    return '';
  }
}

function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** Starts a sandbox gateway; resolves once it is listening. Call `close()` when done. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  checkOptions(options);
  const host = options.host ?? '127.0.0.1';
  const timeScale = options.timeScale ?? 1;
  const log = options.log;
  const book = new OrderBook(options.merchants ?? [DEFAULT_MERCHANT]);
  const desk: PayoutDesk = {
    book,
    payouts: new PayoutBook(
      book.merchants.map((m) => m.platformId),
      book.balances,
    ),
    unsupportedBankCodes: new Set(options.unsupportedBankCodes ?? DEFAULT_UNSUPPORTED_BANK_CODES),
  };
  const plan = new FaultPlan(options.faults, options.seed ?? Math.floor(Math.random() * 2 ** 32));
  const notifier = new Notifier({
    schedule: [...(options.retrySchedule ?? DEFAULT_RETRY_SCHEDULE)],
    timeScale,
    timeoutMs: options.notifyTimeoutMs ?? 10_000,
    log,
  });
  const sleeper = new Sleeper();
  // The dashboard's status history and live feed (a change = a journal step or a delivery attempt).
  const journal = new Journal();
  const feed = new ChangeFeed(() => journal.version + notifier.attempted);
  const requests: Record<Endpoint, number> = {
    createDeposit: 0,
    queryDeposit: 0,
    createPayout: 0,
    queryPayout: 0,
    balance: 0,
  };
  let url = '';
  let closed = false;

  const nowSeconds = () => Math.floor(Date.now() / 1000);
  const snapshot = <T extends SandboxOrder | SandboxPayout>(record: T): T => ({ ...record });
  const deliveryFaults = (own: DeliveryFaults | undefined): DeliveryFaults => ({
    ...plan.faults.delivery,
    ...validateDeliveryFaults(own),
  });

  const finalize = (order: SandboxOrder, faults: DeliveryFaults, note: string): SandboxOrder => {
    const merchant = book.merchant(order.platformId)!;
    log?.(`order ${order.paymentClId} (${order.paymentId}) → status ${order.status}`);
    journal.record(depositKey(order), order.status, note);
    notifier.deliver(order, merchant.platformKey, faults);
    return snapshot(order);
  };

  const payOrder = (ref: OrderRef, realAmount: number | undefined, delivery?: DeliveryFaults) => {
    if (closed) throw new SandboxError('closed', 'the sandbox is closed');
    const order = book.pending(ref.paymentClId, ref.platformId);
    const faults = deliveryFaults(delivery); // validate before changing anything
    book.pay(order, realAmount, nowSeconds());
    const short = order.realAmount < order.amount;
    return finalize(order, faults, `paid ${short ? 'less than the amount (underpaid)' : 'in full'}`);
  };

  const cancelOrder = (ref: OrderRef, status: number | undefined, delivery?: DeliveryFaults) => {
    if (closed) throw new SandboxError('closed', 'the sandbox is closed');
    const order = book.pending(ref.paymentClId, ref.platformId);
    const faults = deliveryFaults(delivery);
    book.cancel(order, status, nowSeconds());
    return finalize(
      order,
      faults,
      order.status === 3 ? 'cancelled' : order.status === 4 ? 'failed' : 'expired',
    );
  };

  const finishPayout = (
    ref: { payoutClId: string; platformId: string | undefined },
    delivery: DeliveryFaults | undefined,
    change: (payout: SandboxPayout) => void,
    note: (payout: SandboxPayout) => string,
  ): SandboxPayout => {
    if (closed) throw new SandboxError('closed', 'the sandbox is closed');
    const payout = desk.payouts.open(ref.payoutClId, ref.platformId);
    const faults = deliveryFaults(delivery); // validate before changing anything
    change(payout);
    log?.(`payout ${payout.payoutClId} (${payout.payoutId}) → status ${payout.status}`);
    journal.record(payoutKey(payout), payout.status, note(payout));
    notifier.deliverPayout(payout, book.merchant(payout.platformId)!.platformKey, faults);
    return snapshot(payout);
  };

  /** Applies the endpoint's faults around `handle`, which returns the envelope to answer with. */
  async function gatewayEndpoint(
    endpoint: Endpoint,
    req: IncomingMessage,
    res: ServerResponse,
    handle: (body: string) => Promise<string> | string,
  ): Promise<void> {
    requests[endpoint]++;
    const fault = plan.decide(endpoint);
    if (fault.kind === 'resetBefore') {
      log?.(`${endpoint}: fault resetBefore`);
      req.socket.destroy();
      return;
    }
    if (fault.kind === 'hang') {
      // Never answered: the socket is destroyed by close() (or by the client's timeout).
      log?.(`${endpoint}: fault hang`);
      return;
    }
    let text = '';
    if (req.method === 'POST') {
      try {
        text = await readBody(req, MAX_BODY_BYTES);
      } catch (error) {
        if (!(error instanceof BodyTooLargeError)) throw error;
        sendJson(
          res,
          413,
          errorBody(GatewayCode.BODY_TOO_LARGE, `Request body larger than ${MAX_BODY_BYTES} bytes`),
          {
            connection: 'close',
          },
        );
        return;
      }
    }
    if (fault.latencyMs > 0) await sleeper.sleep(fault.latencyMs * timeScale);
    if (closed) return;
    if (fault.kind === 'error500' || fault.kind === 'error503') {
      const status = fault.kind === 'error500' ? 500 : 503;
      log?.(`${endpoint}: fault HTTP ${status}`);
      send(res, status, 'text/html', SERVER_ERROR_PAGE[status]!);
      return;
    }
    const answer = await handle(text);
    if (fault.kind === 'resetAfter') {
      log?.(`${endpoint}: processed, then fault resetAfter`);
      req.socket.destroy();
      return;
    }
    sendJson(res, 200, answer);
  }

  const authorizationOf = (req: IncomingMessage): string | undefined => {
    const value = req.headers.authorization;
    return typeof value === 'string' ? value : undefined;
  };

  const cashier: CashierActions = {
    byPaymentId: (paymentId) => book.byPaymentId(paymentId),
    pay: async (order, realAmount) => payOrder(order, realAmount),
    cancel: async (order) => cancelOrder(order, 3),
  };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = req.url ?? '/';
    const q = target.indexOf('?');
    const path = q < 0 ? target : target.slice(0, q);
    const query = q < 0 ? '' : target.slice(q + 1);
    const method = req.method ?? 'GET';
    if (path === PAYMENTS_V2 || path === PAYMENTS_V1) {
      if (method !== 'POST') return methodNotAllowed(res, 'POST');
      return gatewayEndpoint('createDeposit', req, res, async (body) => {
        const result = await createDeposit(body, book, url, nowSeconds());
        if (result.order) journal.record(depositKey(result.order), result.order.status, 'created');
        log?.(
          `createDeposit: ${result.order ? `created ${result.order.paymentClId} (${result.order.paymentId})` : result.body}`,
        );
        return result.body;
      });
    }
    const paymentClId = idAfter(path, PAYMENTS_V2);
    if (paymentClId !== undefined) {
      if (method !== 'GET') return methodNotAllowed(res, 'GET');
      return gatewayEndpoint('queryDeposit', req, res, () => {
        const answer = queryDeposit(book, authorizationOf(req), paymentClId);
        log?.(`queryDeposit ${paymentClId}: ${answer.slice(0, 120)}`);
        return answer;
      });
    }
    if (path === PAYOUTS) {
      if (method !== 'POST') return methodNotAllowed(res, 'POST');
      return gatewayEndpoint('createPayout', req, res, (body) => {
        const result = createPayout(body, desk, nowSeconds());
        if (result.payout) journal.record(payoutKey(result.payout), result.payout.status, 'created');
        log?.(
          `createPayout: ${result.payout ? `accepted ${result.payout.payoutClId} (${result.payout.payoutId})` : result.body}`,
        );
        return result.body;
      });
    }
    const payoutClId = idAfter(path, PAYOUTS);
    if (payoutClId !== undefined) {
      if (method !== 'GET') return methodNotAllowed(res, 'GET');
      return gatewayEndpoint('queryPayout', req, res, () => {
        const answer = queryPayout(desk, authorizationOf(req), payoutClId);
        log?.(`queryPayout ${payoutClId}: ${answer.slice(0, 120)}`);
        return answer;
      });
    }
    if (path === BALANCE) {
      if (method !== 'GET') return methodNotAllowed(res, 'GET');
      return gatewayEndpoint('balance', req, res, () => {
        const answer = balance(book, authorizationOf(req));
        log?.(`balance: ${answer}`);
        return answer;
      });
    }
    if (path.startsWith('/cashier/')) return handleCashier(req, res, path, query, cashier);
    if (await handleDashboard(req, res, path, query, { sandbox, kinds, feed })) return;
    if (path.startsWith('/_sandbox/')) return handleControl(req, res, path, query, sandbox);
    if (path === '/' && method === 'GET') {
      return sendJson(
        res,
        200,
        JSON.stringify({
          name: 'Diamond Pay sandbox',
          createDeposit: `POST ${PAYMENTS_V2}`,
          queryDeposit: `GET ${PAYMENTS_V2}/{payment_cl_id}`,
          createPayout: `POST ${PAYOUTS}`,
          queryPayout: `GET ${PAYOUTS}/{payout_cl_id}`,
          balance: `GET ${BALANCE}`,
          control: '/_sandbox/health',
        }),
      );
    }
    sendJson(res, 404, errorBody(GatewayCode.UNKNOWN_PATH, `Unknown path ${path}`));
  }

  function methodNotAllowed(res: ServerResponse, allow: string): void {
    sendJson(res, 405, errorBody(GatewayCode.METHOD_NOT_ALLOWED, `Method not allowed (use ${allow})`), {
      allow,
    });
  }

  const server = http.createServer({ keepAlive: true }, (req, res) => {
    route(req, res).catch((error: unknown) => {
      if (error instanceof BodyTooLargeError && !res.headersSent) {
        send(res, 413, 'text/plain;charset=utf-8', error.message, { connection: 'close' });
        return;
      }
      log?.(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (!res.headersSent && !res.destroyed)
        send(res, 500, 'text/plain;charset=utf-8', 'sandbox internal error');
      else res.destroy();
    });
  });
  // Longer than common client pools' idle time, so a kept-alive socket is not closed under a request.
  server.keepAliveTimeout = 65_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  url = `http://${hostForUrl(host)}:${address.port}`;
  log?.(`sandbox listening on ${url}`);

  const sandbox: Sandbox = {
    url,
    merchant: { ...book.merchants[0]! },
    merchants: book.merchants.map((m) => ({ ...m })),
    async close() {
      if (closed) return;
      closed = true;
      feed.close();
      notifier.close();
      sleeper.close();
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await stopped;
    },
    async pay(paymentClId, opts = {}) {
      return payOrder({ paymentClId, platformId: opts.platformId }, opts.realAmount, opts.delivery);
    },
    async cancel(paymentClId, opts = {}) {
      return cancelOrder({ paymentClId, platformId: opts.platformId }, opts.status, opts.delivery);
    },
    order(paymentClId, platformId) {
      const order = book.find(paymentClId, platformId);
      return order && snapshot(order);
    },
    orders: () => book.all().map(snapshot),
    deliveries: (filter = {}) => notifier.attempts(filter),
    waitForDelivery: (paymentClId, opts = {}) =>
      notifier.waitFor(paymentClId, opts.status, opts.timeoutMs ?? 10_000),
    async completePayout(payoutClId, opts = {}) {
      return finishPayout(
        { payoutClId, platformId: opts.platformId },
        opts.delivery,
        (payout) => desk.payouts.complete(payout, nowSeconds()),
        () => 'paid out',
      );
    },
    async failPayout(payoutClId, opts = {}) {
      return finishPayout(
        { payoutClId, platformId: opts.platformId },
        opts.delivery,
        (payout) => desk.payouts.fail(payout, opts.status, opts.errorMsg, nowSeconds()),
        (payout) => `${payout.status === 4 ? 'cancelled' : 'failed'}: ${payout.errorMsg}`,
      );
    },
    payout(payoutClId, platformId) {
      const payout = desk.payouts.find(payoutClId, platformId);
      return payout && snapshot(payout);
    },
    payouts: () => desk.payouts.all().map(snapshot),
    payoutDeliveries: (filter = {}) => notifier.payoutAttempts(filter),
    waitForPayoutDelivery: (payoutClId, opts = {}) =>
      notifier.waitForPayout(payoutClId, opts.status, opts.timeoutMs ?? 10_000),
    balance: (platformId) => book.balances.get(platformId ?? book.merchants[0]!.platformId),
    idle: () => notifier.idle(),
    setFaults: (faults) => plan.set(faults),
    faults: () => structuredClone(plan.faults),
    injectFault: (endpoint, fault, times = 1) => plan.inject(endpoint, fault, times),
    stats: () => ({
      requests: { ...requests },
      ordersCreated: book.created,
      duplicateCreates: book.duplicateCreates,
      payoutsCreated: desk.payouts.created,
      duplicatePayouts: desk.payouts.duplicatePayouts,
      deliveriesAttempted: notifier.attempted,
      deliveriesAcked: notifier.acked,
    }),
  };
  /** Re-delivers an order's current status, or (stale) an earlier one, for the dashboard's actions. */
  const redeliver = (order: SandboxOrder, stale?: 0 | 1) => {
    if (closed) throw new SandboxError('closed', 'the sandbox is closed');
    const merchant = book.merchant(order.platformId)!;
    const sent =
      stale === undefined
        ? order
        : { ...order, status: stale, realAmount: 0, fee: 0, updateTime: order.createTime };
    notifier.deliver(sent, merchant.platformKey, {});
    journal.record(
      depositKey(order),
      sent.status,
      stale === undefined ? 'notification resent' : `stale status ${stale} sent`,
    );
  };
  const kinds: OrderKind[] = [
    depositKind({
      orders: sandbox.orders,
      order: sandbox.order,
      pay: sandbox.pay,
      cancel: sandbox.cancel,
      deliveries: sandbox.deliveries,
      resend: (order) => redeliver(order),
      sendStale: (order, status) => redeliver(order, status),
      journal,
    }),
    payoutKind({
      payouts: sandbox.payouts,
      payout: sandbox.payout,
      completePayout: sandbox.completePayout,
      failPayout: sandbox.failPayout,
      payoutDeliveries: sandbox.payoutDeliveries,
      resendPayout: (payout) => {
        if (closed) throw new SandboxError('closed', 'the sandbox is closed');
        const live = desk.payouts.find(payout.payoutClId, payout.platformId)!;
        notifier.deliverPayout(live, book.merchant(live.platformId)!.platformKey, {});
        journal.record(payoutKey(live), live.status, 'notification resent');
      },
      journal,
    }),
  ];
  return sandbox;
}
