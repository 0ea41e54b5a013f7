#!/usr/bin/env node
// `pnpm test:runtimes`: the runtime smoke suite (runtime-smoke/smoke.mjs: sign and verify the published
// vectors, a receiver round trip, a Hono app answering a signed notification) against the BUILT packages on
// Node 20, 22 and 24, Bun and Deno. The runtimes come from the npm registry (the `node-<os>-<arch>`,
// `@oven/bun-<os>-<arch>` and `@deno/<os>-<arch>` packages ship the binaries), installed once into
// node_modules/.cache/diamondpay-runtimes. Run `pnpm build` first. Bounded: one install (3 min), 60 s a runtime.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cache = join(root, 'node_modules/.cache/diamondpay-runtimes');
const INSTALL_TIMEOUT_MS = 180_000;
const RUN_TIMEOUT_MS = 60_000;

const os = process.platform;
const arch = process.arch;
if (os !== 'linux' || (arch !== 'x64' && arch !== 'arm64')) {
  console.error(
    `runtime smoke: only linux-x64 and linux-arm64 binaries are set up here (this is ${os}-${arch}).`,
  );
  process.exit(1);
}
const bunArch = arch === 'x64' ? 'x64' : 'aarch64';

/** Each runtime: its npm package (alias@npm:name@range), the binary inside it, and how to run a module. */
const nodeFromNpm = (major) => ({
  name: `node ${major}`,
  dependency: [`node${major}`, `npm:node-linux-${arch}@${major}`],
  bin: `node_modules/node${major}/bin/node`,
  args: (entry) => [entry],
});
const runtimes = [
  process.versions.node.startsWith('20.')
    ? { name: 'node 20', path: process.execPath, args: (entry) => [entry] }
    : nodeFromNpm(20),
  nodeFromNpm(22),
  nodeFromNpm(24),
  {
    name: 'bun',
    dependency: [`@oven/bun-linux-${bunArch}`, '^1.2.0'],
    bin: `node_modules/@oven/bun-linux-${bunArch}/bin/bun`,
    args: (entry) => ['run', entry],
  },
  {
    name: 'deno',
    dependency: [`@deno/linux-${arch}-glibc`, '^2.0.0'],
    bin: `node_modules/@deno/linux-${arch}-glibc/deno`,
    // Node-style resolution of the packages' bare imports from the workspace's node_modules.
    args: (entry) => [
      'run',
      '--quiet',
      '--no-prompt',
      '--node-modules-dir=manual',
      '--allow-read',
      '--allow-env',
      entry,
    ],
  },
];

for (const pkg of ['core', 'hono']) {
  if (!existsSync(join(root, `packages/${pkg}/dist/index.js`))) {
    console.error(`runtime smoke: packages/${pkg}/dist is missing; run \`pnpm build\` first.`);
    process.exit(1);
  }
}

installRuntimes();
const entry = writeEntry();
let failed = 0;
const rows = [];
for (const runtime of runtimes) {
  const bin = runtime.path ?? join(cache, runtime.bin);
  const started = Date.now();
  const result = spawnSync(bin, runtime.args(entry), {
    cwd: root,
    encoding: 'utf8',
    timeout: RUN_TIMEOUT_MS,
    env: { ...process.env, NO_COLOR: '1' },
  });
  const ms = Date.now() - started;
  const report = parseReport(result.stdout);
  if (result.status === 0 && report) {
    rows.push([runtime.name, report.version, `${report.passed.length} passed`, `${ms} ms`]);
  } else {
    failed++;
    const why = result.error ? result.error.message : `exit ${result.status ?? result.signal}`;
    rows.push([runtime.name, report?.version ?? '?', `FAILED (${why})`, `${ms} ms`]);
    process.stderr.write(`--- ${runtime.name}\n${result.stdout ?? ''}${result.stderr ?? ''}\n`);
  }
}
rmSync(dirname(entry), { recursive: true, force: true });
printTable(['runtime', 'version', 'checks', 'time'], rows);
if (failed > 0) {
  console.error(`runtime smoke: ${failed} of ${runtimes.length} runtimes failed.`);
  process.exit(1);
}
console.log(`runtime smoke: every check passed on ${runtimes.length} runtimes.`);

function installRuntimes() {
  const wanted = runtimes.filter((r) => r.dependency);
  const missing = wanted.filter((r) => !existsSync(join(cache, r.bin)));
  if (missing.length === 0) return;
  mkdirSync(cache, { recursive: true });
  const dependencies = Object.fromEntries(wanted.map((r) => r.dependency));
  writeFileSync(
    join(cache, 'package.json'),
    `${JSON.stringify({ name: 'diamondpay-runtimes', private: true, dependencies }, null, 2)}\n`,
  );
  console.log(`runtime smoke: installing ${missing.map((r) => r.name).join(', ')} from the npm registry…`);
  const npm = spawnSync(
    'npm',
    ['install', '--no-package-lock', '--no-fund', '--no-audit', '--ignore-scripts', '--loglevel=error'],
    { cwd: cache, stdio: 'inherit', timeout: INSTALL_TIMEOUT_MS },
  );
  const still = missing.filter((r) => !existsSync(join(cache, r.bin)));
  if (npm.status !== 0 || still.length > 0) {
    console.error(
      `runtime smoke: could not install ${still.map((r) => r.name).join(', ') || 'the runtimes'} (npm ${npm.error?.message ?? `exit ${npm.status}`}).`,
    );
    process.exit(1);
  }
}

/** The entry every runtime runs: absolute URLs of the built packages, the vectors inlined, then run(). */
function writeEntry() {
  // The adapter's own copy of hono (pnpm's link), so the app and the adapter share one Hono.
  const honoDir = realpathSync(join(root, 'packages/hono/node_modules/hono'));
  const honoMain = JSON.parse(readFileSync(join(honoDir, 'package.json'), 'utf8')).exports['.'].import;
  const vectors = readFileSync(join(root, 'packages/core/src/__fixtures__/vectors.json'), 'utf8');
  const url = (path) => JSON.stringify(pathToFileURL(path).href);
  const source = `// Generated by scripts/runtime-smoke.mjs.
import * as dp from ${url(join(root, 'packages/hono/dist/index.js'))};
import { Hono } from ${url(join(honoDir, typeof honoMain === 'string' ? honoMain : honoMain.default))};
import { run } from ${url(join(root, 'scripts/runtime-smoke/smoke.mjs'))};

const version =
  typeof Bun !== 'undefined' ? \`bun \${Bun.version}\`
  : typeof Deno !== 'undefined' ? \`deno \${Deno.version.deno}\`
  : \`node \${process.versions.node}\`;
const passed = await run({ dp, Hono, vectors: ${vectors.trim()} });
console.log(JSON.stringify({ smoke: true, version, passed }));
`;
  // Outside node_modules: Deno treats modules under node_modules as npm packages' own files.
  const dir = mkdtempSync(join(tmpdir(), 'diamondpay-runtime-smoke-'));
  const file = join(dir, 'entry.mjs');
  writeFileSync(file, source);
  return file;
}

function parseReport(stdout) {
  for (const line of (stdout ?? '').split('\n').reverse()) {
    try {
      const value = JSON.parse(line);
      if (value?.smoke) return value;
    } catch {}
  }
  return undefined;
}

function printTable(head, body) {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of body) console.log(line(r));
}
