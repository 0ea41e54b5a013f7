#!/usr/bin/env node
// Imports every built, published package the way users do: from an ESM and a CommonJS consumer,
// through its package.json "exports" (package self-reference), then runs publint and attw on it.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const packages = readdirSync(join(root, 'packages'))
  .map((dir) => join(root, 'packages', dir))
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
  .filter(({ pkg }) => !pkg.private);

let failed = false;
function run(label, cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  const ok = r.status === 0;
  console.log(`${ok ? '✓' : '✖'} ${label}`);
  if (!ok) {
    failed = true;
    console.log(r.stdout, r.stderr);
  }
  return r.stdout;
}

for (const { dir, pkg } of packages) {
  const name = pkg.name;
  // Each package must expose at least one export; core must expose the fixed API names.
  const probe =
    name === '@diamondpay/core' ? 'sign,verify,canonicalString,DiamondPay,createNotificationReceiver' : '';
  const esm = `const m = await import(${JSON.stringify(name)}); const keys = Object.keys(m); if (keys.length === 0) throw new Error('no exports'); for (const k of ${JSON.stringify(probe)}.split(',').filter(Boolean)) if (!(k in m)) throw new Error('missing ' + k); console.log(keys.length);`;
  const cjs = `const m = require(${JSON.stringify(name)}); const keys = Object.keys(m); if (keys.length === 0) throw new Error('no exports'); for (const k of ${JSON.stringify(probe)}.split(',').filter(Boolean)) if (!(k in m)) throw new Error('missing ' + k); console.log(keys.length);`;
  run(`${name}: ESM consumer`, process.execPath, ['--input-type=module', '-e', esm], dir);
  run(`${name}: CommonJS consumer`, process.execPath, ['-e', cjs], dir);
  // Every subpath (e.g. @diamondpay/koa/router, @diamondpay/core/testing) loads from both module systems.
  for (const sub of Object.keys(pkg.exports).filter((k) => k !== '.' && k !== './package.json')) {
    const spec = JSON.stringify(name + sub.slice(1));
    run(
      `${name}${sub.slice(1)}: ESM consumer`,
      process.execPath,
      ['--input-type=module', '-e', `await import(${spec})`],
      dir,
    );
    run(`${name}${sub.slice(1)}: CommonJS consumer`, process.execPath, ['-e', `require(${spec})`], dir);
  }
  run(`${name}: publint`, 'pnpm', ['exec', 'publint', '--strict'], dir);
  run(`${name}: attw (every profile)`, 'pnpm', ['exec', 'attw', '--pack', '.'], dir);
}

// Core's two entries: the node condition uses node:crypto, the default entry imports no node: module.
const coreDist = join(root, 'packages/core/dist/index.js');
const web = readFileSync(coreDist, 'utf8');
if (/from ['"]node:|require\(['"]node:/.test(web)) {
  console.log('✖ @diamondpay/core default entry imports a node: module');
  failed = true;
} else console.log('✓ @diamondpay/core default entry is free of node: imports');

// Version strings are written in at build time from package.json (tsup.base.ts `define`).
const coreVersion = JSON.parse(readFileSync(join(root, 'packages/core/package.json'), 'utf8')).version;
const builtVersion = spawnSync(
  process.execPath,
  ['-e', 'process.stdout.write(require("@diamondpay/core").SDK_VERSION)'],
  { cwd: join(root, 'packages/core'), encoding: 'utf8' },
).stdout;
if (builtVersion !== coreVersion) {
  console.log(
    `✖ @diamondpay/core SDK_VERSION is ${JSON.stringify(builtVersion)}, package.json says ${coreVersion}`,
  );
  failed = true;
} else console.log(`✓ @diamondpay/core SDK_VERSION is the package version (${coreVersion})`);
process.exit(failed ? 1 : 0);
