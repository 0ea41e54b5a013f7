// The shop's orders. Notifications are applied idempotently: only a pending order changes state,
// and what counts is the amount actually received (`real_amount`) against the shop's own price.
import type {
  CreatedDeposit,
  DepositNotification,
  DiscrepancyEvent,
  LedgerTransaction,
  ReceiveResult,
} from '@diamondpay/core';
import { PRODUCTS, type Product, SERVICES } from './catalogue.js';
import { ShopRefunds } from './refund-desk.js';
import { MemoryRefundRepository, type RefundRepository } from './refunds.js';
import { countDiscrepancy, SqlOrderRepository, type SqlQuery } from './sql-orders.js';
import { countRefundDiscrepancy, SqlRefundRepository } from './sql-refunds.js';

export type OrderStatus = 'pending' | 'paid' | 'underpaid' | 'cancelled';

export interface ShopOrder {
  /** Also the deposit's payment_cl_id. */
  id: string;
  productId: string;
  serviceId: string;
  /** Cents. */
  amount: number;
  status: OrderStatus;
  paymentId?: string;
  link?: string;
  /** The QR payload the gateway returned (QR service SVC0017), shown as a QR on the order page. */
  qrCodeContent?: string;
  /** Cents actually received. */
  realAmount?: number;
  /** How many times the order was credited (SQL store): exactly 1 for a paid or underpaid order. */
  credits?: number;
  /** How many status conflicts the ledger reported for the order (SQL store; never credited). */
  discrepancies?: number;
  createdAt: number;
  updatedAt: number;
}

/** Storage for orders. `transition` must be atomic: it applies `patch` only if the order is still `from`. */
export interface OrderRepository {
  insert(order: ShopOrder): Promise<void>;
  get(id: string): Promise<ShopOrder | undefined>;
  list(): Promise<ShopOrder[]>;
  update(id: string, patch: Partial<ShopOrder>): Promise<ShopOrder | undefined>;
  transition(
    id: string,
    from: OrderStatus,
    patch: Partial<ShopOrder>,
  ): Promise<{ order?: ShopOrder; changed: boolean }>;
}

export class MemoryOrderRepository implements OrderRepository {
  private readonly orders = new Map<string, ShopOrder>();

  async insert(order: ShopOrder) {
    if (this.orders.has(order.id)) throw new Error(`order ${order.id} exists`);
    this.orders.set(order.id, { ...order });
  }

  async get(id: string) {
    const o = this.orders.get(id);
    return o && { ...o };
  }

  async list() {
    return [...this.orders.values()].map((o) => ({ ...o }));
  }

  async update(id: string, patch: Partial<ShopOrder>) {
    const o = this.orders.get(id);
    if (!o) return undefined;
    Object.assign(o, patch);
    return { ...o };
  }

  async transition(id: string, from: OrderStatus, patch: Partial<ShopOrder>) {
    const o = this.orders.get(id);
    if (!o) return { changed: false };
    if (o.status !== from) return { order: { ...o }, changed: false };
    Object.assign(o, patch);
    return { order: { ...o }, changed: true };
  }
}

export interface ShopStats {
  ordersCreated: number;
  /** Handler runs (verified, first-time notifications). */
  notificationsHandled: number;
  /** Handler runs that changed an order. */
  ordersUpdated: number;
  /** Status conflicts the ledger reported (onDiscrepancy runs). */
  discrepancies: number;
  /** Deliveries the receiver saw, by outcome (fed through `recordDelivery`). */
  deliveries: Record<ReceiveResult['outcome'], number>;
}

export class UnknownOrderError extends Error {
  constructor(id: string) {
    super(`notification for unknown order ${id}`);
    this.name = 'UnknownOrderError';
  }
}

function newOrderId(): string {
  const rand = crypto.getRandomValues(new Uint8Array(5));
  return `ORD-${Date.now().toString(36).toUpperCase()}-${Array.from(rand, (b) =>
    b.toString(16).padStart(2, '0'),
  )
    .join('')
    .toUpperCase()}`;
}

export class Shop {
  readonly products: readonly Product[] = PRODUCTS;
  readonly services = SERVICES;
  readonly store: OrderRepository;
  /** The orders' refunds (payouts back to a bank account). */
  readonly refunds: ShopRefunds;
  private readonly counters: ShopStats = {
    ordersCreated: 0,
    notificationsHandled: 0,
    ordersUpdated: 0,
    discrepancies: 0,
    deliveries: { processed: 0, duplicate: 0, rejected: 0, failed: 0, busy: 0 },
  };

  private readonly handlerDelayMs: number;
  private readonly log: (line: string) => void;

