// `pnpm demo`: the main job. Starts the sandbox gateway and the three demo shops (Hono, Koa, NestJS)
// on free loopback ports, runs a scripted purchase day through each (then the day's refunds, see
// demo-refunds.ts), prints a table per framework, and exits non-zero if any order or refund ends in
// the wrong state or a payout was sent twice. `pnpm demo --serve` keeps it all running.

import { startSandbox } from '@diamondpay/sandbox';
import {
  describeNotificationStore,
  exitOnStartupError,
  explainStartupError,
  loadShopConfig,
  type Shop,
  type ShopConfig,
} from '@diamondpay-demo/shop';
import { startApp as startHono } from '../apps/hono-demo/src/app.js';
import { startApp as startKoa } from '../apps/koa-demo/src/app.js';
import { startApp as startNest } from '../apps/nestjs-demo/src/app.js';
import { refundDay } from './demo-refunds.js';

type Expected = 'paid' | 'underpaid' | 'cancelled';
interface Step {
  service: string;
  fate: 'pay' | 'pay-duplicated' | 'pay-first-delivery-lost' | 'underpay' | 'cancel';
  expected: Expected;
}
interface RunningShop {
  url: string;
  shop: Shop;
  close(): Promise<void>;
}

const serveMode = process.argv.includes('--serve');
const SERVICES = ['SVC0015', 'SVC0016', 'SVC0017'];
const FRAMEWORKS: { name: string; start: (config: ShopConfig) => Promise<RunningShop>; port: number }[] = [
  { name: 'hono', start: startHono, port: 3001 },
  { name: 'koa', start: startKoa, port: 3002 },
  { name: 'nestjs', start: startNest, port: 3003 },
];

/** The day: per service one order paid, one paid with duplicated deliveries, one underpaid, one cancelled; plus one whose first delivery is lost. */
function day(): Step[] {
  const steps: Step[] = [];
  for (const service of SERVICES) {
    steps.push({ service, fate: 'pay', expected: 'paid' });
    steps.push({ service, fate: 'pay-duplicated', expected: 'paid' });
    steps.push({ service, fate: 'underpay', expected: 'underpaid' });
    steps.push({ service, fate: 'cancel', expected: 'cancelled' });
  }
  steps.push({ service: SERVICES[0]!, fate: 'pay-first-delivery-lost', expected: 'paid' });
  return steps;
}

const started = Date.now();
const log = (framework: string, line: string) =>
  console.log(`${((Date.now() - started) / 1000).toFixed(2).padStart(6)}s  ${framework.padEnd(6)}  ${line}`);

