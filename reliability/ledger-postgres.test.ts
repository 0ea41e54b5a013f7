// The ledger on a real PostgreSQL server, across crashes and outages. Two instances of the Hono demo
// (separate processes) share one database behind a round-robin proxy. The sandbox pays a few hundred
// orders with duplicated and lost deliveries while one instance is SIGKILLed in the middle of its
// handler (it logs `crediting <id>` inside the notification's transaction, then waits) and restarted,
// and the database server is restarted once. Then both shops are down for longer than the gateway's
// whole (time-scaled) retry schedule while a last batch is paid, so the gateway gives up on it; the
// shops' reconcilers complete it once they are back. A forged status conflict (cancelled after paid)
// is sent twice. Afterwards, from the shop's own table: every order the gateway holds as paid is
// credited exactly once, every underpaid one is recorded underpaid, no cancelled one is credited, the
// conflict reached onDiscrepancy once, and the gateway never saw a create twice.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  notificationFields,
  postNotification,
  type Sandbox,
  type SandboxOrder,
  signedNotificationBody,
  startSandbox,
} from '@diamondpay/sandbox';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../packages/postgres/src/testing/postgres-server.js';
import { type DemoProcess, inBatches, startDemoProcess, stopDemoProcess } from './support/demo-process.js';

const TIME_SCALE = 0.002; // the gateway's hour of retries takes about 7 s
const ORDERS = 240;
const GIVE_UP_BATCH = 40; // paid while both shops are down
const KILLS = 3;
const NOTIFY_PATH = '/diamondpay/notifications/deposit';
const TABLE = 'hono_shop_orders';

let db: TestPostgres;
let pool: pg.Pool;
let sandbox: Sandbox;
let proxy: Server;
let proxyUrl: string;

interface Instance extends DemoProcess {
  /** Resolves on the next `crediting` line (the handler is inside its transaction). */
  onCrediting?: () => void;
}
const instances: Instance[] = [
  { name: 'a', output: '' },
  { name: 'b', output: '' },
];

function start(instance: Instance): Promise<void> {
  return startDemoProcess(
    instance,
    {
      HOST: '127.0.0.1',
      PORT: '0',
      PUBLIC_URL: proxyUrl,
      DATABASE_URL: db.url,
      DIAMONDPAY_BASE_URL: sandbox.url,
      // Time-scaled like the gateway: first checks 1, 2 and 4 s after creation, then every 2 s.
      RECONCILE_INTERVAL_MS: '250',
      RECONCILE_SCHEDULE_MS: '1000,2000,4000',
      RECONCILE_REPEAT_MS: '2000',
      SHOP_HANDLER_DELAY_MS: '40',
    },
    { onOutput: (text) => text.includes('crediting ') && instance.onCrediting?.() },
  );
}

const stop = stopDemoProcess;

let next = 0;
function startProxy(): Promise<void> {
  proxy = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const alive = instances.filter((i) => i.url);
    const target = alive[next++ % Math.max(alive.length, 1)];
    if (!target?.url) {
      res.writeHead(502).end('no shop instance is up');
      return;
    }
    try {
      const r = await fetch(target.url + req.url, {
        method: req.method,
        headers: {
          'content-type': req.headers['content-type'] ?? 'application/json',
          accept: req.headers.accept ?? '*/*',
        },
        body: req.method === 'GET' ? undefined : Buffer.concat(chunks),
        redirect: 'manual',
        signal: AbortSignal.timeout(10_000),
      });
      res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'text/plain' });
      res.end(await r.text());
    } catch {
      res.writeHead(502).end('shop instance unreachable');
    }
  });
  return new Promise((r) =>
    proxy.listen(0, '127.0.0.1', () => {
      proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      r();
    }),
  );
}

beforeAll(async () => {
  db = await startTestPostgres();
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  pool.on('error', () => {});
  sandbox = await startSandbox({ timeScale: TIME_SCALE, seed: 20261201 });
  await startProxy();
  // Start one first so the two do not race on the first migration (they would be safe anyway:
  // migrations run under an advisory lock).
  await start(instances[0]!);
  await start(instances[1]!);
}, 120_000);

