// The shop's database: a PostgreSQL server when DATABASE_URL is set, else PGlite embedded in the
// process (in memory: `pnpm demo` needs no server). One database holds the shop's orders and the
// Diamond Pay ledger; each shop name gets its own tables, so the three demos can share one.

import { createPostgresLedger, type PostgresLedger } from '@diamondpay/postgres';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { ShopConfig } from './config.js';
import { SqlOrderRepository, type SqlQuery, shopSchemaSql } from './sql-orders.js';
import { refundSchemaSql, SqlRefundRepository } from './sql-refunds.js';

export interface ShopDatabase {
  /** The Diamond Pay ledger in this database (inbox, order states, create outbox). */
  readonly ledger: PostgresLedger;
  /** The shop's orders table. */
  readonly orders: SqlOrderRepository;
  /** The shop's refunds table (payouts back to the payer). */
  readonly refunds: SqlRefundRepository;
  /** A statement outside any transaction (tests count credits with it). */
  readonly query: SqlQuery;
  /** `postgres` (DATABASE_URL) or `pglite` (embedded). */
  readonly kind: 'postgres' | 'pglite';
  close(): Promise<void>;
}

// PGlite takes seconds to boot (WASM), so the shops of one process share one instance.
let shared: { db: Promise<PGlite>; users: number } | undefined;

async function openPGlite(): Promise<{ db: PGlite; release(): Promise<void> }> {
  if (!shared) shared = { db: PGlite.create(), users: 0 };
  const entry = shared;
  entry.users++;
  const db = await entry.db;
  return {
    db,
    release: async () => {
      entry.users--;
      if (entry.users === 0) {
        if (shared === entry) shared = undefined;
        await db.close();
      }
    },
  };
}

/** Opens (and migrates) the shop database for the shop called `name` (lowercase, e.g. `hono`). */
export async function openShopDatabase(config: ShopConfig, name: string): Promise<ShopDatabase> {
  if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`shop name must be an identifier, got ${name}`);
  let db: pg.Pool | PGlite;
  let close: () => Promise<void>;
  if (config.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: config.databaseUrl,
      max: 10,
      // A request waits boundedly for a connection, then the receiver answers 503 (the gateway retries).
      connectionTimeoutMillis: 5_000,
    });
    pool.on('error', () => {}); // an idle connection died (server restart): the pool reconnects
    db = pool;
    close = () => pool.end();
  } else {
    const lite = await openPGlite();
    db = lite.db;
    close = lite.release;
  }
  // Both drivers answer `query(text, params)` with `{ rows }`.
  const run = db.query.bind(db) as (
    text: string,
    params?: unknown[],
  ) => Promise<{ rows: Record<string, unknown>[]; rowCount?: number | null }>;
  const query: SqlQuery = async (text, params) => {
    const r = await run(text, params ? [...params] : undefined);
    return { rows: r.rows as never[], rowCount: r.rowCount ?? r.rows.length };
  };
  try {
    const ledger = createPostgresLedger({ db, tablePrefix: `${name}_diamondpay_` });
    await ledger.migrate();
    const table = `${name}_shop_orders`;
    const refundsTable = `${name}_shop_refunds`;
    await ledger.transaction(async ({ tx }) => {
      // Instances starting together must not race on CREATE TABLE IF NOT EXISTS.
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [table]);
      await tx.query(shopSchemaSql(table));
      // Tables made before the order page showed the QR code lack its column.
      await tx.query(`ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS qr_code_content text`);
      await tx.query(refundSchemaSql(refundsTable, table));
    });
    return {
      ledger,
      orders: new SqlOrderRepository(query, table),
      refunds: new SqlRefundRepository(query, refundsTable),
      query,
      kind: config.databaseUrl ? 'postgres' : 'pglite',
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