  /**
   * `handlerDelayMs` (fault injection, the reliability test): after crediting, the handler waits this
   * long inside the notification's transaction, having logged `crediting <order id>`, so a process
   * killed then dies mid-handler.
   */
  constructor(
    options: {
      store?: OrderRepository;
      refunds?: RefundRepository;
      handlerDelayMs?: number;
      log?: (line: string) => void;
    } = {},
  ) {
    this.store = options.store ?? new MemoryOrderRepository();
    this.refunds = new ShopRefunds(options.refunds ?? new MemoryRefundRepository(), this.store);
    this.handlerDelayMs = options.handlerDelayMs ?? 0;
    this.log = options.log ?? (() => {});
  }

  /** The product shown on the home page. */
  get featured(): Product {
    return this.products[0]!;
  }

  async newOrder(input: { productId: string; serviceId: string }): Promise<ShopOrder> {
    const product = this.products.find((p) => p.id === input.productId);
    if (!product) throw new Error(`unknown product ${JSON.stringify(input.productId)}`);
    if (!this.services.some((s) => s.id === input.serviceId))
      throw new Error(`unknown service ${JSON.stringify(input.serviceId)}`);
    const now = Date.now();
    const order: ShopOrder = {
      id: newOrderId(),
      productId: product.id,
      serviceId: input.serviceId,
      amount: product.priceCents,
      status: 'pending',
      createdAt: now,
      updatedAt: now,
    };
    await this.store.insert(order);
    this.counters.ordersCreated++;
    return order;
  }

  async attachDeposit(orderId: string, created: CreatedDeposit): Promise<ShopOrder> {
    const order = await this.store.update(orderId, {
      paymentId: created.payment_id,
      link: created.link,
      ...(created.qr_code_content ? { qrCodeContent: created.qr_code_content } : {}),
      updatedAt: Date.now(),
    });
    if (!order) throw new UnknownOrderError(orderId);
    return order;
  }

  /**
   * Applies a verified deposit notification. Throws for an unknown order, so the gateway retries.
   * With `ledger` (the ledger's handler context) the credit is one UPDATE on the notification's
   * transaction: the ledger runs this once per status change, and a throw rolls both back.
   */
  async applyNotification(
    n: DepositNotification,
    ledger?: { tx: LedgerTransaction },
  ): Promise<{ order?: ShopOrder; changed: boolean }> {
    this.counters.notificationsHandled++;
    const store = ledger ? this.sqlStore().within(ledger.tx) : this.store;
    const order = await store.get(n.payment_cl_id);
    if (!order) throw new UnknownOrderError(n.payment_cl_id);
    let next: OrderStatus | undefined;
    if (n.outcome === 'paid') next = n.real_amount < order.amount ? 'underpaid' : 'paid';
    else if (n.outcome === 'not_paid') next = 'cancelled';
    if (!next) return { order, changed: false };
    const patch = { status: next, realAmount: n.real_amount, paymentId: n.payment_id, updatedAt: Date.now() };
    if (ledger) {
      const credited = await this.sqlStore()
        .within(ledger.tx)
        .credit(order.id, patch, next !== 'cancelled');
      if (this.handlerDelayMs > 0) {
        this.log(`crediting ${order.id}`);
        await new Promise((r) => setTimeout(r, this.handlerDelayMs));
      }
      this.counters.ordersUpdated++;
      return { order: credited, changed: true };
    }
    const result = await this.store.transition(order.id, 'pending', patch);
    if (result.changed) this.counters.ordersUpdated++;
    return result;
  }

  /**
   * The ledger's onDiscrepancy: counts the conflict on the order, credits nothing. A payout's (a
   * refund's) is counted on the order it refunds: its payout_cl_id names no order.
   */
  async recordDiscrepancy(event: DiscrepancyEvent, ledger: { tx: LedgerTransaction }): Promise<void> {
    this.counters.discrepancies++;
    const n = event.notification;
    const query: SqlQuery = (text, params) => ledger.tx.query(text, params);
    const orders = this.sqlStore().table;
    if (n.kind === 'deposit') {
      await countDiscrepancy(query, orders, n.payment_cl_id);
      return;
    }
    const refunds = this.refunds.store;
    if (!(refunds instanceof SqlRefundRepository))
      throw new Error('a ledger transaction needs the SQL refund store (openShopDatabase)');
    if (!(await countRefundDiscrepancy(query, refunds.table, orders, n.payout_cl_id)))
      this.log(`discrepancy on payout ${n.payout_cl_id}, which refunds no order of this shop`);
  }

  private sqlStore(): SqlOrderRepository {
    if (!(this.store instanceof SqlOrderRepository))
      throw new Error('a ledger transaction needs the SQL order store (openShopDatabase)');
    return this.store;
  }

  getOrder(id: string) {
    return this.store.get(id);
  }

  listOrders() {
    return this.store.list();
  }

  /** Feed every receiver result here (the receiver's onResult hook) to count deliveries. */
  recordDelivery(result: Pick<ReceiveResult, 'outcome'>): void {
    this.counters.deliveries[result.outcome]++;
  }

  stats(): ShopStats {
    return { ...this.counters, deliveries: { ...this.counters.deliveries } };
  }
}
