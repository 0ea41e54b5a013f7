// Refunds through a demo shop under faults: the Hono demo, as its own process on a real PostgreSQL
// server (DATABASE_URL), refunds a few hundred underpaid orders through its refund route (some posted
// twice at once, as a double click; some to a bank the gateway refuses) while the sandbox injects
// latency, 5xx answers and resets before and after processing on create-payout and 5xx on
// query-payout. Unknown outcomes are resolved by the shop's check (the refund posted again) or its
// reconciler. Then every payout is paid out or failed with duplicated, lost, out-of-order and never
// delivered notifications. Afterwards, from the shop's own table: the sandbox's records and the
// shop's agree on every payout, each final payout notification was applied exactly once, no order has
// two payouts, and the gateway never saw a payout twice.
import { DEFAULT_MERCHANT, type Sandbox, startSandbox } from '@diamondpay/sandbox';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../packages/postgres/src/testing/postgres-server.js';
import { type DemoProcess, inBatches, startDemoProcess, stopDemoProcess } from './support/demo-process.js';

const REFUNDS = 240;
const CONCURRENCY = 10;
const SHORT_CENTS = 100_000; // each order is underpaid by ₩1,000
const OPENING = 50_000_000_000; // ₩500,000,000 in cents: the refunds never run short
const REFUNDS_TABLE = 'hono_shop_refunds';
const LEDGER_ORDERS = 'hono_diamondpay_orders';
const DELIVERY = { latencyMs: 10, duplicates: 1 };

let db: TestPostgres;
let pool: pg.Pool;
let sandbox: Sandbox;
const shop: DemoProcess = { name: 'hono', output: '' };

beforeAll(async () => {
  db = await startTestPostgres();
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  pool.on('error', () => {});
  sandbox = await startSandbox({
    merchants: [{ ...DEFAULT_MERCHANT, balance: OPENING }],
    timeScale: 0.002, // the gateway's hour of notification retries takes about 7 s
    seed: 20261202,
    faults: { delivery: DELIVERY },
  });
  await startDemoProcess(shop, {
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: db.url,
    DIAMONDPAY_BASE_URL: sandbox.url,
    // A lost create answer is asked about 300 ms later; the reconciler is time-scaled like the gateway.
    DIAMONDPAY_SETTLE_MS: '300',
    RECONCILE_INTERVAL_MS: '250',
    RECONCILE_SCHEDULE_MS: '1000,2000,4000',
    RECONCILE_REPEAT_MS: '2000',
  });
}, 120_000);

afterAll(async () => {
  await stopDemoProcess(shop, 'SIGTERM');
  await sandbox?.close();
  await pool?.end();
  await db?.destroy();
});

interface Row {
  payoutClId: string;
  orderId: string;
  state: string;
  amount: number;
  payoutId: string | null;
  errorCode: string | null;
  applied: number;
  finalApplied: number;
}

async function refundRows(): Promise<Map<string, Row>> {
  const { rows } = await pool.query(`SELECT * FROM ${REFUNDS_TABLE}`);
  return new Map(
    rows.map((r) => [
      String(r.payout_cl_id),
      {
        payoutClId: String(r.payout_cl_id),
        orderId: String(r.order_id),
        state: String(r.state),
        amount: Number(r.amount),
        payoutId: r.payout_id === null ? null : String(r.payout_id),
        errorCode: r.error_code === null ? null : String(r.error_code),
        applied: Number(r.notifications_applied),
        finalApplied: Number(r.final_notifications_applied),
      },
    ]),
  );
}

