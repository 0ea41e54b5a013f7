// The shop's refunds in PostgreSQL, beside its orders. Each state change is one UPDATE guarded by the
// states it may come from (REFUND_TRANSITIONS), so concurrent requests and notifications can only move
// a refund forward; inside a payout notification it runs on the ledger's transaction (`within(tx)`)
// and commits with the notification's inbox row.
import type { LedgerTransaction } from '@diamondpay/core';
import {
  REFUND_TRANSITIONS,
  type Refund,
  type RefundPatch,
  type RefundRepository,
  type RefundState,
} from './refunds.js';
import type { SqlQuery } from './sql-orders.js';

/** The refunds table for a name prefix (identifier characters only). */
export function refundSchemaSql(table: string, ordersTable: string): string {
  return `CREATE TABLE IF NOT EXISTS ${table} (
  payout_cl_id text PRIMARY KEY,
  order_id text NOT NULL REFERENCES ${ordersTable} (id),
  attempt integer NOT NULL CHECK (attempt > 0),
  amount bigint NOT NULL CHECK (amount > 0),
  state text NOT NULL CHECK (state IN ('requested', 'unknown', 'accepted', 'refused', 'paid_out', 'failed')),
  bank_code text NOT NULL,
  account_number text NOT NULL,
  account_holder text NOT NULL,
  phone_number text NOT NULL,
  payout_id text,
  error_code text,
  error_message text,
  notifications_applied integer NOT NULL DEFAULT 0,
  final_notifications_applied integer NOT NULL DEFAULT 0,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  UNIQUE (order_id, attempt)
)`;
}

const int = (v: unknown): number => {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new RangeError(`not a safe integer: ${String(v)}`);
  return n;
};

function toRefund(row: Record<string, unknown>): Refund {
  const refund: Refund = {
    payoutClId: String(row.payout_cl_id),
    orderId: String(row.order_id),
    attempt: int(row.attempt),
    amount: int(row.amount),
    state: row.state as RefundState,
    bankCode: String(row.bank_code),
    accountNumber: String(row.account_number),
    accountHolder: String(row.account_holder),
    phoneNumber: String(row.phone_number),
    notificationsApplied: int(row.notifications_applied),
    finalNotificationsApplied: int(row.final_notifications_applied),
    createdAt: int(row.created_at),
    updatedAt: int(row.updated_at),
  };
  if (row.payout_id !== null) refund.payoutId = String(row.payout_id);
  if (row.error_code !== null) refund.errorCode = String(row.error_code);
  if (row.error_message !== null) refund.errorMessage = String(row.error_message);
  return refund;
}

/**
 * Counts one discrepancy of a refund's payout on the order it refunds (the ledger's onDiscrepancy
 * ran for it; nothing is applied). False when no refund has this payout_cl_id (a payout the shop
 * did not make, such as a withdrawal): nothing to count it on.
 */
export async function countRefundDiscrepancy(
  query: SqlQuery,
  table: string,
  ordersTable: string,
  payoutClId: string,
): Promise<boolean> {
  const { rows } = await query(
    `UPDATE ${ordersTable} SET discrepancies = discrepancies + 1
     WHERE id = (SELECT order_id FROM ${table} WHERE payout_cl_id = $1) RETURNING id`,
    [payoutClId],
  );
  return rows.length === 1;
}

export class SqlRefundRepository implements RefundRepository {
  constructor(
    private readonly query: SqlQuery,
    /** The table's name (see `refundSchemaSql`). */
    readonly table: string,
  ) {}

  /** The same repository on a notification's transaction. */
  within(tx: LedgerTransaction): SqlRefundRepository {
    return new SqlRefundRepository((text, params) => tx.query(text, params), this.table);
  }

  async insert(r: Refund): Promise<Refund | undefined> {
    const { rows } = await this.query(
      `INSERT INTO ${this.table} (payout_cl_id, order_id, attempt, amount, state, bank_code, account_number,
         account_holder, phone_number, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT DO NOTHING RETURNING *`,
      [
        r.payoutClId,
        r.orderId,
        r.attempt,
        r.amount,
        r.state,
        r.bankCode,
        r.accountNumber,
        r.accountHolder,
        r.phoneNumber,
        r.createdAt,
        r.updatedAt,
      ],
    );
    return rows[0] ? toRefund(rows[0]) : undefined;
  }

  async get(payoutClId: string): Promise<Refund | undefined> {
    const { rows } = await this.query(`SELECT * FROM ${this.table} WHERE payout_cl_id = $1`, [payoutClId]);
    return rows[0] ? toRefund(rows[0]) : undefined;
  }

  async latestForOrder(orderId: string): Promise<Refund | undefined> {
    const { rows } = await this.query(
      `SELECT * FROM ${this.table} WHERE order_id = $1 ORDER BY attempt DESC LIMIT 1`,
      [orderId],
    );
    return rows[0] ? toRefund(rows[0]) : undefined;
  }

  async list(): Promise<Refund[]> {
    const { rows } = await this.query(`SELECT * FROM ${this.table} ORDER BY created_at, payout_cl_id`);
    return rows.map(toRefund);
  }

  async advance(payoutClId: string, to: RefundState, patch: RefundPatch) {
    const { rows } = await this.query(
      `UPDATE ${this.table} SET state = $2, payout_id = COALESCE($4, payout_id),
         error_code = COALESCE($5, error_code), error_message = COALESCE($6, error_message), updated_at = $7
       WHERE payout_cl_id = $1 AND state = ANY($3::text[]) RETURNING *`,
      [
        payoutClId,
        to,
        REFUND_TRANSITIONS[to],
        patch.payoutId ?? null,
        patch.errorCode ?? null,
        patch.errorMessage ?? null,
        Date.now(),
      ],
    );
    if (rows[0]) return { refund: toRefund(rows[0]), changed: true };
    const refund = await this.get(payoutClId);
    return refund ? { refund, changed: false } : { changed: false };
  }

  /**
   * One UPDATE: counts the notification and moves the state where allowed. Not guarded by a count:
   * the ledger's inbox is what makes it run once per payout and status (the counters show it).
   */
  async applyNotification(payoutClId: string, to: RefundState, patch: RefundPatch, final: boolean) {
    const allowed = 'state = ANY($3::text[])';
    const { rows } = await this.query(
      `UPDATE ${this.table} SET
         notifications_applied = notifications_applied + 1,
         final_notifications_applied = final_notifications_applied + $8,
         payout_id = COALESCE(payout_id, $4),
         error_code = CASE WHEN ${allowed} THEN COALESCE($5, error_code) ELSE error_code END,
         error_message = CASE WHEN ${allowed} THEN COALESCE($6, error_message) ELSE error_message END,
         state = CASE WHEN ${allowed} THEN $2 ELSE state END,
         updated_at = $7
       WHERE payout_cl_id = $1 RETURNING *`,
      [
        payoutClId,
        to,
        REFUND_TRANSITIONS[to],
        patch.payoutId ?? null,
        patch.errorCode ?? null,
        patch.errorMessage ?? null,
        Date.now(),
        final ? 1 : 0,
      ],
    );
    return rows[0] ? toRefund(rows[0]) : undefined;
  }
}
