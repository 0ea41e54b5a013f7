// The ledger on a real PostgreSQL server (a throw-away cluster): the contract suite through a pg Pool
// and a pg Client, concurrent migrations, the table prefix, the merchant's own SQL, and failures.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeLedgerContract } from '../../core/src/notifications/ledger-contract.js';
import { createPostgresLedger, type PostgresLedger } from './postgres-ledger.js';
import { freshPrefix, testPool } from './testing/databases.js';
import { startTestPostgres, type TestPostgres } from './testing/postgres-server.js';

let server: TestPostgres;
let pool: pg.Pool;
let client: pg.Client;
beforeAll(async () => {
  server = await startTestPostgres();
  pool = testPool(server.url, { max: 20 });
  client = new pg.Client({ connectionString: server.url });
  // The server restart below ends this connection too; the app owns a Client's error events.
  client.on('error', () => {});
  await client.connect();
}, 60_000);
afterAll(async () => {
  await client?.end();
  await pool?.end();
  await server?.destroy();
});

async function fresh(db: pg.Pool | pg.Client = pool, label = 'pg'): Promise<PostgresLedger> {
  const ledger = createPostgresLedger({ db, tablePrefix: freshPrefix(label) });
  await ledger.migrate();
  return ledger;
}

describeLedgerContract('PostgreSQL ledger on a pg Pool', () => fresh(pool));
describeLedgerContract('PostgreSQL ledger on a pg Client (transactions queued)', () => fresh(client, 'cl'));

const ref = { kind: 'deposit' as const, platform_id: 'PF1', cl_id: 'A' };
const entry = (key: string) => ({
  key,
  order: ref,
  gateway_id: 'P1',
  status: 2,
  source: 'notification' as const,
  received_at: 1,
});

async function tableCount(prefix: string): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE $1",
    [`${prefix.replace(/_/g, '\\_')}%`],
  );
  return rows[0]?.n ?? -1;
}

