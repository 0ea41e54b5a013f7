// One small interface over the two drivers, found by shape (neither is imported, so an app that
// installs only one of them loads fine): a pg `Pool`, a connected pg `Client`, or a `PGlite`.
import {
  fromPg,
  type PgResultLike,
  type PgTransactionOptions,
  pgTransaction,
  type TxOutcome,
} from './pg-transaction.js';

/** A query result, as both drivers give it. */
export interface QueryResult<Row = Record<string, unknown>> {
  rows: Row[];
  rowCount: number;
}

/** Runs one statement with `$1`-style parameters. */
export type Query = <Row extends Record<string, unknown> = Record<string, unknown>>(
  text: string,
  params?: readonly unknown[],
  /** `prepare`: one of the ledger's statements named in the transaction's `prepared` (pg: planned once per connection). */
  options?: { prepare?: boolean },
) => Promise<QueryResult<Row>>;

/** What the ledger needs from a database: single statements, and a transaction around some work. */
export interface Driver {
  readonly kind: 'pg-pool' | 'pg-client' | 'pglite';
  query: Query;
  /** Runs `work` in one transaction; `options` name the ledger's own statements (see pg-transaction.ts). */
  transaction<T>(work: (query: Query) => Promise<T>, options?: PgTransactionOptions): Promise<T>;
}

const NO_STATEMENTS: PgTransactionOptions = { prepared: [] };

/** The part of a pg `PoolClient` used here. */
export interface PgPoolClientLike {
  query(text: string, params?: unknown[]): Promise<PgResultLike | PgResultLike[]>;
  release(err?: Error | boolean): void;
  on?(event: 'error', listener: (err: Error) => void): unknown;
  off?(event: 'error', listener: (err: Error) => void): unknown;
}

/** The part of a pg `Pool` used here. */
export interface PgPoolLike {
  connect(): Promise<PgPoolClientLike>;
  query(text: string, params?: unknown[]): Promise<PgResultLike>;
  readonly totalCount: number;
}

/** The part of a connected pg `Client` used here. */
export interface PgClientLike {
  query(text: string, params?: unknown[]): Promise<PgResultLike | PgResultLike[]>;
}

interface PGliteResultLike {
  rows: Record<string, unknown>[];
  affectedRows?: number;
}

interface PGliteQueryable {
  query(text: string, params?: unknown[]): Promise<PGliteResultLike>;
}

/** The part of a `PGlite` used here. */
export interface PGliteLike extends PGliteQueryable {
  transaction<T>(callback: (tx: PGliteQueryable) => Promise<T>): Promise<T>;
}

/** A database the ledger accepts: a pg `Pool` (recommended), a connected pg `Client`, or a `PGlite`. */
export type LedgerDatabase = PgPoolLike | PgClientLike | PGliteLike;

function fromPGlite(result: PGliteResultLike): QueryResult<never> {
  // affectedRows counts written rows; a SELECT reports 0 there and its rows in `rows`.
  return { rows: result.rows as never[], rowCount: Math.max(result.affectedRows ?? 0, result.rows.length) };
}

// One statement sent, one result back (pg answers a multi-statement text with an array).
const single = (result: PgResultLike | PgResultLike[]): PgResultLike =>
  Array.isArray(result) ? (result[result.length - 1] as PgResultLike) : result;

const params = (p: readonly unknown[] | undefined): unknown[] | undefined => (p ? [...p] : undefined);

function isPGlite(db: object): db is PGliteLike {
  return (
    typeof (db as PGliteLike).transaction === 'function' &&
    typeof (db as PGliteLike).query === 'function' &&
    'waitReady' in db
  );
}

function isPgPool(db: object): db is PgPoolLike {
  return (
    typeof (db as PgPoolLike).connect === 'function' &&
    typeof (db as PgPoolLike).query === 'function' &&
    typeof (db as PgPoolLike).totalCount === 'number'
  );
}

/** Finds the driver by shape. Throws a TypeError naming what is accepted. */
export function toDriver(db: unknown): Driver {
  if (typeof db !== 'object' || db === null) {
    throw new TypeError('createPostgresLedger: `db` must be a pg Pool, a connected pg Client or a PGlite');
  }
  if (isPGlite(db)) {
    return {
      kind: 'pglite',
      query: async (text, values) => fromPGlite(await db.query(text, params(values))),
      // In process: no round trips to save. The ledger's last statement runs before PGlite commits.
      transaction: (work, options = NO_STATEMENTS) =>
        db.transaction(async (tx) => {
          const query: Query = async (text, values) => fromPGlite(await tx.query(text, params(values)));
          const value = await work(query);
          const final = options.finish?.();
          if (final) await query(final.text, final.params);
          return value;
        }),
    };
  }
  if (isPgPool(db)) {
    return {
      kind: 'pg-pool',
      query: async (text, values) => fromPg(single(await db.query(text, params(values)))),
      async transaction<T>(
        work: (query: Query) => Promise<T>,
        options: PgTransactionOptions = NO_STATEMENTS,
      ): Promise<T> {
        const client = await db.connect();
        // A checked-out client that loses its connection between two queries (the handler is busy)
        // emits 'error'; pg-pool listens only on idle clients, so without this the process crashes.
        let lost: Error | undefined;
        const onError = (err: Error) => {
          lost = err;
        };
        client.on?.('error', onError);
        const release = (err?: unknown) => {
          client.off?.('error', onError);
          const broken = lost ?? err;
          // A broken connection is destroyed, never handed to the next caller.
          client.release(broken === undefined ? undefined : broken instanceof Error ? broken : true);
        };
        let outcome: TxOutcome<T>;
        try {
          outcome = await pgTransaction(client, work, options);
        } catch (error) {
          // BEGIN failed: the connection is suspect.
          release(error ?? true);
          throw error;
        }
        if ('value' in outcome) {
          release();
          return outcome.value;
        }
        release(outcome.rollbackFailed);
        throw outcome.error;
      },
    };
  }
  const client = db as PgClientLike;
  if (typeof client.query !== 'function') {
    throw new TypeError('createPostgresLedger: `db` must be a pg Pool, a connected pg Client or a PGlite');
  }
  // One connection runs one transaction at a time: queue them (a Pool is better for concurrency).
  let queue: Promise<unknown> = Promise.resolve();
  return {
    kind: 'pg-client',
    query: async (text, values) => {
      const run = queue.then(async () => fromPg(single(await client.query(text, params(values)))));
      queue = run.catch(() => undefined);
      return run as never;
    },
    transaction(work, options = NO_STATEMENTS) {
      const run = queue.then(async () => {
        const outcome = await pgTransaction(client, work, options);
        if ('value' in outcome) return outcome.value;
        throw outcome.error;
      });
      queue = run.catch(() => undefined);
      return run;
    },
  };
}
