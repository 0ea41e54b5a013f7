// Notifications per second through core's receiver on a ledger, against the least work that gives
// the same guarantee written by hand, in the same run:
// - PostgreSQL (a throw-away cluster, pg Pool): the receiver with the Postgres ledger and a handler
//   crediting the shop's row with one UPDATE, against a hand-written verifier plus one transaction of
//   `INSERT … ON CONFLICT DO NOTHING` on an inbox table and that same UPDATE;
// - in memory: the receiver with MemoryLedger against the receiver with today's MemoryNotificationStore.
// Every body is a distinct first delivery, signed independently of the SDK. Both sides run in this
// process with the same concurrency, rounds alternated; bounded in time.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createNotificationReceiver, MemoryLedger, MemoryNotificationStore } from '@diamondpay/core';
import { createPostgresLedger } from '@diamondpay/postgres';
import pg from 'pg';
import { type BenchResult, median, signedBodies, TEST_KEY } from '../../../bench/lib.js';
import { startTestPostgres } from '../src/testing/postgres-server.js';

const CONCURRENCY = 16;

function bodiesFor(label: string, count: number): string[] {
  const now = Math.floor(Date.now() / 1000);
  return signedBodies(count, (i) => ({
    payment_id: `PM${label}${String(i).padStart(8, '0')}`,
    payment_cl_id: `${label}-${i}`,
    platform_id: 'PF0002',
    amount: 8_900_000,
    real_amount: 8_900_000,
    fee: 71_200,
    status: 2,
    create_time: now - 60,
    update_time: now,
  }));
}

