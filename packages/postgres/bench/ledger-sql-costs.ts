// Where a ledger notification's database time goes: the SQL of one notification, without the
// receiver, in variants that add one piece of the ledger's work at a time, against the hand-written
// transaction the ledger benchmark compares with. A diagnostic, not a `pnpm bench` figure:
//   node --import tsx packages/postgres/bench/ledger-sql-costs.ts [rounds]
// A throw-away cluster, a pg Pool, 16 transactions in flight, loopback only, bounded in time (rounds
// of 1.5 s, variants alternated; medians). Per variant: transactions per second and, on Linux, the
// whole machine's CPU time per transaction from /proc/stat (the server's backends and this process),
// which is what a 2-core machine runs out of.
import { existsSync, readFileSync } from 'node:fs';
import { createPostgresLedger } from '@diamondpay/postgres';
import pg from 'pg';
import { startTestPostgres } from '../src/testing/postgres-server.js';

const IN_FLIGHT = 16;
const ORDERS = 400_000;
const ROUND_MS = 1_500;
const rounds = Math.min(20, Math.max(1, Number(process.argv[2] ?? 8)));

/** Busy CPU microseconds of the whole machine so far (user, nice, system, irq, softirq), or null. */
function machineBusyMicros(): number | null {
  if (!existsSync('/proc/stat')) return null;
  const ticks = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // USER_HZ is 100 on Linux: one tick is 10 ms.
  return (ticks[0]! + ticks[1]! + ticks[2]! + ticks[5]! + ticks[6]!) * 10_000;
}

