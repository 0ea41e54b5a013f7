// The ledger's operations inside one transaction, written to cost few round trips, because every
// statement is a round trip and a notification's transaction is the hot path:
// - recordInbox inserts the inbox row and, in the same statement, locks the order row it names (the
//   receiver locks it next anyway), so lockOrder usually needs no statement of its own;
// - updateOrder and setInboxEffect are held and written together as one statement (one text for
//   every combination of fields, so it is planned once) with COMMIT, or before the ledger's next
//   statement. The merchant's SQL in between runs first: it sees the ledger's order row as it was
//   before this notification (the row stays locked by this transaction throughout).
import type {
  LedgerInboxEntry,
  LedgerOrder,
  LedgerOrderRef,
  LedgerOrderUpdate,
  LedgerTransaction,
  LedgerUnitOfWork,
} from '@diamondpay/core';
import type { Query } from './driver.js';
import type { LedgerStatement } from './pg-transaction.js';
import { toOrder, toSafeInt } from './rows.js';
import type { LedgerTables } from './schema.js';

// The order columns a transition may write (also the contract's names).
const UPDATABLE = [
  'gateway_id',
  'status',
  'final',
  'real_amount',
  'fee',
  'next_check_at',
  'checks',
  'create_state',
] as const satisfies readonly (keyof LedgerOrderUpdate)[];

const PK = 'kind = $1 AND platform_id = $2 AND cl_id = $3';
// The statements of every notification stay prepared per connection (pg parses and plans them once).
const PREPARE = { prepare: true } as const;
export const refParams = (ref: LedgerOrderRef): unknown[] => [ref.kind, ref.platform_id, ref.cl_id];
const sameRef = (a: LedgerOrderRef, b: LedgerOrderRef) =>
  a.kind === b.kind && a.platform_id === b.platform_id && a.cl_id === b.cl_id;

/** Checks an amount in cents before it is written. */
export function cents(value: number, field: string): number {
  if (!Number.isSafeInteger(value)) throw new RangeError(`ledger ${field}: ${value} is not an integer`);
  return value;
}

export function unitStatements(t: LedgerTables) {
  return {
    // The inbox insert runs first (outer side of the join), then the order row is locked.
    recordInboxAndLock: `WITH ins AS (
        INSERT INTO ${t.inbox}
          (key, kind, platform_id, cl_id, gateway_id, status, source, effect, received_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        ON CONFLICT (key) DO NOTHING RETURNING key
      )
      SELECT i.inbox_fresh, o.*
      FROM (SELECT count(*)::int AS inbox_fresh FROM ins) AS i
      LEFT JOIN LATERAL (
        SELECT * FROM ${t.orders} WHERE kind = $2 AND platform_id = $3 AND cl_id = $4 FOR UPDATE
      ) AS o ON true`,
    insertExternal: `INSERT INTO ${t.orders}
      (kind, platform_id, cl_id, create_state, gateway_id, created_at, updated_at)
      VALUES ($1, $2, $3, 'external', $4, $5, $5)
      ON CONFLICT (kind, platform_id, cl_id) DO NOTHING`,
    lockOrder: `SELECT * FROM ${t.orders} WHERE ${PK} FOR UPDATE`,
    ...flushStatements(t),
  };
}

/** The ledger's statements a transaction runs (prepared together on each pg connection). */
export function preparedStatements(sql: ReturnType<typeof unitStatements>): readonly string[] {
  return [
    sql.recordInboxAndLock,
    sql.updateOrder,
    sql.updateOrderAndEffect,
    sql.setEffect,
    sql.insertExternal,
    sql.lockOrder,
  ];
}

// Each updatable column is written only when its flag is true, so one text covers every update.
const COLUMN_TYPES: Record<(typeof UPDATABLE)[number], string> = {
  gateway_id: 'text',
  status: 'integer',
  final: 'boolean',
  real_amount: 'bigint',
  fee: 'bigint',
  next_check_at: 'bigint',
  checks: 'integer',
  create_state: 'text',
};

// Three texts, not one with flags for the parts: PostgreSQL would plan a guarded part afresh on
// every execution (a custom plan folds the guard away, so it always looks cheaper than the generic).
function flushStatements(t: LedgerTables) {
  const sets = UPDATABLE.map((column, i) => {
    const flag = 4 + 2 * i;
    return `${column} = CASE WHEN $${flag}::boolean THEN $${flag + 1}::${COLUMN_TYPES[column]} ELSE ${column} END`;
  });
  const at = 4 + 2 * UPDATABLE.length;
  const updateOrder = `UPDATE ${t.orders} SET ${sets.join(', ')}, updated_at = $${at}::bigint WHERE ${PK}`;
  return {
    // $1–$3 the order, then a (write?, value) pair per updatable column, then updated_at.
    updateOrder,
    // The same, then the inbox key and its effect.
    updateOrderAndEffect: `WITH o AS (${updateOrder} RETURNING 1)
      UPDATE ${t.inbox} SET effect = $${at + 2}::text WHERE key = $${at + 1}::text`,
    setEffect: `UPDATE ${t.inbox} SET effect = $2::text WHERE key = $1::text`,
  };
}