// The verifier a careful developer writes by hand: JSON.parse, sort, join, createHmac, compare.
function handVerify(body: string): Record<string, unknown> {
  const obj = JSON.parse(body) as Record<string, unknown>;
  const text = Object.keys(obj)
    .filter((k) => k !== 'sign' && k !== 'sign_type' && obj[k] !== '' && obj[k] !== null)
    .sort()
    .map((k) => `${k}=${obj[k]}`)
    .join('&');
  const expected = createHmac('sha256', TEST_KEY).update(text).digest();
  const given = Buffer.from(String(obj.sign), 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new Error('bad signature');
  return obj;
}

/** Runs `op` on consecutive bodies with `concurrency` in flight for `ms`; notifications per second. */
async function throughput(
  bodies: string[],
  from: { next: number },
  op: (body: string) => Promise<unknown>,
  ms: number,
  concurrency: number,
): Promise<number> {
  const start = performance.now();
  let done = 0;
  const worker = async () => {
    while (performance.now() - start < ms) {
      const body = bodies[from.next++];
      if (body === undefined) return;
      await op(body);
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return (done * 1000) / (performance.now() - start);
}

async function alternate(
  sides: { ours: (ms: number) => Promise<number>; baseline: (ms: number) => Promise<number> },
  { rounds = 5, roundMs = 1_500, warmupMs = 500 } = {},
) {
  await sides.ours(warmupMs);
  await sides.baseline(warmupMs);
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < rounds; r++) {
    if (r % 2) {
      b.push(await sides.baseline(roundMs));
      a.push(await sides.ours(roundMs));
    } else {
      a.push(await sides.ours(roundMs));
      b.push(await sides.baseline(roundMs));
    }
  }
  return { ours: median(a), baseline: median(b) };
}

async function postgres(): Promise<BenchResult> {
  const server = await startTestPostgres();
  const pool = new pg.Pool({ connectionString: server.url, max: CONCURRENCY });
  pool.on('error', () => {});
  try {
    const COUNT = 40_000;
    const ours = bodiesFor('L', COUNT);
    const hand = bodiesFor('H', COUNT);
    const ledger = createPostgresLedger({ db: pool, tablePrefix: 'bench_' });
    await ledger.migrate();
    // The shop's orders, and (for the ledger) the create intents the shop recorded before paying.
    await pool.query(`CREATE TABLE shop_orders (id text PRIMARY KEY, credits integer NOT NULL DEFAULT 0)
      ; CREATE TABLE hand_inbox (key text PRIMARY KEY, received_at bigint NOT NULL)`);
    await pool.query(
      `INSERT INTO shop_orders (id) SELECT p || '-' || i FROM generate_series(0, $1::int - 1) i, unnest(ARRAY['L', 'H']) p`,
      [COUNT],
    );
    await pool.query(
      `INSERT INTO bench_orders (kind, platform_id, cl_id, create_state, gateway_id, amount, service_id,
         created_at, updated_at, next_check_at)
       SELECT 'deposit', 'PF0002', 'L-' || i, 'created', 'PML' || lpad(i::text, 8, '0'), 8900000, 'SVC0015',
         $2::bigint, $2::bigint, $2::bigint + 60000
       FROM generate_series(0, $1::int - 1) i`,
      [COUNT, Date.now()],
    );
    await pool.query('VACUUM ANALYZE');

    const receiver = createNotificationReceiver({
      platformId: 'PF0002',
      platformKey: TEST_KEY,
      ledger,
      onDeposit: async (n, _ctx, { tx }) => {
        await tx.query('UPDATE shop_orders SET credits = credits + 1 WHERE id = $1', [n.payment_cl_id]);
      },
    });
    const receive = async (body: string) => {
      const r = await receiver.receive(body, undefined);
      if (r.status !== 200) throw new Error(`receiver answered ${r.status} ${r.body}`);
    };
    const handWritten = async (body: string) => {
      const n = handVerify(body);
      const key = `deposit:${n.platform_id}:${n.payment_id}:${n.status}`;
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const fresh = await client.query(
          'INSERT INTO hand_inbox (key, received_at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING key',
          [key, Date.now()],
        );
        if (fresh.rowCount === 1) {
          await client.query('UPDATE shop_orders SET credits = credits + 1 WHERE id = $1', [n.payment_cl_id]);
        }
        await client.query('COMMIT');
        client.release();
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        client.release(true);
        throw error;
      }
    };
    const oursAt = { next: 0 };
    const handAt = { next: 0 };
    const result = await alternate({
      ours: (ms) => throughput(ours, oursAt, receive, ms, CONCURRENCY),
      baseline: (ms) => throughput(hand, handAt, handWritten, ms, CONCURRENCY),
    });
    // Both did the work: every notification handled credited its order exactly once.
    const { rows } = await pool.query(
      `SELECT left(id, 1) AS side, count(*) FILTER (WHERE credits = 1)::int AS once,
              count(*) FILTER (WHERE credits > 1)::int AS more FROM shop_orders GROUP BY 1 ORDER BY 1`,
    );
    console.error(
      `postgres: ${oursAt.next} (ledger) and ${handAt.next} (by hand) notifications sent; credited once: ${JSON.stringify(rows)}`,
    );
    if (rows.some((r) => r.more > 0)) throw new Error('an order was credited twice');
    return {
      figure: `receiver on the Postgres ledger (pg Pool, ${CONCURRENCY} in flight), handler: one UPDATE`,
      ...result,
      baselineName: 'hand-written verify + BEGIN, INSERT … ON CONFLICT DO NOTHING, UPDATE, COMMIT',
      unit: 'notifications/s',
      target: 0.8,
    };
  } finally {
    await pool.end();
    await server.destroy();
  }
}

async function memory(): Promise<BenchResult> {
  const COUNT = 400_000;
  const ours = bodiesFor('M', COUNT);
  const base = bodiesFor('S', COUNT);
  const options = { platformId: 'PF0002', platformKey: TEST_KEY, onDeposit: () => {} };
  const withLedger = createNotificationReceiver({ ...options, ledger: new MemoryLedger() });
  const withStore = createNotificationReceiver({ ...options, store: new MemoryNotificationStore() });
  const check = (r: { status: number }) => {
    if (r.status !== 200) throw new Error(`receiver answered ${r.status}`);
  };
  const oursAt = { next: 0 };
  const baseAt = { next: 0 };
  const result = await alternate(
    {
      ours: (ms) =>
        throughput(ours, oursAt, async (b) => check(await withLedger.receive(b, undefined)), ms, 1),
      baseline: (ms) =>
        throughput(base, baseAt, async (b) => check(await withStore.receive(b, undefined)), ms, 1),
    },
    { rounds: 5, roundMs: 600, warmupMs: 300 },
  );
  console.error(`memory: ${oursAt.next} (ledger) and ${baseAt.next} (store) notifications sent`);
  return {
    figure: 'receiver on MemoryLedger (distinct notifications, handler doing nothing)',
    ...result,
    baselineName: 'receiver on MemoryNotificationStore',
    unit: 'notifications/s',
    target: 0.9,
  };
}

export default async function bench(): Promise<BenchResult[]> {
  return [await postgres(), await memory()];
}
