// The Ledger on PostgreSQL, one SQL text for pg and PGlite. Concurrency comes from PostgreSQL itself:
// the inbox's primary key makes a second copy of a notification wait on the first transaction's row,
// `SELECT … FOR UPDATE` serialises transitions of one order, and `FOR UPDATE SKIP LOCKED` lets any
// number of reconcilers take disjoint sets of due orders.
import {
  createLedgerInbox,
  LEDGER_INBOX,
  type Ledger,
  type LedgerCreateIntent,
  type LedgerCreateResult,
  type LedgerInboxEntry,
  type LedgerOrder,
  type LedgerOrderRef,
  type LedgerTransaction,
  type LedgerUnitOfWork,
} from '@diamondpay/core';
import { type Driver, type LedgerDatabase, type Query, toDriver } from './driver.js';
import { toInboxEntry, toOrder } from './rows.js';
import {
  DEFAULT_TABLE_PREFIX,
  LEDGER_SCHEMA_VERSION,
  type LedgerTables,
  ledgerSchemaSql,
  ledgerTables,
  schemaStatements,
} from './schema.js';
import { cents, PostgresUnitOfWork, preparedStatements, refParams, unitStatements } from './unit-of-work.js';

export interface PostgresLedgerOptions {
  /** A pg `Pool` (recommended), a connected pg `Client` (transactions are queued), or a `PGlite`. */
  db: LedgerDatabase;
  /** Prefix of the ledger's table names: lowercase letters, digits, `_`. Default `diamondpay_`. */
  tablePrefix?: string;
}

/** A `Ledger` on PostgreSQL, plus `migrate()` for its tables. */
export interface PostgresLedger extends Ledger {
  /** Creates the ledger's tables if they are missing (idempotent; safe from several instances at once). */
  migrate(): Promise<void>;
  /** Deletes inbox rows received before `before` except discrepancies (see `Ledger.pruneInbox`); resolves the count. */
  pruneInbox(before: number): Promise<number>;
  /** The table names in use. */
  readonly tables: Readonly<LedgerTables>;
}

function closedGuard(query: Query): { tx: LedgerTransaction; query: Query; close(): void } {
  let open = true;
  const guarded: Query = (text, params, options) => {
    if (!open) {
      return Promise.reject(
        new Error('ledger transaction is finished: run SQL with `tx.query` only inside the handler call'),
      );
    }
    return query(text, params, options);
  };
  return {
    tx: { query: (text, params) => guarded(text, params) },
    query: guarded,
    close: () => (open = false),
  };
}

class PostgresLedgerImpl implements PostgresLedger {
  // Set in the constructor (a computed-key class field makes bundlers keep the class).
  declare readonly [LEDGER_INBOX]: typeof createLedgerInbox;
  readonly tables: Readonly<LedgerTables>;
  private readonly driver: Driver;
  private readonly prefix: string;
  private readonly sql: ReturnType<typeof statements>;
  private readonly unitSql: ReturnType<typeof unitStatements>;
  private readonly prepared: readonly string[];

  constructor(options: PostgresLedgerOptions) {
    (this as { [LEDGER_INBOX]: typeof createLedgerInbox })[LEDGER_INBOX] = createLedgerInbox;
    this.prefix = options.tablePrefix ?? DEFAULT_TABLE_PREFIX;
    this.tables = Object.freeze(ledgerTables(this.prefix));
    this.driver = toDriver(options.db);
    this.sql = statements(this.tables);
    this.unitSql = unitStatements(this.tables);
    this.prepared = preparedStatements(this.unitSql);
  }

