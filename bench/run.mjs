#!/usr/bin/env node
// Runs every benchmark (packages/*/bench/*.bench.ts, apps/*/bench/*.bench.ts), each in a fresh
// process, and prints one table: figure, ours, baseline, ratio, target. Results are ratios against a
// baseline measured in the same run, so a noisy machine shifts both sides alike.
// Usage: pnpm bench [filter]   (filter: substring of the bench file path)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const filter = process.argv[2] ?? '';
const files = [];
for (const group of ['packages', 'apps']) {
  const base = join(root, group);
  if (!existsSync(base)) continue;
  for (const pkg of readdirSync(base)) {
    const dir = join(base, pkg, 'bench');
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) if (f.endsWith('.bench.ts')) files.push(join(dir, f));
  }
}
const selected = files.filter((f) => relative(root, f).includes(filter));
if (selected.length === 0 && !'size'.includes(filter)) {
  console.error(`no benchmark matches "${filter}"`);
  process.exit(1);
}

const rows = [];
let failed = false;
for (const file of selected) {
  const rel = relative(root, file);
  console.log(`▶ ${rel}`);
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench/child.mjs'), file], {
    cwd: dirname(dirname(file)),
    encoding: 'utf8',
    // Benchmarks import the BUILT packages (as users get them), not the sources the tests alias.
    env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'bench/tsconfig.json'), NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 10 * 60_000,
  });
  const line = (child.stdout ?? '').split('\n').find((l) => l.startsWith('BENCH_RESULTS '));
  if (child.status !== 0 || !line) {
    console.error(`✖ ${rel} failed (exit ${child.status})\n${child.stdout}`);
    failed = true;
    continue;
  }
  for (const r of JSON.parse(line.slice('BENCH_RESULTS '.length))) rows.push({ file: rel, ...r });
}

// Sizes (scripts/bundle-size.mjs, also `pnpm size`): absolute figures with a ceiling, in the same table.
if ('size'.includes(filter) || filter === '') {
  console.log('▶ scripts/bundle-size.mjs');
  const size = spawnSync(process.execPath, [join(root, 'scripts/bundle-size.mjs'), '--json'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = (size.stdout ?? '').split('\n').find((l) => l.startsWith('SIZE_RESULTS '));
  if (size.status !== 0 || !line) {
    console.error(`✖ scripts/bundle-size.mjs failed (exit ${size.status})`);
    failed = true;
  } else
    for (const r of JSON.parse(line.slice('SIZE_RESULTS '.length)))
      rows.push({
        file: 'scripts/bundle-size.mjs',
        figure: r.figure,
        ours: r.bytes / 1024,
        unit: 'KB',
        limit: r.target / 1024,
      });
}

const met = (r) =>
  r.limit !== undefined ? r.ours <= r.limit : r.target ? r.ours / r.baseline >= r.target : null;
const fmt = (n) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2));
const table = rows.map((r) => {
  const absolute = r.baseline === undefined;
  const m = met(r);
  return {
    figure: r.figure,
    ours: `${fmt(r.ours)} ${r.unit}`,
    baseline: absolute ? '-' : `${fmt(r.baseline)} ${r.unit} (${r.baselineName})`,
    ratio: absolute ? '-' : `${(r.ours / r.baseline).toFixed(2)}×`,
    target: r.limit !== undefined ? `≤ ${r.limit} ${r.unit}` : r.target ? `≥ ${r.target}×` : '-',
    met: m === null ? '-' : m ? 'yes' : 'NO',
  };
});
console.log();
console.table(table);
mkdirSync(join(root, 'bench/results'), { recursive: true });
const report = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: (await import('node:os')).cpus().length,
  results: rows.map((r) => ({
    ...r,
    ...(r.baseline === undefined ? {} : { ratio: r.ours / r.baseline }),
    met: met(r),
  })),
};
writeFileSync(join(root, 'bench/results/latest.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(`written: bench/results/latest.json`);
if (failed) process.exit(1);
