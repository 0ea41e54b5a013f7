import { readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresLedger } from './postgres-ledger.js';
import { ledgerSchemaSql, schemaStatements, validateTablePrefix } from './schema.js';

const shipped = readFileSync(new URL('../sql/ledger.sql', import.meta.url), 'utf8');

// One PGlite for the file: it takes seconds to boot on a busy machine.
let db: PGlite;
beforeAll(async () => {
  db = await PGlite.create();
}, 120_000);
afterAll(async () => {
  await db?.close();
});

describe('the schema', () => {
  it('ships sql/ledger.sql equal to what migrate() runs with the default prefix', async () => {
    expect(shipped).toBe(ledgerSchemaSql());
    const ran: string[] = [];
    // Record every statement migrate() sends through the driver.
    const recording = {
      waitReady: db.waitReady,
      query: (text: string, params?: unknown[]) => db.query<Record<string, unknown>>(text, params),
      transaction: <T>(
        fn: (tx: {
          query: (text: string, params?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>;
        }) => Promise<T>,
      ) =>
        db.transaction((tx) =>
          fn({
            query: (text: string, params?: unknown[]) => {
              ran.push(text);
              return tx.query<Record<string, unknown>>(text, params);
            },
          }),
        ),
    };
    await createPostgresLedger({ db: recording }).migrate();
    const schema = ran.filter((s) => !s.includes('pg_advisory_xact_lock') && !s.startsWith('SELECT max'));
    expect(schema).toEqual(schemaStatements(shipped));
    // The file alone, run by another tool (here into its own schema), builds the same tables.
    await db.exec(
      `CREATE SCHEMA file_only; SET search_path TO file_only; ${shipped}; SET search_path TO public`,
    );
    const tables = async (schema: string) =>
      (
        await db.query<{ t: string; c: string }>(
          `SELECT table_name AS t, string_agg(column_name || ' ' || data_type, ', ' ORDER BY ordinal_position) AS c
           FROM information_schema.columns WHERE table_schema = $1 GROUP BY 1 ORDER BY 1`,
          [schema],
        )
      ).rows;
    const fromFile = await tables('file_only');
    expect(fromFile.map((r) => r.t)).toEqual([
      'diamondpay_inbox',
      'diamondpay_orders',
      'diamondpay_schema_version',
    ]);
    expect(await tables('public')).toEqual(fromFile);
  });

  it('splits the schema into its statements, comments dropped', () => {
    const statements = schemaStatements(ledgerSchemaSql('x_'));
    expect(statements).toHaveLength(7);
    for (const s of statements) expect(s).toMatch(/^(CREATE|INSERT|ALTER TABLE|DROP INDEX IF EXISTS)/);
  });

  it.each([
    ['empty', ''],
    ['a quote', "x'; DROP TABLE users; --"],
    ['a space', 'my prefix_'],
    ['a leading digit', '1x_'],
    ['upper case (PostgreSQL would fold it)', 'Shop_'],
    ['a dot', 'public.x_'],
    ['too long', `${'a'.repeat(50)}_`],
  ])('refuses a table prefix with %s', (_label, prefix) => {
    expect(() => validateTablePrefix(prefix)).toThrow(/tablePrefix: must be 1 to 49 characters/);
    expect(() =>
      createPostgresLedger({ db: { query: async () => ({ rows: [] }) }, tablePrefix: prefix }),
    ).toThrow(
      expect.objectContaining({
        code: 'validation_error',
        issues: [expect.objectContaining({ field: 'tablePrefix', rule: 'pattern' })],
      }),
    );
  });

  it('accepts the longest allowed prefix and builds its tables', async () => {
    const prefix = `${'a'.repeat(48)}_`;
    const ledger = createPostgresLedger({ db, tablePrefix: prefix });
    await ledger.migrate();
    expect(ledger.tables.orders).toBe(`${prefix}orders`);
    const { rows } = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name LIKE $1',
      [`${prefix}%`],
    );
    expect(rows[0]?.n).toBe(3);
  });

  it('refuses what is neither pg nor PGlite', () => {
    expect(() => createPostgresLedger({ db: {} as never })).toThrow(
      /must be a pg Pool, a connected pg Client or a PGlite/,
    );
    expect(() => createPostgresLedger({ db: null as never })).toThrow(/must be a pg Pool/);
  });
});
