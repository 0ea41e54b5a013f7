// The ledger on PGlite (embedded WASM PostgreSQL): the contract suite, and the merchant's own SQL.
import type { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeLedgerContract } from '../../core/src/notifications/ledger-contract.js';
import { createPostgresLedger } from './postgres-ledger.js';
import { freshPrefix, testPGlite } from './testing/databases.js';

let db: PGlite;
beforeAll(async () => {
  db = await testPGlite();
}, 60_000);
afterAll(async () => {
  await db.close();
});

// One PGlite for the file (it takes seconds to start); every case gets its own tables.
describeLedgerContract('PostgreSQL ledger on PGlite', async () => {
  const ledger = createPostgresLedger({ db, tablePrefix: freshPrefix('lite') });
  await ledger.migrate();
  return ledger;
});

describe('PGlite: the merchant’s own SQL through tx', () => {
  it('commits with the inbox row, and rolls back with it', async () => {
    const ledger = createPostgresLedger({ db, tablePrefix: freshPrefix('lite') });
    await ledger.migrate();
    const shop = `${ledger.tables.orders}_shop`;
    await db.query(`CREATE TABLE ${shop} (id text PRIMARY KEY, credited integer NOT NULL DEFAULT 0)`);
    await db.query(`INSERT INTO ${shop} (id) VALUES ('A'), ('B')`);
    const ref = { kind: 'deposit' as const, platform_id: 'PF1', cl_id: 'A' };
    const entry = (key: string) => ({
      key,
      order: ref,
      gateway_id: 'P1',
      status: 2,
      source: 'notification' as const,
      received_at: 1,
    });

    await ledger.transaction(async ({ tx, recordInbox }) => {
      expect(await recordInbox(entry('k1'))).toBe(true);
      const r = await tx.query(`UPDATE ${shop} SET credited = credited + 1 WHERE id = $1`, ['A']);
      expect(r.rowCount).toBe(1);
    });
    await expect(
      ledger.transaction(async ({ tx, recordInbox }) => {
        await recordInbox(entry('k2'));
        await tx.query(`UPDATE ${shop} SET credited = credited + 1 WHERE id = $1`, ['B']);
        throw new Error('handler failed');
      }),
    ).rejects.toThrow('handler failed');

    const { rows } = await db.query<{ id: string; credited: number }>(`SELECT * FROM ${shop} ORDER BY id`);
    expect(rows).toEqual([
      { id: 'A', credited: 1 },
      { id: 'B', credited: 0 },
    ]);
    expect(await ledger.getInboxEntry('k1')).toBeDefined();
    expect(await ledger.getInboxEntry('k2')).toBeUndefined();
  });

  it('reports rows read and rows written as rowCount', async () => {
    const ledger = createPostgresLedger({ db, tablePrefix: freshPrefix('lite') });
    await ledger.migrate();
    const counts = await ledger.transaction(async ({ tx }) => {
      await tx.query('CREATE TEMP TABLE rc (n int) ON COMMIT DROP');
      const inserted = await tx.query('INSERT INTO rc VALUES (1), (2), (3)');
      const selected = await tx.query('SELECT * FROM rc WHERE n > $1', [1]);
      const updated = await tx.query('UPDATE rc SET n = n + 1 RETURNING n');
      return [inserted.rowCount, selected.rowCount, updated.rowCount];
    });
    expect(counts).toEqual([3, 2, 3]);
  });

  it('refuses tx.query once the transaction is over', async () => {
    const ledger = createPostgresLedger({ db, tablePrefix: freshPrefix('lite') });
    await ledger.migrate();
    const tx = await ledger.transaction(async (unit) => unit.tx);
    await expect(tx.query('SELECT 1')).rejects.toThrow(/transaction is finished/);
  });
});