  async migrate(): Promise<void> {
    const text = schemaStatements(ledgerSchemaSql(this.prefix));
    await this.driver.transaction(async (query) => {
      // Two instances migrating at once would race on CREATE TABLE IF NOT EXISTS (it is not atomic
      // against a concurrent creator): one lock per prefix, released at commit.
      await query('SELECT pg_advisory_xact_lock(hashtext($1))', [`diamondpay-ledger:${this.prefix}`]);
      for (const statement of text) await query(statement);
      const { rows } = await query<{ v: number | string | null }>(
        `SELECT max(version) AS v FROM ${this.tables.version}`,
      );
      const found = Number(rows[0]?.v ?? 0);
      if (found > LEDGER_SCHEMA_VERSION) {
        throw new Error(
          `ledger schema version ${found} is newer than this @diamondpay/postgres (${LEDGER_SCHEMA_VERSION}): upgrade the package`,
        );
      }
    });
  }

  async transaction<T>(work: (unit: LedgerUnitOfWork) => Promise<T>): Promise<T> {
    let unit: PostgresUnitOfWork | undefined;
    return this.driver.transaction(
      async (raw) => {
        const guard = closedGuard(raw);
        try {
          unit = new PostgresUnitOfWork(guard.query, this.unitSql);
          return await work(unit);
        } finally {
          guard.close();
        }
      },
      // What the unit still holds is written with COMMIT.
      { prepared: this.prepared, finish: () => unit?.takeHeld() },
    );
  }

  async beginCreate(
    intent: LedgerCreateIntent,
  ): Promise<{ inserted: true } | { inserted: false; order: LedgerOrder }> {
    const { rows } = await this.driver.query(this.sql.beginCreate, [
      ...refParams(intent),
      cents(intent.amount, 'amount'),
      intent.service_id,
      intent.notify_url,
      intent.intent === null ? null : JSON.stringify(intent.intent),
      intent.now,
      intent.next_check_at,
    ]);
    if (rows.length === 1) return { inserted: true };
    const order = await this.getOrder(intent);
    if (!order) throw new Error('ledger: beginCreate found a conflicting order that then vanished');
    return { inserted: false, order };
  }

  async finishCreate(ref: LedgerOrderRef, result: LedgerCreateResult, now: number): Promise<void> {
    const sql = this.sql;
    if (result.state === 'created') {
      await this.driver.query(sql.finishCreated, [
        ...refParams(ref),
        result.gateway_id,
        result.link ?? null,
        now,
      ]);
    } else if (result.state === 'refused') {
      await this.driver.query(sql.finishRefused, [
        ...refParams(ref),
        result.error_code,
        result.error_msg,
        now,
      ]);
    } else if (result.state === 'not_sent') {
      await this.driver.query(sql.finishNotSent, refParams(ref));
    } else {
      await this.driver.query(sql.finishUnknown, [...refParams(ref), now]);
    }
  }

  async getOrder(ref: LedgerOrderRef): Promise<LedgerOrder | undefined> {
    const { rows } = await this.driver.query(this.sql.getOrder, refParams(ref));
    return rows[0] ? toOrder(rows[0]) : undefined;
  }

  async getInboxEntry(key: string): Promise<LedgerInboxEntry | undefined> {
    const { rows } = await this.driver.query(this.sql.getInboxEntry, [key]);
    return rows[0] ? toInboxEntry(rows[0]) : undefined;
  }

  async pruneInbox(before: number): Promise<number> {
    if (!Number.isSafeInteger(before)) throw new RangeError(`pruneInbox: ${before} is not a time in ms`);
    const { rowCount } = await this.driver.query(this.sql.pruneInbox, [before]);
    return rowCount;
  }

  async claimDueChecks(now: number, limit: number, leaseMs: number): Promise<LedgerOrder[]> {
    if (!Number.isSafeInteger(limit) || limit <= 0) return [];
    const { rows } = await this.driver.query(this.sql.claimDueChecks, [now, limit, leaseMs]);
    // RETURNING has no order: oldest due first, as claimed.
    return rows
      .map((row) => ({ due: Number(row.due_at), order: toOrder(row) }))
      .sort((a, b) => a.due - b.due)
      .map((r) => r.order);
  }

