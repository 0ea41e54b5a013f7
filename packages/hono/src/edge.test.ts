// Edge proof: a tiny Worker (Hono + depositNotifications, key from env(c)) bundled for workerd with
// core's Web entry, run under the real `workerd` binary WITHOUT nodejs_compat, then fed notifications.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACK, jsonPost, PLATFORM_KEY, signedDeposit } from './test-support.js';

const srcDir = fileURLToPath(new URL('.', import.meta.url));
const packageDir = join(srcDir, '..');
// The native binary itself (not the .bin shell wrapper, which would not pass our signal on).
const workerdBin = createRequire(join(packageDir, 'package.json')).resolve('workerd/bin/workerd');

const WORKER = `
import { Hono } from 'hono';
import { env, getRuntimeKey } from 'hono/adapter';
import { depositNotifications, diamondPay } from '@diamondpay/hono';

const runs = [];
const app = new Hono();
app.post(
  '/notify',
  depositNotifications((c) => ({
    platformId: 'PF0002',
    platformKey: env(c).DIAMONDPAY_PLATFORM_KEY,
    onDeposit: async (n) => {
      runs.push({ payment_id: n.payment_id, sign_type: n.sign_type ?? 'MD5', outcome: n.outcome });
      await new Promise((r) => setTimeout(r, 20));
    },
  })),
);
// No options: the client's connection options come from the DIAMONDPAY_* bindings.
app.get('/client', diamondPay(), (c) => c.json({ platformId: c.var.diamondPay.platformId }));
app.get('/runs', (c) => c.json({ runtime: getRuntimeKey(), hasProcess: typeof process !== 'undefined', runs }));
export default app;
`;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

let dir: string;
let workerd: ChildProcess | undefined;
let output = '';
let base: string;
let bundle: string;
let metafile: Metafile;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'diamondpay-hono-edge-'));
  const result = await build({
    stdin: { contents: WORKER, resolveDir: srcDir, loader: 'js', sourcefile: 'worker.js' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    // Sources through the workspace's `@diamondpay/source` export condition, as the tests read them;
    // core's condition picks its Web entry (index.ts) here, since esbuild's browser platform has no `node`.
    conditions: ['@diamondpay/source', 'workerd', 'worker', 'browser'],
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  bundle = result.outputFiles[0]!.text;
  metafile = result.metafile;
  writeFileSync(join(dir, 'worker.js'), bundle);

  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  writeFileSync(
    join(dir, 'config.capnp'),
    `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);

const worker :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js") ],
  compatibilityDate = "2025-09-01",
  bindings = [
    (name = "DIAMONDPAY_PLATFORM_KEY", text = "${PLATFORM_KEY}"),
    (name = "DIAMONDPAY_PLATFORM_ID", text = "PF0002"),
    (name = "DIAMONDPAY_BASE_URL", text = "http://127.0.0.1:9"),
  ],
);
`,
  );
  workerd = spawn(workerdBin, ['serve', 'config.capnp'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  workerd.stdout?.on('data', (d) => {
    output += d;
  });
  workerd.stderr?.on('data', (d) => {
    output += d;
  });
  // Bounded wait for the socket: 100 tries, 100 ms apart (10 s).
  for (let i = 0; i < 100; i++) {
    if (workerd.exitCode !== null) break;
    try {
      await fetch(`${base}/runs`);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`workerd did not start (exit ${workerd.exitCode}):\n${output}`);
});

afterAll(async () => {
  const child = workerd;
  if (child && child.exitCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(timer);
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('depositNotifications on workerd (no nodejs_compat)', () => {
  it('is bundled from core Web entry with no node: import', () => {
    const inputs = Object.keys(metafile.inputs);
    expect(inputs.some((f) => f.endsWith('packages/core/src/index.ts'))).toBe(true);
    expect(inputs.some((f) => f.endsWith('index.node.ts') || f.endsWith('crypto-node.ts'))).toBe(false);
    expect(bundle).not.toMatch(/\b(?:from|import|require)\s*\(?\s*["']node:/);
    expect(bundle).not.toMatch(/["']node:[a-z_]+["']/);
  });

  it('runs in workerd, without process, reading the key from env(c)', async () => {
    const res = await fetch(`${base}/runs`);
    expect(await res.json()).toMatchObject({ runtime: 'workerd', hasProcess: false, runs: [] });
  });

  it('builds diamondPay() from the DIAMONDPAY_* bindings when given no options', async () => {
    const res = await fetch(`${base}/client`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ platformId: 'PF0002' });
  });

  it('acknowledges HMAC- and MD5-signed notifications and refuses a tampered one with 401', async () => {
    const hmac = await fetch(`${base}/notify`, jsonPost(await signedDeposit({ payment_id: 'PMEDGE0001' })));
    expect(hmac.status).toBe(200);
    expect(await hmac.text()).toBe(ACK);

    const md5 = await fetch(
      `${base}/notify`,
      jsonPost(await signedDeposit({ payment_id: 'PMEDGE0002' }, { signType: 'MD5' })),
    );
    expect(md5.status).toBe(200);
    expect(await md5.text()).toBe(ACK);

    const tampered = (await signedDeposit({ payment_id: 'PMEDGE0003' })).replace(
      '"real_amount":400000',
      '"real_amount":400001',
    );
    const refused = await fetch(`${base}/notify`, jsonPost(tampered));
    expect(refused.status).toBe(401);
    expect(await refused.text()).not.toBe(ACK);

    const { runs } = (await (await fetch(`${base}/runs`)).json()) as { runs: unknown[] };
    expect(runs).toEqual([
      { payment_id: 'PMEDGE0001', sign_type: 'HMAC-SHA256', outcome: 'paid' },
      { payment_id: 'PMEDGE0002', sign_type: 'MD5', outcome: 'paid' },
    ]);
  });

  it('runs the handler once for 10 concurrent copies (one receiver per isolate)', async () => {
    const body = await signedDeposit({ payment_id: 'PMEDGE0004' });
    const replies = await Promise.all(
      Array.from({ length: 10 }, () => fetch(`${base}/notify`, jsonPost(body)).then((r) => r.text())),
    );
    expect(replies).toEqual(Array.from({ length: 10 }, () => ACK));
    const { runs } = (await (await fetch(`${base}/runs`)).json()) as { runs: { payment_id: string }[] };
    expect(runs.filter((r) => r.payment_id === 'PMEDGE0004')).toHaveLength(1);
  });
});
