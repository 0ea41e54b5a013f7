#!/usr/bin/env node
// Bundle sizes a merchant's Workers deployment pays for, from the BUILT packages (run `pnpm build`
// first; `pnpm size` does): esbuild with the `workerd` conditions as wrangler bundles, minified, then
// gzip (level 9). Absolute figures with a target, not ratios.
//   node scripts/bundle-size.mjs          prints a table
//   node scripts/bundle-size.mjs --json   prints one `SIZE_RESULTS <json>` line (bench/run.mjs reads it)
//   node scripts/bundle-size.mjs --meta   also lists each bundle's largest inputs (what to cut): the
//                                         built files, then the same worker bundled from the packages'
//                                         sources (core's dist is one file, so only that shows which
//                                         source file the bytes come from; sizes there are approximate)
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Resolved from @diamondpay/hono, which depends on core and hono: the entries import what a worker would.
const resolveDir = join(root, 'packages/hono');
const { build } = createRequire(join(resolveDir, 'package.json'))('esbuild');

const RECEIVER = `
import { createNotificationReceiver } from '@diamondpay/core';
let receiver;
export default {
  fetch(request, env) {
    receiver ??= createNotificationReceiver({
      platformId: env.PLATFORM_ID,
      platformKey: env.PLATFORM_KEY,
      onDeposit: (n) => env.ORDERS.put(n.payment_cl_id, String(n.real_amount)),
    });
    return receiver.handleRequest(request, undefined);
  },
};`;

const CLIENT = `
import { DiamondPay } from '@diamondpay/core';
export default {
  async fetch(request, env) {
    const dp = new DiamondPay({ baseUrl: env.BASE_URL, platformId: env.PLATFORM_ID, platformKey: env.PLATFORM_KEY });
    const deposit = await dp.deposits.create({
      service_id: 'SVC0015',
      payment_cl_id: crypto.randomUUID(),
      amount: 50_000_000,
      notify_url: env.NOTIFY_URL,
    });
    return Response.json(deposit);
  },
};`;

const HONO_BARE = `
import { Hono } from 'hono';
import { env } from 'hono/adapter';
const app = new Hono();
app.get('/', (c) => c.text(env(c).SHOP_NAME));
app.post('/orders', async (c) => c.json(await c.req.json()));
export default app;`;

// The same worker with the whole of @diamondpay/hono in use: the client middleware and the route.
const HONO_FULL = `
import { Hono } from 'hono';
import { env } from 'hono/adapter';
import { depositNotifications, diamondPay } from '@diamondpay/hono';
const app = new Hono();
app.get('/', (c) => c.text(env(c).SHOP_NAME));
app.post('/orders', async (c) => c.json(await c.req.json()));
app.use('/pay/*', diamondPay((c) => ({ baseUrl: env(c).BASE_URL, platformId: env(c).PLATFORM_ID, platformKey: env(c).PLATFORM_KEY })));
app.post('/pay/deposit', async (c) => c.json(await c.var.diamondPay.deposits.create(await c.req.json())));
app.post('/diamondpay/notifications/deposit', depositNotifications((c) => ({
  platformId: env(c).PLATFORM_ID,
  platformKey: env(c).PLATFORM_KEY,
  onDeposit: () => {},
})));
export default app;`;

async function bundle(contents, { fromSources = false } = {}) {
  const result = await build({
    stdin: { contents, resolveDir, loader: 'js', sourcefile: 'worker.js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    conditions: [...(fromSources ? ['@diamondpay/source'] : []), 'workerd', 'worker', 'browser'],
    mainFields: ['browser', 'module', 'main'],
    target: 'es2022',
    external: ['node:*'],
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].contents;
  return { min: code.byteLength, gzip: gzipSync(code, { level: 9 }).byteLength, metafile: result.metafile };
}

function largestInputs(metafile, n = 12) {
  const out = Object.values(metafile.outputs)[0];
  return Object.entries(out.inputs)
    .map(([path, { bytesInOutput }]) => ({ path, bytesInOutput }))
    .sort((a, b) => b.bytesInOutput - a.bytesInOutput)
    .slice(0, n);
}

const KB = 1024;
const receiver = await bundle(RECEIVER);
const client = await bundle(CLIENT);
const bare = await bundle(HONO_BARE);
const full = await bundle(HONO_FULL);
const rows = [
  {
    figure: 'Workers bundle, createNotificationReceiver only (minified + gzip)',
    bytes: receiver.gzip,
    minified: receiver.min,
    target: 8 * KB,
    meta: receiver.metafile,
  },
  {
    figure: 'Workers bundle, client only: DiamondPay + deposits.create (minified + gzip)',
    bytes: client.gzip,
    minified: client.min,
    target: 7 * KB,
    meta: client.metafile,
  },
  {
    figure: "@diamondpay/hono's addition to a Hono worker (minified + gzip)",
    bytes: full.gzip - bare.gzip,
    minified: full.min - bare.min,
    target: 10 * KB,
    meta: full.metafile,
  },
];

if (process.argv.includes('--json')) {
  console.log(`SIZE_RESULTS ${JSON.stringify(rows.map(({ meta, ...r }) => r))}`);
} else {
  console.table(
    rows.map((r) => ({
      figure: r.figure,
      gzip: `${(r.bytes / KB).toFixed(1)} KB`,
      minified: `${(r.minified / KB).toFixed(1)} KB`,
      target: `≤ ${r.target / KB} KB`,
      met: r.bytes <= r.target ? 'yes' : 'NO',
    })),
  );
  if (process.argv.includes('--meta')) {
    for (const r of rows) {
      console.log(`\n${r.figure}: largest inputs (minified bytes)`);
      for (const i of largestInputs(r.meta))
        console.log(`  ${String(i.bytesInOutput).padStart(7)}  ${i.path}`);
    }
    const sources = [
      ['createNotificationReceiver only', RECEIVER],
      ['client only', CLIENT],
      ['Hono worker with @diamondpay/hono', HONO_FULL],
    ];
    for (const [name, contents] of sources) {
      const b = await bundle(contents, { fromSources: true });
      console.log(`\n${name}, bundled from sources (${(b.gzip / KB).toFixed(1)} KB gzip): largest inputs`);
      for (const i of largestInputs(b.metafile, 20))
        console.log(`  ${String(i.bytesInOutput).padStart(7)}  ${i.path}`);
    }
  }
}
