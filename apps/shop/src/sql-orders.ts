// The shop's orders in PostgreSQL (pg or PGlite). Inside a notification, the same repository runs on
// the ledger's transaction (`within(tx)`), so an order's credit commits or rolls back together with
// the notification's inbox row: a crash between the two cannot happen.
import type { LedgerTransaction } from '@diamondpay/core';
import type { OrderRepository, OrderStatus, ShopOrder } from './orders.js';

/** Runs one statement with `$1` parameters: a pg Pool, a PGlite or a ledger transaction. */
export type SqlQuery = LedgerTransaction['query'];

/** The shop's table, for a name prefix (identifier characters only, like the ledger's prefix). */
export function shopSchemaSql(table: string): string {
  return `CREATE TABLE IF NOT EXISTS ${table} (
  id text PRIMARY KEY,
  product_id text NOT NULL,
  service_id text NOT NULL,
  amount bigint NOT NULL CHECK (amount > 0),
  status text NOT NULL CHECK (status IN ('pending', 'paid', 'underpaid', 'cancelled')),
  payment_id text,
  link text,
  qr_code_content text,
  real_amount bigint,
  credits integer NOT NULL DEFAULT 0,
  discrepancies integer NOT NULL DEFAULT 0,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
)`;
}

const COLUMNS: Record<keyof ShopOrder, string> = {
  id: 'id',
  productId: 'product_id',
  serviceId: 'service_id',
  amount: 'amount',
  status: 'status',
  paymentId: 'payment_id',
  link: 'link',
  qrCodeContent: 'qr_code_content',
  realAmount: 'real_amount',
  credits: 'credits',
  discrepancies: 'discrepancies',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
};

// pg returns BIGINT and count(*) as text, PGlite as numbers.
const int = (v: unknown): number => {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new RangeError(`not a safe integer: ${String(v)}`);
  return n;
};

function toOrder(row: Record<string, unknown>): ShopOrder {
  const order: ShopOrder = {
    id: String(row.id),
    productId: String(row.product_id),
    serviceId: String(row.service_id),
    amount: int(row.amount),
    status: row.status as OrderStatus,
    credits: int(row.credits),
    discrepancies: int(row.discrepancies),
    createdAt: int(row.created_at),
    updatedAt: int(row.updated_at),
  };
  if (row.payment_id !== null) order.paymentId = String(row.payment_id);
  if (row.link !== null) order.link = String(row.link);
  if (row.qr_code_content !== null && row.qr_code_content !== undefined)
    order.qrCodeContent = String(row.qr_code_content);
  if (row.real_amount !== null) order.realAmount = int(row.real_amount);
  return order;
}

function setClause(patch: Partial<ShopOrder>, values: unknown[]): string[] {
  const sets: string[] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined || key === 'id' || key === 'credits' || key === 'discrepancies') continue;
    values.push(value);
    sets.push(`${COLUMNS[key as keyof ShopOrder]} = $${values.length}`);
  }
  return sets;
}

export class SqlOrderRepository implements OrderRepository {
  constructor(
    private readonly query: SqlQuery,
    /** The table's name (see `shopSchemaSql`). */
    readonly table: string,
  ) {}

  /** The same repository on another connection or transaction (a notification's `tx`). */
  within(tx: LedgerTransaction): SqlOrderRepository {
    return new SqlOrderRepository((text, params) => tx.query(text, params), this.table);
  }

  async insert(order: ShopOrder): Promise<void> {
    await this.query(
      `INSERT INTO ${this.table} (id, product_id, service_id, amount, status, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        order.id,
        order.productId,
        order.serviceId,
        order.amount,
        order.status,
        order.createdAt,
        order.updatedAt,
      ],
    );
  }

  async get(id: string): Promise<ShopOrder | undefined> {
    const { rows } = await this.query(`SELECT * FROM ${this.table} WHERE id = $1`, [id]);
    return rows[0] ? toOrder(rows[0]) : undefined;
  }

  async list(): Promise<ShopOrder[]> {
    const { rows } = await this.query(`SELECT * FROM ${this.table} ORDER BY created_at, id`);
    return rows.map(toOrder);
  }

  async update(id: string, patch: Partial<ShopOrder>): Promise<ShopOrder | undefined> {
    const values: unknown[] = [id];
    const sets = setClause(patch, values);
    if (sets.length === 0) return this.get(id);
    const { rows } = await this.query(
      `UPDATE ${this.table} SET ${sets.join(', ')} WHERE id = $1 RETURNING *`,
      values,
    );
    return rows[0] ? toOrder(rows[0]) : undefined;
  }

  async transition(id: string, from: OrderStatus, patch: Partial<ShopOrder>) {
    const values: unknown[] = [id, from];
    const sets = setClause(patch, values);
    const { rows } = await this.query(
      `UPDATE ${this.table} SET ${sets.join(', ')} WHERE id = $1 AND status = $2 RETURNING *`,
      values,
    );
    if (rows[0]) return { order: toOrder(rows[0]), changed: true };
    const order = await this.get(id);
    return order ? { order, changed: false } : { changed: false };
  }

  /**
   * The credit of a paid (or underpaid) order, as one UPDATE: sets the state and counts one credit.
   * Deliberately not guarded by the order's status: the ledger's inbox is what makes it run once
   * per notification, and the credit count shows it (the reliability test counts it).
   */
  async credit(id: string, patch: Partial<ShopOrder>, credit: boolean): Promise<ShopOrder | undefined> {
    const values: unknown[] = [id];
    const sets = setClause(patch, values);
    if (credit) sets.push('credits = credits + 1');
    const { rows } = await this.query(
      `UPDATE ${this.table} SET ${sets.join(', ')} WHERE id = $1 RETURNING *`,
      values,
    );
    return rows[0] ? toOrder(rows[0]) : undefined;
  }
}

/** Counts one discrepancy on the order (the ledger's onDiscrepancy ran; nothing is credited). */
export async function countDiscrepancy(query: SqlQuery, table: string, id: string): Promise<void> {
  await query(`UPDATE ${table} SET discrepancies = discrepancies + 1 WHERE id = $1`, [id]);
}