const server = await startTestPostgres();
const pool = new pg.Pool({ connectionString: server.url, max: IN_FLIGHT });
pool.on('error', () => {});
try {
  const ledger = createPostgresLedger({ db: pool, tablePrefix: 'costs_' });
  await ledger.migrate();
  await pool.query(`CREATE TABLE shop_orders (id text PRIMARY KEY, credits integer NOT NULL DEFAULT 0);
    CREATE TABLE hand_inbox (key text PRIMARY KEY, received_at bigint NOT NULL)`);
  await pool.query(`INSERT INTO shop_orders (id) SELECT 'L-' || i FROM generate_series(0, $1::int - 1) i`, [
    ORDERS,
  ]);
  await pool.query(
    `INSERT INTO costs_orders (kind, platform_id, cl_id, create_state, gateway_id, amount, service_id,
       created_at, updated_at, next_check_at)
     SELECT 'deposit', 'PF0002', 'L-' || i, 'created', 'PML' || i, 8900000, 'SVC0015', 1, 1, 60000
     FROM generate_series(0, $1::int - 1) i`,
    [ORDERS],
  );
  await pool.query('VACUUM ANALYZE');

  // The ledger's own statements, as unit-of-work.ts writes them (inbox insert with the order lock,
  // and the order's new state), and the pieces of them.
  const INSERT_INBOX = `INSERT INTO costs_inbox
      (key, kind, platform_id, cl_id, gateway_id, status, source, effect, received_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (key) DO NOTHING RETURNING key`;
  const RECORD_AND_LOCK = `WITH ins AS (${INSERT_INBOX})
      SELECT i.inbox_fresh, o.* FROM (SELECT count(*)::int AS inbox_fresh FROM ins) AS i
      LEFT JOIN LATERAL (SELECT * FROM costs_orders WHERE kind = $2 AND platform_id = $3 AND cl_id = $4
        FOR UPDATE) AS o ON true`;
  const UPDATE_ORDER = `UPDATE costs_orders SET status = $4::integer, final = $5::boolean,
      real_amount = $6::bigint, fee = $7::bigint, updated_at = $8::bigint
      WHERE kind = $1 AND platform_id = $2 AND cl_id = $3`;
  // One statement doing the insert, the lock and the order's update (a design not taken: it would
  // write the state before the handler decides, and need a corrective update when it is not forward).
  const ALL_IN_ONE = `WITH ins AS (${INSERT_INBOX}),
      old AS (SELECT * FROM costs_orders WHERE kind = $2 AND platform_id = $3 AND cl_id = $4
        AND EXISTS (SELECT 1 FROM ins) FOR UPDATE),
      upd AS (UPDATE costs_orders o SET status = $6::integer, final = true, updated_at = $9::bigint
        FROM old WHERE o.kind = old.kind AND o.platform_id = old.platform_id AND o.cl_id = old.cl_id
        RETURNING 1)
      SELECT (SELECT count(*)::int FROM ins) AS inbox_fresh, (SELECT count(*)::int FROM upd) AS updated, old.*
      FROM (SELECT 1) AS one LEFT JOIN old ON true`;
  const PREPARES = [
    `PREPARE c_insert AS ${INSERT_INBOX}`,
    `PREPARE c_record AS ${RECORD_AND_LOCK}`,
    `PREPARE c_update AS ${UPDATE_ORDER}`,
    `PREPARE c_all AS ${ALL_IN_ONE}`,
  ].join(';\n');
  const literal = (v: string | number | boolean) => (typeof v === 'string' ? `'${v}'` : String(v));
  const execute = (name: string, params: (string | number | boolean)[]) =>
    `EXECUTE ${name}(${params.map(literal).join(', ')})`;
  const inboxParams = (i: number) => [
    `deposit:PF0002:PM${i}:2`,
    'deposit',
    'PF0002',
    `L-${i}`,
    `PML${i}`,
    2,
    'notification',
    'applied',
    Date.now(),
  ];
  const credit = 'UPDATE shop_orders SET credits = credits + 1 WHERE id = $1';

  type Variant = (c: pg.PoolClient, i: number) => Promise<unknown>;
  const variants: [string, Variant][] = [
    [
      'by hand: BEGIN / INSERT inbox / UPDATE shop / COMMIT (4 messages)',
      async (c, i) => {
        await c.query('BEGIN');
        await c.query(
          'INSERT INTO hand_inbox (key, received_at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING',
          [`deposit:PF0002:PM${i}:2`, Date.now()],
        );
        await c.query(credit, [`L-${i}`]);
        await c.query('COMMIT');
      },
    ],
    [
      "the ledger's inbox insert only, 3 messages (BEGIN with it, shop UPDATE, COMMIT)",
      async (c, i) => {
        await c.query(`BEGIN; ${execute('c_insert', inboxParams(i))}`);
        await c.query(credit, [`L-${i}`]);
        await c.query('COMMIT');
      },
    ],
    [
      '+ reading and locking the order row in the same statement',
      async (c, i) => {
        await c.query(`BEGIN; ${execute('c_record', inboxParams(i))}`);
        await c.query(credit, [`L-${i}`]);
        await c.query('COMMIT');
      },
    ],
    [
      "+ the order's new state with COMMIT: what the ledger sends",
      async (c, i) => {
        await c.query(`BEGIN; ${execute('c_record', inboxParams(i))}`);
        await c.query(credit, [`L-${i}`]);
        await c.query(`${execute('c_update', ['deposit', 'PF0002', `L-${i}`, 2, true, 8900000, 71200, Date.now()])};
          COMMIT`);
      },
    ],
    [
      'insert, lock and update in one statement (not taken)',
      async (c, i) => {
        await c.query(`BEGIN; ${execute('c_all', inboxParams(i))}`);
        await c.query(credit, [`L-${i}`]);
        await c.query('COMMIT');
      },
    ],
  ];

  const prepared = new WeakSet<object>();
  let next = 0;
  const run = async (variant: Variant, ms: number) => {
    const busyBefore = machineBusyMicros();
    const start = performance.now();
    let done = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (performance.now() - start < ms) {
          const c = await pool.connect();
          try {
            if (!prepared.has(c)) {
              await c.query(PREPARES);
              prepared.add(c);
            }
            await variant(c, next++ % ORDERS);
          } finally {
            c.release();
          }
          done++;
        }
      }),
    );
    const elapsed = performance.now() - start;
    const busyAfter = machineBusyMicros();
    return {
      perSecond: (done * 1000) / elapsed,
      cpuMicros: busyBefore === null || busyAfter === null ? Number.NaN : (busyAfter - busyBefore) / done,
    };
  };

  for (const [, variant] of variants) await run(variant, 300);
  const samples = variants.map(() => ({ perSecond: [] as number[], cpuMicros: [] as number[] }));
  for (let r = 0; r < rounds; r++) {
    for (let v = 0; v < variants.length; v++) {
      const s = await run(variants[v]![1], ROUND_MS);
      samples[v]!.perSecond.push(s.perSecond);
      samples[v]!.cpuMicros.push(s.cpuMicros);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.table(
    variants.map(([name], v) => ({
      variant: name,
      'transactions/s': Math.round(median(samples[v]!.perSecond)),
      'machine CPU µs each': Math.round(median(samples[v]!.cpuMicros)),
    })),
  );
} finally {
  await pool.end();
  await server.destroy();
}