/** POST /orders/:id/refund as a JSON client: the HTTP status and the refund's state. */
async function postRefund(orderId: string, bank: string, i: number) {
  const res = await fetch(`${shop.url}/orders/${encodeURIComponent(orderId)}/refund`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({
      bank_code: bank,
      account_number: `1002${String(i).padStart(8, '0')}`,
      account_holder: '홍길동',
      phone_number: '01012345678',
    }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await res.json()) as { state?: string; error?: string };
  return { status: res.status, state: body.state ?? `error: ${body.error}` };
}

/** Brings every open payout's reconciliation forward (the outbox schedules its first check a minute out). */
const reconcileNow = () =>
  pool.query(`UPDATE ${LEDGER_ORDERS} SET next_check_at = 0 WHERE kind = 'payout' AND NOT final`);

async function until(what: string, done: () => Promise<string[]>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await done();
    if (open.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(`${what}: ${open.length} left, e.g. ${open.slice(0, 5).join(', ')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

it('refunds through the shop under payout faults: one payout per refund, every record in agreement, every final result applied once', async () => {
  const started = Date.now();
  // 1. The underpaid orders, through the shop; their deposit notifications settle them.
  const orderIds: string[] = [];
  await inBatches(
    Array.from({ length: REFUNDS }, (_, i) => i),
    CONCURRENCY,
    async (i) => {
      const res = await fetch(`${shop.url}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({
          product_id: 'red-ginseng',
          service_id: ['SVC0015', 'SVC0016', 'SVC0017'][i % 3],
        }),
      });
      const body = (await res.json()) as { id: string; amount: number };
      expect(res.status).toBe(201);
      orderIds[i] = body.id;
      await sandbox.pay(body.id, { realAmount: body.amount - SHORT_CENTS });
    },
  );
  await Promise.all(orderIds.map((id) => sandbox.waitForDelivery(id, { timeoutMs: 30_000 })));
  await sandbox.idle();

  // 2. The refunds, while create-payout and query-payout misbehave. Every fifth is posted twice at
  // once (a double click); every fiftieth goes to a bank the gateway does not pay out to (0012).
  sandbox.setFaults({
    createPayout: { latencyMs: 20, error5xxRate: 0.08, resetBeforeRate: 0.04, resetAfterRate: 0.08 },
    queryPayout: { error5xxRate: 0.15 },
    delivery: DELIVERY,
  });
  const unsupported = (i: number) => i % 50 === 7;
  // Every twentieth has its create processed but its answer lost and the query after it failing too:
  // unknown, though the gateway holds it (made one at a time below: the faults are injected for it).
  const lostAnswer = (i: number) => i % 20 === 13;
  const answers: Record<string, number> = {};
  const count = (r: { status: number; state: string }) => {
    answers[`${r.status} ${r.state}`] = (answers[`${r.status} ${r.state}`] ?? 0) + 1;
  };
  const doubleClicks: number[][] = [];
  await inBatches(
    Array.from({ length: REFUNDS }, (_, i) => i).filter((i) => !lostAnswer(i)),
    CONCURRENCY,
    async (i) => {
      const bank = unsupported(i) ? 'UNSUPPORTED' : ['KB', 'SHINHAN', 'WOORI'][i % 3]!;
      const posts = i % 5 === 0 ? 2 : 1;
      const replies = await Promise.all(
        Array.from({ length: posts }, () => postRefund(orderIds[i]!, bank, i)),
      );
      if (posts === 2) doubleClicks.push(replies.map((r) => r.status).sort());
      for (const r of replies) count(r);
    },
  );
  const lostIds: string[] = [];
  for (const [i, id] of orderIds.entries()) {
    if (!lostAnswer(i)) continue;
    sandbox.injectFault('createPayout', 'resetAfter');
    sandbox.setFaults({ ...sandbox.faults(), queryPayout: { error5xxRate: 1 } });
    const r = await postRefund(id, 'KB', i);
    sandbox.setFaults({ ...sandbox.faults(), queryPayout: { error5xxRate: 0.15 } });
    count(r);
    expect(r).toEqual({ status: 201, state: 'unknown' });
    expect(sandbox.payout(`${id}-R1`)).toBeDefined();
    lostIds.push(`${id}-R1`);
  }
  expect(
    Object.keys(answers).every((a) => /^20[01] /.test(a)),
    JSON.stringify(answers),
  ).toBe(true);
  expect(
    doubleClicks.every((d) => d[0] === 200 && d[1] === 201),
    JSON.stringify(doubleClicks),
  ).toBe(true);
  expect(sandbox.stats().duplicatePayouts).toBe(0);

  // 3. The gateway heals. Unknown refunds are resolved by query: half by the shop's check (the same
  // refund posted again), the rest by its reconciler. Never by sending them again.
  sandbox.setFaults({ delivery: DELIVERY });
  const afterCreate = await refundRows();
  const unknownAfterCreate = [...afterCreate.values()].filter((r) => r.state === 'unknown').length;
  let checkedByShop = 0;
  for (const [i, id] of orderIds.entries()) {
    const row = afterCreate.get(`${id}-R1`);
    if (row?.state === 'unknown' && i % 2 === 0) {
      await postRefund(id, 'KB', i);
      checkedByShop++;
    }
  }
  await reconcileNow();
  await until(
    'refunds the gateway holds but the shop does not know',
    async () => {
      const rows = await refundRows();
      return sandbox
        .payouts()
        .filter((p) => ['unknown', 'requested'].includes(rows.get(p.payoutClId)?.state ?? 'missing'))
        .map((p) => p.payoutClId);
    },
    30_000,
  );

  // 4. Every payout the gateway holds is paid out or failed, with duplicated, lost, out-of-order and
  // never delivered notifications (the last found by the reconciler).
  const held = sandbox.payouts();
  const fates = new Map<string, 'paid_out' | 'failed'>();
  const neverDelivered = new Set<string>();
  await inBatches(
    held.map((p, i) => ({ p, i })),
    20,
    async ({ p, i }) => {
      let delivery: object = {};
      if (i % 13 === 0) {
        delivery = { failFirst: 100, lose: 'request', duplicates: 0 }; // no copy gets through either
        neverDelivered.add(p.payoutClId);
      } else if (i % 7 === 0) delivery = { failFirst: 1, lose: 'reply' };
      else if (i % 11 === 0) delivery = { failFirst: 2, lose: 'request' };
      else if (i % 19 === 0) delivery = { outOfOrder: true };
      if (i % 9 === 4) {
        fates.set(p.payoutClId, 'failed');
        await sandbox.failPayout(p.payoutClId, { errorMsg: 'account closed', delivery });
      } else if (i % 17 === 5) {
        fates.set(p.payoutClId, 'failed');
        await sandbox.failPayout(p.payoutClId, { status: 4, delivery });
      } else {
        fates.set(p.payoutClId, 'paid_out');
        await sandbox.completePayout(p.payoutClId, { delivery });
      }
    },
  );
  await Promise.all(
    held
      .filter((p) => !neverDelivered.has(p.payoutClId))
      .map((p) => sandbox.waitForPayoutDelivery(p.payoutClId, { timeoutMs: 60_000 })),
  );
  await sandbox.idle(); // the gateway gives up on the never-delivered ones
  const gaveUp = [...neverDelivered].filter(
    (id) => !sandbox.payoutDeliveries({ payoutClId: id }).some((d) => d.acked),
  ).length;
  expect(gaveUp).toBe(neverDelivered.size);
  await reconcileNow();
  await until(
    'payouts whose final result the shop does not have',
    async () => {
      const rows = await refundRows();
      return held
        .filter((p) => rows.get(p.payoutClId)?.state !== fates.get(p.payoutClId))
        .map((p) => p.payoutClId);
    },
    30_000,
  );

  // 5. The shop's table against the gateway's records.
  const rows = await refundRows();
  const heldById = new Map(held.map((p) => [p.payoutClId, p]));
  const wrong: string[] = [];
  for (const [i, id] of orderIds.entries()) {
    const payoutClId = `${id}-R1`;
    const row = rows.get(payoutClId);
    const payout = heldById.get(payoutClId);
    if (!row) {
      wrong.push(`${id}: no refund row`);
      continue;
    }
    if (payout) {
      if (row.state !== fates.get(payoutClId))
        wrong.push(`${payoutClId}: ${row.state} ≠ ${fates.get(payoutClId)}`);
      if (row.payoutId !== payout.payoutId)
        wrong.push(`${payoutClId}: payout ${row.payoutId} ≠ ${payout.payoutId}`);
      if (row.amount !== payout.amount) wrong.push(`${payoutClId}: ${row.amount} ≠ ${payout.amount} cents`);
      // Exactly once, through duplicates, redeliveries, stale copies and reconciliation.
      if (row.finalApplied !== 1) wrong.push(`${payoutClId}: final result applied ${row.finalApplied}×`);
    } else if (row.state === 'refused') {
      // Only the unsupported bank is refused, with 0012; nothing was created.
      if (!unsupported(i) || row.errorCode !== '0012') wrong.push(`${payoutClId}: refused ${row.errorCode}`);
    } else if (row.state !== 'unknown') {
      // Not held and not refused: the create never reached the gateway, or the refusal's answer was
      // lost. It stays unknown (checked, never resent) until the reconciler's horizon records it refused.
      wrong.push(`${payoutClId}: ${row.state}, but the gateway does not hold it`);
    }
  }
  expect(wrong).toEqual([]);
  // The lost answers were unknown to the shop, and are paid out or failed now like the rest.
  expect(lostIds.every((id) => heldById.has(id) && rows.get(id)?.state === fates.get(id))).toBe(true);
  // One refund (attempt 1) per order, and at most one payout per order at the gateway.
  expect(rows.size).toBe(REFUNDS);
  expect(new Set(held.map((p) => p.payoutClId.replace(/-R\d+$/, ''))).size).toBe(held.length);
  const stats = sandbox.stats();
  expect(stats.duplicatePayouts).toBe(0);
  const reconciled = await pool.query(
    "SELECT count(*)::int AS n FROM hono_diamondpay_inbox WHERE source = 'reconciliation' AND effect = 'applied' AND status IN (3, 4, 5)",
  );
  // Every payout the gateway gave up on was completed by the reconciler's query, through the inbox.
  expect(reconciled.rows[0]?.n).toBeGreaterThanOrEqual(gaveUp);
  const finals = [...rows.values()].reduce((n, r) => n + r.finalApplied, 0);
  console.table([
    {
      refunds: REFUNDS,
      'double clicks': doubleClicks.length,
      'unknown after create': unknownAfterCreate,
      'of which held (answer lost)': lostIds.length,
      'checked by the shop': checkedByShop,
      'held by gateway': held.length,
      'paid out': [...fates.values()].filter((f) => f === 'paid_out').length,
      failed: [...fates.values()].filter((f) => f === 'failed').length,
      'refused 0012': [...rows.values()].filter((r) => r.errorCode === '0012').length,
      'never reached the gateway':
        REFUNDS - held.length - [...rows.values()].filter((r) => r.state === 'refused').length,
      'final results applied': finals,
      'gateway gave up on': gaveUp,
      'finals by reconciliation': reconciled.rows[0]?.n,
      'duplicate payouts': stats.duplicatePayouts,
      s: ((Date.now() - started) / 1000).toFixed(1),
    },
  ]);
  console.log(
    `gateway: ${stats.requests.createPayout} create-payout requests, ${stats.requests.queryPayout} queries, ` +
      `${stats.payoutsCreated} payouts, ${stats.deliveriesAttempted} delivery attempts, ${stats.deliveriesAcked} acknowledged; ` +
      `answers to the refund posts: ${JSON.stringify(answers)}`,
  );
}, 180_000);
