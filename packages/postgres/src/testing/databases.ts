// Test helpers: a fresh table prefix per ledger, so one server (or one PGlite) serves many tests.
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

let counter = 0;
/** A prefix no other test in this process uses. */
export function freshPrefix(label = 't'): string {
  counter += 1;
  return `${label}${process.pid}_${counter}_`;
}

/** A pg Pool on `url` whose idle-client errors (server restarts) are expected, not fatal. */
export function testPool(url: string, options: pg.PoolConfig = {}): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 10, ...options });
  pool.on('error', () => {});
  return pool;
}

/** An in-memory PGlite. */
export function testPGlite(): Promise<PGlite> {
  return PGlite.create();
}