  async scheduleCheck(
    ref: LedgerOrderRef,
    next_check_at: number | null,
    checks: number,
    now: number,
  ): Promise<void> {
    await this.driver.query(this.sql.scheduleCheck, [...refParams(ref), next_check_at, checks, now]);
  }
}

const PK = 'kind = $1 AND platform_id = $2 AND cl_id = $3';

function statements(t: LedgerTables) {
  const orders = t.orders;
  return {
    orders,
    getOrder: `SELECT * FROM ${orders} WHERE ${PK}`,
    beginCreate: `INSERT INTO ${orders}
      (kind, platform_id, cl_id, create_state, amount, service_id, notify_url, intent,
       created_at, updated_at, next_check_at)
      VALUES ($1, $2, $3, 'sending', $4, $5, $6, ($7::text)::jsonb, $8, $8, $9)
      ON CONFLICT (kind, platform_id, cl_id) DO NOTHING RETURNING cl_id`,
    // Only from sending/unknown: a late answer never undoes what the reconciler already found, and
    // never touches the status a notification may have applied first.
    finishCreated: `UPDATE ${orders}
      SET create_state = 'created', gateway_id = $4, link = $5, updated_at = $6
      WHERE ${PK} AND create_state IN ('sending', 'unknown')`,
    finishRefused: `UPDATE ${orders}
      SET create_state = 'refused', error_code = $4, error_msg = $5, next_check_at = NULL, updated_at = $6
      WHERE ${PK} AND create_state IN ('sending', 'unknown')`,
    finishUnknown: `UPDATE ${orders} SET create_state = 'unknown', updated_at = $4
      WHERE ${PK} AND create_state IN ('sending', 'unknown')`,
    // Nothing reached the gateway: the intent goes, so the order can be created again under its id.
    finishNotSent: `DELETE FROM ${orders} WHERE ${PK} AND create_state = 'sending' AND status IS NULL`,
    getInboxEntry: `SELECT * FROM ${t.inbox} WHERE key = $1`,
    // One pass over the table (only the key is indexed, to keep the notification path lean): a
    // daily job's cost, not a notification's. Discrepancy rows stay (see Ledger.pruneInbox).
    pruneInbox: `DELETE FROM ${t.inbox} WHERE received_at < $1 AND effect IS DISTINCT FROM 'discrepancy'`,
    // Also clears the next_check_at a final (or refused) order kept, for those it passes: a
    // notification leaves it in place so its own update stays HOT (see sql/ledger.sql).
    claimDueChecks: `WITH due AS (
        SELECT kind, platform_id, cl_id, next_check_at AS due_at FROM ${orders}
        WHERE next_check_at <= $1 AND NOT final AND create_state <> 'refused'
        ORDER BY next_check_at LIMIT $2
        FOR UPDATE SKIP LOCKED
      ), settled AS (
        UPDATE ${orders} SET next_check_at = NULL
        WHERE ctid = ANY(ARRAY(
          SELECT ctid FROM ${orders}
          WHERE next_check_at <= $1 AND (final OR create_state = 'refused')
          LIMIT 1000 FOR UPDATE SKIP LOCKED
        ))
      )
      UPDATE ${orders} AS o SET next_check_at = $1::bigint + $3::bigint
      FROM due WHERE o.kind = due.kind AND o.platform_id = due.platform_id AND o.cl_id = due.cl_id
      RETURNING o.*, due.due_at`,
    scheduleCheck: `UPDATE ${orders} SET next_check_at = $4, checks = $5, updated_at = $6 WHERE ${PK}`,
  };
}

/** A ledger on PostgreSQL through `pg` or PGlite. Call `migrate()` once at startup (or run `sql/ledger.sql`). */
export function createPostgresLedger(options: PostgresLedgerOptions): PostgresLedger {
  return new PostgresLedgerImpl(options);
}