async function main() {
  const sandbox = await startSandbox({
    port: serveMode ? 4010 : 0,
    timeScale: serveMode ? 1 : 0.01,
    seed: 20261126,
  }).catch((error: unknown) => {
    throw explainStartupError(error, 'sandbox gateway', 4010);
  });
  log('gateway', `sandbox listening on ${sandbox.url} (merchant ${sandbox.merchant.platformId})`);
  const shops: (RunningShop & { name: string })[] = [];
  for (const fw of FRAMEWORKS) {
    const config = loadShopConfig(process.env, {
      host: '127.0.0.1',
      port: serveMode ? fw.port : 0,
      // settleMs: a lost create answer is checked 300 ms later (the sandbox has processed it by then).
      gateway: { ...loadShopConfig(process.env).gateway, baseUrl: sandbox.url, settleMs: 300 },
    });
    const app = await fw.start(config).catch((error: unknown) => {
      throw explainStartupError(error, `${fw.name} shop`, fw.port);
    });
    shops.push({ ...app, name: fw.name });
    log(fw.name, `shop listening on ${app.url}; duplicate store: ${describeNotificationStore(config)}`);
  }

  if (serveMode) {
    console.log(
      '\nOpen a shop in your browser, click a Pay button, then open the cashier page from the order page:',
    );
    for (const s of shops) console.log(`  ${s.name.padEnd(7)} ${s.url}`);
    console.log(`  gateway ${sandbox.url} (its dashboard: open it in a browser)\nCtrl-C stops everything.`);
    const stop = async () => {
      await Promise.all(shops.map((s) => s.close()));
      await sandbox.close();
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return;
  }

  const results = await Promise.all(
    shops.map(async (s) => {
      const t0 = Date.now();
      const wrong: string[] = [];
      const orders: { id: string; step: Step }[] = [];
      for (const step of day()) {
        const res = await fetch(`${s.url}/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ product_id: 'red-ginseng', service_id: step.service }),
        });
        const body = (await res.json()) as { id?: string; link?: string; amount?: number; error?: string };
        if (res.status !== 201 || !body.id || !body.link)
          throw new Error(`${s.name}: POST /orders answered ${res.status} ${JSON.stringify(body)}`);
        orders.push({ id: body.id, step });
        log(s.name, `order ${body.id} created (${step.service}) → cashier ${body.link}`);
        const amount = body.amount!;
        if (step.fate === 'cancel') await sandbox.cancel(body.id);
        else
          await sandbox.pay(body.id, {
            realAmount: step.fate === 'underpay' ? amount - 1_000_000 : amount,
            delivery:
              step.fate === 'pay-duplicated'
                ? { duplicates: 2 }
                : step.fate === 'pay-first-delivery-lost'
                  ? { failFirst: 1, lose: 'reply' }
                  : undefined,
          });
        log(s.name, `order ${body.id}: ${step.fate} on the sandbox`);
      }
      for (const o of orders) {
        await sandbox.waitForDelivery(o.id, { timeoutMs: 20_000 });
      }
      await sandbox.idle();
      for (const o of orders) {
        const res = await fetch(`${s.url}/orders/${o.id}`, { headers: { accept: 'application/json' } });
        const order = (await res.json()) as { status: string };
        const ok = order.status === o.step.expected;
        if (!ok) wrong.push(`${o.id} is ${order.status}, expected ${o.step.expected}`);
        log(s.name, `order ${o.id}: ${order.status}${ok ? '' : `  ✖ expected ${o.step.expected}`}`);
      }
      const list = await s.shop.listOrders();
      const stats = s.shop.stats();
      const d = stats.deliveries;
      return {
        framework: s.name,
        created: stats.ordersCreated,
        paid: list.filter((o) => o.status === 'paid').length,
        underpaid: list.filter((o) => o.status === 'underpaid').length,
        cancelled: list.filter((o) => o.status === 'cancelled').length,
        'notifications received': d.processed + d.duplicate + d.rejected + d.failed + d.busy,
        'duplicates absorbed': d.duplicate,
        acknowledged: d.processed + d.duplicate,
        'elapsed s': ((Date.now() - t0) / 1000).toFixed(2),
        wrong,
        underpaidIds: orders.filter((o) => o.step.fate === 'underpay').map((o) => o.id),
      };
    }),
  );

  const refunds = await refundDay(
    sandbox,
    shops.map((s, i) => ({ name: s.name, url: s.url, underpaid: results[i]!.underpaidIds })),
    log,
  );

  console.log();
  console.log(
    formatTable(
      results.map(({ wrong, underpaidIds, ...row }) => ({ ...row, ...refunds.rows.get(row.framework) })),
    ),
  );
  console.log(
    '(refunded: refunds paid out; refused: refused for insufficient balance, 0018; by query: a refund whose\n' +
      ' create answer was lost, shown "unknown", then found by query and paid out, never sent twice)',
  );
  const stats = sandbox.stats();
  // Replies the sandbox discarded on purpose (the `failFirst` + `lose: 'reply'` fault): the shop processed
  // the notification and answered, the gateway acted as if the answer never came and delivered it again.
  const lost = sandbox.deliveries().filter((a) => a.error?.startsWith('reply discarded')).length;
  const unacked = stats.deliveriesAttempted - stats.deliveriesAcked;
  console.log(
    `\ngateway: ${stats.ordersCreated} deposits created, ${stats.deliveriesAttempted} delivery attempts, ${stats.deliveriesAcked} acknowledged.\n` +
      `  ${plural(lost, 'attempt')} had the shop's reply discarded on purpose (the "first delivery's reply is lost" order of\n` +
      '  each day): the shop had processed the notification and acknowledged it, the gateway acted as if the answer never came\n' +
      `  and delivered it again, and the shop acknowledged the redelivery as a duplicate without processing it twice\n` +
      `  (${plural(unacked, 'attempt')} not acknowledged in all).`,
  );
  await Promise.all(shops.map((s) => s.close()));
  await sandbox.close();
  const wrong = [...results.flatMap((r) => r.wrong.map((w) => `${r.framework}: ${w}`)), ...refunds.wrong];
  if (wrong.length > 0) {
    console.error(
      `\n✖ ${wrong.length} order(s) or refund(s) ended in the wrong state:\n  ${wrong.join('\n  ')}`,
    );
    process.exit(1);
  }
  console.log(
    `\n✓ every order and refund ended in the expected state, no payout was sent twice (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
  process.exit(0);
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Rows as a plain text table: a header, a rule, numbers right-aligned, no index column, no quotes. */
function formatTable(rows: Record<string, string | number>[]): string {
  const first = rows[0];
  if (!first) return '';
  const columns = Object.keys(first);
  const cells = rows.map((r) => columns.map((c) => String(r[c] ?? '')));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const numeric = columns.map((_, i) => cells.every((row) => /^-?\d+(\.\d+)?$/.test(row[i]!)));
  const line = (values: string[], header = false) =>
    values
      .map((v, i) => (numeric[i] && !header ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [
    line(columns, true),
    widths.map((w) => '─'.repeat(w)).join('  '),
    ...cells.map((r) => line(r)),
  ].join('\n');
}

// A busy port or an unreachable Redis (REDIS_URL) is one line and exit 1; anything else prints its stack.
main().catch(exitOnStartupError);