afterAll(async () => {
  await Promise.all(instances.map((i) => stop(i, 'SIGKILL')));
  await new Promise((r) => proxy?.close(r));
  await sandbox?.close();
  await pool?.end();
  await db?.destroy();
});

type Fate = 'paid' | 'underpaid' | 'cancelled';
function fateOf(i: number): Fate {
  if (i % 6 === 5) return 'cancelled';
  if (i % 10 === 3) return 'underpaid';
  return 'paid';
}
function deliveryOf(i: number) {
  if (i % 4 === 0) return { duplicates: 2 };
  if (i % 7 === 0) return { failFirst: 1, lose: 'reply' as const };
  if (i % 9 === 0) return { failFirst: 2, lose: 'request' as const };
  return {};
}
async function settle(order: SandboxOrder, i: number): Promise<void> {
  const delivery = deliveryOf(i);
  const fate = fateOf(i);
  if (fate === 'cancelled') await sandbox.cancel(order.paymentClId, { delivery });
  else if (fate === 'underpaid')
    await sandbox.pay(order.paymentClId, { realAmount: order.amount - 100, delivery });
  else await sandbox.pay(order.paymentClId, { delivery });
}

async function shopRows() {
  const { rows } = await pool.query(`SELECT id, status, credits, discrepancies, real_amount FROM ${TABLE}`);
  return new Map(
    rows.map((r) => [
      String(r.id),
      { status: String(r.status), credits: Number(r.credits), discrepancies: Number(r.discrepancies) },
    ]),
  );
}

