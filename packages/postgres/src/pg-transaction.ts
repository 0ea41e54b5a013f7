// A ledger transaction on one pg connection, in as few round trips as the protocol allows. pg sends
// one message and waits for its answer (no pipelining), and a notification's transaction is the hot
// path, so:
// - BEGIN travels with the ledger's first statement, and COMMIT with its last one, each pair in one
//   simple-protocol message ("BEGIN; EXECUTE …", "EXECUTE …; COMMIT"): with the merchant's one
//   statement in between, a notification costs 3 round trips where a hand-written
//   BEGIN / INSERT / UPDATE / COMMIT costs 4;
// - the ledger's statements are planned once per connection with SQL-level PREPARE (sent with the
//   connection's first ledger transaction), and run with EXECUTE and their values as literals, which
//   is what lets them share a message with BEGIN and COMMIT.
// The merchant's own statements run as they are, with their parameters, on the same connection.
import type { Query, QueryResult } from './driver.js';

/** The part of a pg `Client`/`PoolClient` a transaction uses. */
export interface PgQueryable {
  query(text: string, params?: unknown[]): Promise<PgResultLike | PgResultLike[]>;
}

export interface PgResultLike {
  rows: Record<string, unknown>[];
  rowCount?: number | null;
}

/** A statement of the ledger's, with `$n` parameters. */
export interface LedgerStatement {
  text: string;
  params: readonly unknown[];
}

export interface PgTransactionOptions {
  /** The ledger's statements (texts) that `query(…, { prepare: true })` runs: prepared together, once per connection. */
  prepared: readonly string[];
  /** The last statement of the ledger's, sent together with COMMIT (undefined: COMMIT alone). */
  finish?: () => LedgerStatement | undefined;
}

export type TxOutcome<T> = { value: T } | { error: unknown; rollbackFailed: unknown };

// Per connection, the names of the statements it has prepared. Shared through the global registry,
// so two copies of this package on one pool agree on what a connection holds.
const REGISTRY = Symbol.for('@diamondpay/postgres:prepared-statements');

function preparedOn(connection: object): Set<string> {
  const global = globalThis as { [REGISTRY]?: WeakMap<object, Set<string>> };
  const registry = global[REGISTRY] ?? new WeakMap<object, Set<string>>();
  global[REGISTRY] = registry;
  let prepared = registry.get(connection);
  if (!prepared) {
    prepared = new Set();
    registry.set(connection, prepared);
  }
  return prepared;
}

const names = new Map<string, string>();
/** A stable name per statement text (FNV-1a of the text, and its length). */
export function statementName(text: string): string {
  let name = names.get(text);
  if (!name) {
    let h = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    name = `diamondpay_ledger_${(h >>> 0).toString(16)}_${text.length}`;
    names.set(text, name);
  }
  return name;
}

/**
 * A value as SQL literal text, for EXECUTE. Strings are quoted with `'` doubled, and written as
 * `E'…'` with `\` doubled when they hold a backslash, which reads the same whatever
 * `standard_conforming_strings` is; a NUL character (which PostgreSQL text cannot hold) is refused.
 */
export function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError(`ledger: ${value} is not an integer`);
    return String(value);
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') {
    if (value.includes('\u0000')) throw new TypeError('ledger: a text value holds a NUL character');
    const quoted = value.replaceAll("'", "''");
    return value.includes('\\') ? `E'${quoted.replaceAll('\\', '\\\\')}'` : `'${quoted}'`;
  }
  throw new TypeError(`ledger: cannot write a ${typeof value} as SQL`);
}

function execute(text: string, params: readonly unknown[] | undefined): string {
  const name = statementName(text);
  return params && params.length > 0
    ? `EXECUTE ${name}(${params.map(sqlLiteral).join(', ')})`
    : `EXECUTE ${name}`;
}

export function fromPg(result: PgResultLike): QueryResult<never> {
  return { rows: result.rows as never[], rowCount: result.rowCount ?? result.rows.length };
}