describe('migrate on PostgreSQL', () => {
  it('is idempotent, and safe from several instances at once', async () => {
    const prefix = freshPrefix('mig');
    // Separate pools, as separate app instances would have.
    const pools = Array.from({ length: 4 }, () => testPool(server.url, { max: 2 }));
    try {
      const ledgers = pools.map((db) => createPostgresLedger({ db, tablePrefix: prefix }));
      await Promise.all(ledgers.map((l) => l.migrate()));
      await Promise.all(ledgers.map((l) => l.migrate()));
      expect(await tableCount(prefix)).toBe(3);
      const { rows } = await pool.query(`SELECT version FROM ${prefix}schema_version`);
      expect(rows).toEqual([{ version: 1 }]);
      await ledgers[0]?.beginCreate({
        ...ref,
        amount: 1,
        service_id: 'S',
        notify_url: null,
        intent: null,
        now: 1,
        next_check_at: 2,
      });
      await ledgers[1]?.migrate();
      expect(await ledgers[2]?.getOrder(ref)).toMatchObject({ amount: 1 });
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it('refuses a database migrated by a newer version of the package', async () => {
    const ledger = await fresh();
    await pool.query(`INSERT INTO ${ledger.tables.version} (version, applied_at) VALUES (2, 0)`);
    await expect(ledger.migrate()).rejects.toThrow(/schema version 2 is newer/);
  });

  it('keeps two prefixes apart in one database', async () => {
    const a = await fresh();
    const b = await fresh();
    await a.beginCreate({
      ...ref,
      amount: 7,
      service_id: 'S',
      notify_url: null,
      intent: null,
      now: 1,
      next_check_at: 2,
    });
    expect(await a.getOrder(ref)).toBeDefined();
    expect(await b.getOrder(ref)).toBeUndefined();
    expect(a.tables.orders).not.toBe(b.tables.orders);
  });
});

describe('amounts and times as BIGINT', () => {
  it('round-trips the largest safe integer through pg (which returns int8 as text)', async () => {
    const ledger = await fresh();
    const big = Number.MAX_SAFE_INTEGER;
    await ledger.beginCreate({
      ...ref,
      amount: big,
      service_id: 'S',
      notify_url: null,
      intent: { amount: big },
      now: big - 1,
      next_check_at: big,
    });
    expect(await ledger.getOrder(ref)).toMatchObject({
      amount: big,
      created_at: big - 1,
      next_check_at: big,
      intent: { amount: big },
    });
  });

  it('refuses to read a value past 2^53 rather than round it', async () => {
    const ledger = await fresh();
    await ledger.beginCreate({
      ...ref,
      amount: 1,
      service_id: 'S',
      notify_url: null,
      intent: null,
      now: 1,
      next_check_at: 2,
    });
    await pool.query(`UPDATE ${ledger.tables.orders} SET real_amount = 9007199254740993`);
    await expect(ledger.getOrder(ref)).rejects.toThrow(/real_amount: 9007199254740993 is not a safe integer/);
  });

  it('refuses a fractional amount before writing it', async () => {
    const ledger = await fresh();
    await expect(
      ledger.beginCreate({
        ...ref,
        amount: 10.5,
        service_id: 'S',
        notify_url: null,
        intent: null,
        now: 1,
        next_check_at: 2,
      }),
    ).rejects.toThrow(/amount: 10.5 is not an integer/);
    expect(await ledger.getOrder(ref)).toBeUndefined();
  });
});

describe('the merchant’s own SQL through tx (pg)', () => {
  it('commits with the inbox row, and rolls back with it', async () => {
    const ledger = await fresh();
    const shop = `${ledger.tables.orders}_shop`;
    await pool.query(`CREATE TABLE ${shop} (id text PRIMARY KEY, credited integer NOT NULL DEFAULT 0)`);
    await pool.query(`INSERT INTO ${shop} (id) VALUES ('A'), ('B')`);
    await ledger.transaction(async ({ tx, recordInbox }) => {
      expect(await recordInbox(entry('k1'))).toBe(true);
      expect(
        (await tx.query(`UPDATE ${shop} SET credited = credited + 1 WHERE id = $1`, ['A'])).rowCount,
      ).toBe(1);
    });
    await expect(
      ledger.transaction(async ({ tx, recordInbox }) => {
        await recordInbox(entry('k2'));
        await tx.query(`UPDATE ${shop} SET credited = credited + 1 WHERE id = $1`, ['B']);
        // A failing statement of the merchant's aborts the whole transaction.
        await tx.query(`INSERT INTO ${shop} (id) VALUES ('A')`);
      }),
    ).rejects.toThrow(/duplicate key/);
    const { rows } = await pool.query(`SELECT * FROM ${shop} ORDER BY id`);
    expect(rows).toEqual([
      { id: 'A', credited: 1 },
      { id: 'B', credited: 0 },
    ]);
    expect(await ledger.getInboxEntry('k2')).toBeUndefined();
    // The connection went back to the pool clean: the next transaction works.
    await expect(ledger.transaction(({ recordInbox }) => recordInbox(entry('k2')))).resolves.toBe(true);
  });

  it('makes a merchant update on one row wait for the transaction that holds it', async () => {
    const ledger = await fresh();
    await ledger.transaction(({ lockOrder }) => lockOrder(ref, 'P1', 1));
    const other = await pool.connect();
    try {
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let locked!: () => void;
      const isLocked = new Promise<void>((r) => (locked = r));
      const first = ledger.transaction(async ({ lockOrder }) => {
        await lockOrder(ref, 'P1', 2);
        locked();
        await held;
      });
      await isLocked;
      await other.query("SET lock_timeout = '200ms'");
      await expect(other.query(`SELECT 1 FROM ${ledger.tables.orders} FOR UPDATE`)).rejects.toThrow(
        /lock timeout/,
      );
      release();
      await first;
      await other.query("SET lock_timeout = '2s'");
      await expect(other.query(`SELECT 1 FROM ${ledger.tables.orders} FOR UPDATE`)).resolves.toBeDefined();
    } finally {
      other.release();
    }
  });
});

describe('failures surface as errors (the receiver answers 503, the gateway retries)', () => {
  it('rejects a transaction when the pool is exhausted past its connection timeout', async () => {
    const small = testPool(server.url, { max: 1, connectionTimeoutMillis: 300 });
    try {
      const ledger = createPostgresLedger({ db: small, tablePrefix: freshPrefix('ex') });
      await ledger.migrate();
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let started!: () => void;
      const isStarted = new Promise<void>((r) => (started = r));
      const holder = ledger.transaction(async () => {
        started();
        await held;
      });
      await isStarted;
      await expect(ledger.transaction(({ recordInbox }) => recordInbox(entry('x')))).rejects.toThrow(
        /timeout/i,
      );
      release();
      await holder;
      await expect(ledger.transaction(({ recordInbox }) => recordInbox(entry('x')))).resolves.toBe(true);
    } finally {
      await small.end();
    }
  });

  it('rejects while the server is down, rolls back the transaction cut off mid-way, and recovers after', async () => {
    const own = testPool(server.url, { max: 4, connectionTimeoutMillis: 1_000 });
    try {
      const ledger = createPostgresLedger({ db: own, tablePrefix: freshPrefix('down') });
      await ledger.migrate();
      let reached!: () => void;
      const inTransaction = new Promise<void>((r) => (reached = r));
      const cut = ledger.transaction(async ({ recordInbox, tx }) => {
        await recordInbox(entry('cut'));
        reached();
        // Runs into the shutdown.
        await new Promise((r) => setTimeout(r, 300));
        await tx.query('SELECT 1');
      });
      await inTransaction;
      await server.stop();
      await expect(cut).rejects.toThrow();
      await expect(ledger.transaction(({ recordInbox }) => recordInbox(entry('during')))).rejects.toThrow();
      await expect(ledger.getOrder(ref)).rejects.toThrow();
      await server.start();
      // The pool drops the dead connections and connects again.
      await expect(ledger.transaction(({ recordInbox }) => recordInbox(entry('cut')))).resolves.toBe(true);
      expect(await ledger.getInboxEntry('during')).toBeUndefined();
      // Pools made before the restart hold dead idle clients: they must recover too.
      await expect(pool.query('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] });
    } finally {
      await own.end();
    }
  });
});

describe('a notification’s write amplification (pg)', () => {
  const NOW = Date.now();
  const order = (cl_id: string) => ({ kind: 'deposit' as const, platform_id: 'PF0002', cl_id });
  async function created(ledger: PostgresLedger, cl_id: string, next_check_at: number) {
    await ledger.beginCreate({
      ...order(cl_id),
      amount: 100,
      service_id: 'SVC0015',
      notify_url: 'https://shop.example/n',
      intent: null,
      now: NOW,
      next_check_at,
    });
    await ledger.finishCreate(order(cl_id), { state: 'created', gateway_id: `PM-${cl_id}`, link: null }, NOW);
  }
  async function paid(ledger: PostgresLedger, cl_id: string) {
    await ledger.transaction(async (u) => {
      await u.recordInbox({
        key: `deposit:PF0002:PM-${cl_id}:2`,
        order: order(cl_id),
        gateway_id: `PM-${cl_id}`,
        status: 2,
        source: 'notification',
        effect: 'applied',
        received_at: NOW,
      });
      await u.lockOrder(order(cl_id), `PM-${cl_id}`, NOW);
      await u.updateOrder(order(cl_id), { status: 2, final: true, next_check_at: null, updated_at: NOW + 1 });
      await u.setInboxEffect(`deposit:PF0002:PM-${cl_id}:2`, 'applied');
    });
  }

  it('updates an order without a new index entry (HOT), and the reconciler clears what a final order kept', async () => {
    const ledger = await fresh(pool, 'hot');
    const orders = ledger.tables.orders;
    for (let i = 0; i < 20; i++) await created(ledger, `H${i}`, NOW + 60_000);
    await pool.query(`VACUUM ${orders}`);
    // Table statistics reach the view asynchronously (each backend reports at most once a second).
    const updates = async (atLeast: number) => {
      let counts = { upd: 0, hot: 0 };
      for (let tries = 0; tries < 60; tries++) {
        const { rows } = await pool.query(
          `SELECT n_tup_upd::int AS upd, n_tup_hot_upd::int AS hot FROM pg_stat_user_tables WHERE relname = $1`,
          [orders],
        );
        counts = rows[0];
        if (counts.upd >= atLeast) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      return counts;
    };
    const before = await updates(20); // the creates' finishCreate
    for (let i = 0; i < 20; i++) await paid(ledger, `H${i}`);
    const after = await updates(before.upd + 20);
    const counts = { upd: after.upd - before.upd, hot: after.hot - before.hot };
    expect(counts).toEqual({ upd: 20, hot: 20 });
    // Final: read as never checked again, though the row keeps its time until the reconciler passes.
    expect(await ledger.getOrder(order('H0'))).toMatchObject({ final: true, next_check_at: null });
    const kept = await pool.query(`SELECT count(*)::int AS n FROM ${orders} WHERE next_check_at IS NOT NULL`);
    expect(kept.rows[0].n).toBe(20);
    await created(ledger, 'OPEN', NOW + 60_000);
    const claimed = await ledger.claimDueChecks(NOW + 120_000, 50, 60_000);
    expect(claimed.map((o) => o.cl_id)).toEqual(['OPEN']);
    const left = await pool.query(`SELECT cl_id FROM ${orders} WHERE next_check_at IS NOT NULL`);
    expect(left.rows).toEqual([{ cl_id: 'OPEN' }]);
  });

  it('migrates a table of an earlier release: the old due index goes, the new one comes', async () => {
    const prefix = freshPrefix('old');
    const ledger = createPostgresLedger({ db: pool, tablePrefix: prefix });
    await ledger.migrate();
    const orders = ledger.tables.orders;
    await pool.query(`DROP INDEX ${orders}_chk_idx`);
    await pool.query(
      `CREATE INDEX ${orders}_due_idx ON ${orders} (next_check_at) WHERE NOT final AND create_state <> 'refused'`,
    );
    await ledger.migrate();
    const { rows } = await pool.query(`SELECT indexname FROM pg_indexes WHERE tablename = $1 ORDER BY 1`, [
      orders,
    ]);
    expect(rows.map((r) => r.indexname)).toEqual([`${orders}_chk_idx`, `${orders}_pkey`]);
    const { rows: options } = await pool.query(`SELECT reloptions FROM pg_class WHERE relname = $1`, [
      orders,
    ]);
    expect(options[0].reloptions).toEqual(['fillfactor=80']);
  });
});