it('credits every paid order exactly once through kills, a database restart and a shop outage past the gateway’s retries', async () => {
  const started = Date.now();
  // 1. Orders, created through the proxy (each create goes through the ledger's outbox).
  const ids: string[] = [];
  await inBatches(
    Array.from({ length: ORDERS }, (_, i) => i),
    8,
    async (i) => {
      const res = await fetch(`${proxyUrl}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({
          product_id: 'red-ginseng',
          service_id: ['SVC0015', 'SVC0016', 'SVC0017'][i % 3],
        }),
      });
      const body = (await res.json()) as { id?: string };
      expect(res.status, JSON.stringify(body)).toBe(201);
      ids.push(body.id!);
    },
  );
  const held = sandbox.orders();
  expect(held).toHaveLength(ORDERS);
  const index = new Map(held.map((o, i) => [o.paymentClId, i]));
  const first = held.slice(0, ORDERS - GIVE_UP_BATCH);
  const last = held.slice(ORDERS - GIVE_UP_BATCH);

  // 2. Pay the first batch while instance a is killed mid-handler three times and the database restarts once.
  let kills = 0;
  let dbRestarts = 0;
  const chaos = (async () => {
    const a = instances[0]!;
    for (let k = 0; k < KILLS; k++) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 15_000); // bounded: kill anyway if no handler ran
        a.onCrediting = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      a.onCrediting = undefined;
      await stop(a, 'SIGKILL');
      kills++;
      if (k === 0) {
        await db.restart();
        dbRestarts++;
      }
      await new Promise((r) => setTimeout(r, 300));
      await start(a);
    }
  })();
  await inBatches(
    first.map((o) => o),
    10,
    async (o) => {
      await settle(o, index.get(o.paymentClId)!);
      await new Promise((r) => setTimeout(r, 20));
    },
  );
  await chaos;
  await sandbox.idle();

  // 3. Both shops down; the last batch is paid; the gateway retries for its whole schedule and gives up.
  await Promise.all(instances.map((i) => stop(i, 'SIGTERM')));
  await inBatches(last, 10, (o) => settle(o, index.get(o.paymentClId)!));
  await sandbox.idle();
  const gaveUp = last.filter((o) => !sandbox.deliveries({ paymentClId: o.paymentClId }).some((d) => d.acked));
  expect(gaveUp).toHaveLength(GIVE_UP_BATCH);
  expect(sandbox.deliveries({ paymentClId: last[0]!.paymentClId }).filter((d) => !d.duplicate)).toHaveLength(
    10,
  );
  await start(instances[0]!);
  await start(instances[1]!);

  // 4. The reconcilers find the last batch by query (bounded wait).
  const deadline = Date.now() + 60_000;
  for (;;) {
    const rows = await shopRows();
    const open = held.filter((o) => rows.get(o.paymentClId)?.status === 'pending');
    if (open.length === 0) break;
    if (Date.now() > deadline) throw new Error(`still pending after reconciliation: ${open.length}`);
    await new Promise((r) => setTimeout(r, 250));
  }

  // 5. A status conflict: "cancelled" for a paid order, correctly signed, sent twice.
  const victim = first.find((o) => fateOf(index.get(o.paymentClId)!) === 'paid')!;
  const conflict = await signedNotificationBody(
    { ...notificationFields(sandbox.order(victim.paymentClId)!), status: 3, real_amount: 0 },
    sandbox.merchant.platformKey,
    'HMAC-SHA256',
  );
  const replies = [
    await postNotification(`${proxyUrl}${NOTIFY_PATH}`, conflict, { timeoutMs: 10_000 }),
    await postNotification(`${proxyUrl}${NOTIFY_PATH}`, conflict, { timeoutMs: 10_000 }),
  ];
  expect(replies.map((r) => r.httpStatus)).toEqual([200, 200]);

  // 6. The shop's own table against the gateway's record.
  const rows = await shopRows();
  const wrong: string[] = [];
  const counts = { paid: 0, underpaid: 0, cancelled: 0, credits: 0 };
  for (const o of sandbox.orders()) {
    const row = rows.get(o.paymentClId);
    if (!row) {
      wrong.push(`${o.paymentClId}: not in the shop`);
      continue;
    }
    if (o.status === 2) {
      const expected = o.realAmount < o.amount ? 'underpaid' : 'paid';
      counts[expected]++;
      if (row.status !== expected || row.credits !== 1)
        wrong.push(`${o.paymentClId}: ${row.status} credited ${row.credits}× (gateway: ${expected})`);
    } else {
      counts.cancelled++;
      if (row.status !== 'cancelled' || row.credits !== 0)
        wrong.push(`${o.paymentClId}: ${row.status} credited ${row.credits}× (gateway: status ${o.status})`);
    }
    counts.credits += row.credits;
  }
  expect(wrong).toEqual([]);
  expect(counts.underpaid).toBeGreaterThan(0);
  expect(counts.cancelled).toBeGreaterThan(0);
  const discrepancies = [...rows].filter(([, r]) => r.discrepancies > 0);
  expect(discrepancies).toEqual([
    [victim.paymentClId, expect.objectContaining({ discrepancies: 1, credits: 1, status: 'paid' })],
  ]);
  const gateway = sandbox.stats();
  expect(gateway.duplicateCreates).toBe(0);
  const reconciled = await pool.query(
    "SELECT count(*)::int AS n FROM hono_diamondpay_inbox WHERE source = 'reconciliation' AND effect = 'applied'",
  );
  expect(kills).toBe(KILLS);
  expect(dbRestarts).toBe(1);
  console.table([
    {
      orders: ORDERS,
      paid: counts.paid,
      underpaid: counts.underpaid,
      cancelled: counts.cancelled,
      'credit count': counts.credits,
      'SIGKILLs mid-handler': kills,
      'db restarts': dbRestarts,
      'gateway gave up on': gaveUp.length,
      'applied by reconciliation': reconciled.rows[0]?.n,
      discrepancies: discrepancies.length,
      'duplicate creates': gateway.duplicateCreates,
      'delivery attempts': gateway.deliveriesAttempted,
      acknowledged: gateway.deliveriesAcked,
      s: ((Date.now() - started) / 1000).toFixed(1),
    },
  ]);
}, 300_000);