export class PostgresUnitOfWork implements LedgerUnitOfWork {
  readonly tx: LedgerTransaction;
  // The order row this transaction holds locked, as read (cleared once anything may have changed it).
  private locked: { ref: LedgerOrderRef; order: LedgerOrder } | undefined;
  private pendingOrder: { ref: LedgerOrderRef; update: LedgerOrderUpdate } | undefined;
  private pendingEffect: { key: string; effect: string } | undefined;
  // The inbox row this transaction inserted, with the effect it was written with: setting the same
  // effect again writes nothing (the receiver inserts with `applied`, the common outcome).
  private inserted: { key: string; effect: string | null } | undefined;

  constructor(
    private readonly query: Query,
    private readonly sql: ReturnType<typeof unitStatements>,
  ) {
    this.tx = {
      query: async (text, params) => {
        // The merchant may change the order row: read it again before the ledger next relies on it.
        this.locked = undefined;
        return query(text, params);
      },
    };
    // Callers may destructure the unit (`async ({ tx, recordInbox }) => …`).
    this.recordInbox = this.recordInbox.bind(this);
    this.setInboxEffect = this.setInboxEffect.bind(this);
    this.lockOrder = this.lockOrder.bind(this);
    this.updateOrder = this.updateOrder.bind(this);
  }

  async recordInbox(entry: LedgerInboxEntry): Promise<boolean> {
    await this.flush();
    const { rows } = await this.query(
      this.sql.recordInboxAndLock,
      [
        entry.key,
        entry.order.kind,
        entry.order.platform_id,
        entry.order.cl_id,
        entry.gateway_id,
        entry.status,
        entry.source,
        entry.effect ?? null,
        entry.received_at,
      ],
      PREPARE,
    );
    const row = rows[0];
    if (!row) throw new Error('ledger: recordInbox returned no row');
    this.locked = row.cl_id === null ? undefined : { ref: entry.order, order: toOrder(row) };
    const fresh = toSafeInt(row.inbox_fresh, 'inbox_fresh') === 1;
    if (fresh) this.inserted = { key: entry.key, effect: entry.effect ?? null };
    return fresh;
  }

  async setInboxEffect(key: string, effect: 'applied' | 'stale' | 'discrepancy'): Promise<void> {
    if (this.pendingEffect && this.pendingEffect.key !== key) await this.flush();
    const inserted = this.inserted;
    if (inserted?.key === key && inserted.effect === effect) {
      this.pendingEffect = undefined;
      return;
    }
    this.pendingEffect = { key, effect };
    if (inserted?.key === key) inserted.effect = effect;
  }

  async lockOrder(ref: LedgerOrderRef, gateway_id: string, now: number): Promise<LedgerOrder> {
    if (this.locked && sameRef(this.locked.ref, ref)) return this.locked.order;
    await this.flush();
    await this.query(this.sql.insertExternal, [...refParams(ref), gateway_id, now], PREPARE);
    const { rows } = await this.query(this.sql.lockOrder, refParams(ref), PREPARE);
    const row = rows[0];
    if (!row) throw new Error('ledger: the order row vanished while locking it');
    const order = toOrder(row);
    this.locked = { ref, order };
    return order;
  }

  async updateOrder(ref: LedgerOrderRef, update: LedgerOrderUpdate): Promise<void> {
    for (const column of ['real_amount', 'fee'] as const) {
      const value = update[column];
      if (typeof value === 'number') cents(value, column);
    }
    if (this.pendingOrder && !sameRef(this.pendingOrder.ref, ref)) await this.flush();
    this.pendingOrder = this.pendingOrder
      ? { ref, update: { ...this.pendingOrder.update, ...update } }
      : { ref, update };
    if (this.locked && sameRef(this.locked.ref, ref)) {
      this.locked = { ref, order: { ...this.locked.order, ...definedOnly(update) } };
    }
  }

  /** Writes the held order update and inbox effect now, as one statement. */
  async flush(): Promise<void> {
    const statement = this.takeHeld();
    if (statement) await this.query(statement.text, statement.params, PREPARE);
  }

  /** The held order update and inbox effect as one statement (sent with COMMIT), and forgets them. */
  takeHeld(): LedgerStatement | undefined {
    const order = this.pendingOrder;
    const effect = this.pendingEffect;
    this.pendingOrder = undefined;
    this.pendingEffect = undefined;
    if (!order) {
      return effect ? { text: this.sql.setEffect, params: [effect.key, effect.effect] } : undefined;
    }
    const params: unknown[] = refParams(order.ref);
    // A final order keeps its stored next_check_at (read as null): changing an indexed column would
    // make this update non-HOT, a new index entry per notification.
    const keepCheck = order.update.final === true;
    for (const column of UPDATABLE) {
      const value = column === 'next_check_at' && keepCheck ? undefined : order.update[column];
      params.push(value !== undefined, value ?? null);
    }
    params.push(order.update.updated_at);
    if (!effect) return { text: this.sql.updateOrder, params };
    params.push(effect.key, effect.effect);
    return { text: this.sql.updateOrderAndEffect, params };
  }
}

function definedOnly(update: LedgerOrderUpdate): Partial<LedgerOrder> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(update)) if (v !== undefined) out[k] = v;
  return out as Partial<LedgerOrder>;
}
