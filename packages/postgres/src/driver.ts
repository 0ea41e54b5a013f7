// One small interface over the two drivers, found by shape (neither is imported, so an app that
// installs only one of them loads fine): a pg `Pool`, a connected pg `Client`, or a `PGlite`.

/** A query result, as both drivers give it. */
export interface QueryResult<Row = Record<string, unknown>> {
  rows: Row[];
  rowCount: number;
}

/** Runs one statement with `$1`-style parameters. */
export type Query = <Row extends Record<string, unknown> = Record<string, unknown>>(
  text: string,
  params?: readonly unknown[],
  /** `prepare`: a statement the ledger runs on every notification, kept prepared per connection (pg). */
  options?: { prepare?: boolean },
) => Promise<QueryResult<Row>>;

/** What pg's `query` accepts: a text, or a named (prepared) statement. */
type PgQueryArg = string | { name: string; text: string; values?: unknown[] };

const names = new Map<string, string>();
/** A stable name per statement text (FNV-1a), so pg parses and plans it once per connection. */
function statementName(text: string): string {
  let name = names.get(text);
  if (!name) {
    let h = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    name = `diamondpay_${(h >>> 0).toString(16)}_${text.length}`;
    names.set(text, name);
  }
  return name;
}

function pgArg(text: string, values: unknown[] | undefined, prepare: boolean | undefined): PgQueryArg {
  return prepare ? { name: statementName(text), text, values: values ?? [] } : text;
}

/** What the ledger needs from a database: single statements, and a transaction around some work. */
export interface Driver {
  readonly kind: 'pg-pool' | 'pg-client' | 'pglite';
  query: Query;
  transaction<T>(work: (query: Query) => Promise<T>): Promise<T>;
}

interface PgResultLike {
  rows: Record<string, unknown>[];
  rowCount?: number | null;
}

/** The part of a pg `PoolClient` used here. */
export interface PgPoolClientLike {
  query(text: PgQueryArg, params?: unknown[]): Promise<PgResultLike>;
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
  query(text: PgQueryArg, params?: unknown[]): Promise<PgResultLike>;
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

function fromPg(result: PgResultLike): QueryResult<never> {
  return { rows: result.rows as never[], rowCount: result.rowCount ?? result.rows.length };
}

function fromPGlite(result: PGliteResultLike): QueryResult<never> {
  // affectedRows counts written rows; a SELECT reports 0 there and its rows in `rows`.
  return { rows: result.rows as never[], rowCount: Math.max(result.affectedRows ?? 0, result.rows.length) };
}

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

type TxOutcome<T> = { value: T } | { error: unknown; rollbackFailed: unknown };

// Runs `work` between BEGIN and COMMIT on one pg connection; ROLLBACK on a throw.
async function pgTransaction<T>(
  run: (text: PgQueryArg, values?: unknown[]) => Promise<PgResultLike>,
  work: (query: Query) => Promise<T>,
): Promise<TxOutcome<T>> {
  await run('BEGIN');
  try {
    const value = await work(async (text, values, options) => {
      const arg = pgArg(text, params(values), options?.prepare);
      return fromPg(await (typeof arg === 'string' ? run(arg, params(values)) : run(arg)));
    });
    await run('COMMIT');
    return { value };
  } catch (error) {
    try {
      await run('ROLLBACK');
      return { error, rollbackFailed: undefined };
    } catch (rollbackError) {
      return { error, rollbackFailed: rollbackError ?? new Error('ROLLBACK failed') };
    }
  }
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
      transaction: (work) =>
        db.transaction((tx) =>
          work(async (text, values) => fromPGlite(await tx.query(text, params(values)))),
        ),
    };
  }
  if (isPgPool(db)) {
    return {
      kind: 'pg-pool',
      query: async (text, values) => fromPg(await db.query(text, params(values))),
      async transaction<T>(work: (query: Query) => Promise<T>): Promise<T> {
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
          outcome = await pgTransaction((arg, values) => client.query(arg, values), work);
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
      const run = queue.then(async () => fromPg(await client.query(text, params(values))));
      queue = run.catch(() => undefined);
      return run as never;
    },
    transaction(work) {
      const run = queue.then(async () => {
        const outcome = await pgTransaction((arg, values) => client.query(arg, values), work);
        if ('value' in outcome) return outcome.value;
        throw outcome.error;
      });
      queue = run.catch(() => undefined);
      return run;
    },
  };
}