/** The answer to the last statement of a multi-statement message. */
function last(result: PgResultLike | PgResultLike[]): PgResultLike {
  return Array.isArray(result) ? (result[result.length - 1] as PgResultLike) : result;
}

const errorCode = (error: unknown) => (error as { code?: unknown } | null)?.code;
// duplicate_prepared_statement, invalid_sql_statement_name (e.g. after DISCARD ALL).
const ALREADY_PREPARED = '42P05';
const NOT_PREPARED = '26000';

/** Runs `work` in one transaction on `connection`; ROLLBACK on a throw. Never throws itself. */
export async function pgTransaction<T>(
  connection: PgQueryable,
  work: (query: Query) => Promise<T>,
  options: PgTransactionOptions,
): Promise<TxOutcome<T>> {
  const held = preparedOn(connection);
  // `begun`: BEGIN ran. `sentBegin`: a message holding BEGIN went out (it may have failed after it).
  let begun = false;
  let sentBegin = false;

  // The statements the connection still lacks, as PREPAREs to send before BEGIN.
  const missing = () =>
    options.prepared
      .filter((text) => !held.has(statementName(text)))
      .map((text) => `PREPARE ${statementName(text)} AS ${text}`);

  // The first ledger statement: [PREPARE …;] BEGIN; EXECUTE …, with one recovery each for a
  // connection whose prepared statements are not what this process believes.
  async function first(statement: string): Promise<PgResultLike> {
    for (let attempt = 0; ; attempt++) {
      const prepares = missing();
      sentBegin = true;
      try {
        const result = await connection.query([...prepares, 'BEGIN', statement].join(';\n'));
        for (const text of options.prepared) held.add(statementName(text));
        begun = true;
        return last(result);
      } catch (error) {
        if (attempt > 0) throw error;
        if (errorCode(error) === ALREADY_PREPARED) {
          // Prepared by someone this process did not see: nothing after that PREPARE ran (BEGIN
          // included). Learn what the connection holds, then send the rest.
          const { rows } = last(
            await connection.query(
              `SELECT name FROM pg_prepared_statements WHERE name = ANY(ARRAY[${options.prepared.map((t) => sqlLiteral(statementName(t))).join(', ')}]::text[])`,
            ),
          );
          for (const row of rows) held.add(String(row.name));
          continue;
        }
        if (errorCode(error) === NOT_PREPARED) {
          // Deallocated behind this process's back (DISCARD ALL): BEGIN ran, nothing else did.
          await connection.query('ROLLBACK');
          held.clear();
          continue;
        }
        throw error;
      }
    }
  }

  const query: Query = async (text, values, queryOptions) => {
    if (queryOptions?.prepare && options.prepared.includes(text)) {
      const statement = execute(text, values);
      if (!begun) return fromPg(await first(statement));
      return fromPg(last(await connection.query(statement)));
    }
    if (!begun) {
      sentBegin = true;
      await connection.query('BEGIN');
      begun = true;
    }
    return fromPg(last(await connection.query(text, values ? [...values] : undefined)));
  };

  try {
    const value = await work(query);
    const final = options.finish?.();
    if (final) {
      const statement = options.prepared.includes(final.text) ? execute(final.text, final.params) : undefined;
      if (statement && begun) await connection.query(`${statement};\nCOMMIT`);
      else {
        await query(final.text, final.params, { prepare: true });
        await connection.query('COMMIT');
      }
    } else if (begun) {
      await connection.query('COMMIT');
    }
    return { value };
  } catch (error) {
    if (!sentBegin) return { error, rollbackFailed: undefined };
    try {
      await connection.query('ROLLBACK');
      return { error, rollbackFailed: undefined };
    } catch (rollbackError) {
      return { error, rollbackFailed: rollbackError ?? new Error('ROLLBACK failed') };
    }
  }
}
