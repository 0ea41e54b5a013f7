// `diamondpay reconcile` as a user runs it: a real process (through tsx) against a real PostgreSQL
// server (a throw-away cluster) and the sandbox gateway. Orders are created through the ledger's
// outbox; their notifications never arrive; the command finds the final statuses by query.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DiamondPay } from '@diamondpay/core';
import { createPostgresLedger, type PostgresLedger } from '@diamondpay/postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../../postgres/src/testing/postgres-server.js';
import { importOptional } from './cli-reconcile.js';
import { type Sandbox, startSandbox } from './index.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const CLI = 'packages/sandbox/src/cli.ts';

let server: TestPostgres;
let pool: pg.Pool;
let sandbox: Sandbox;
let ledger: PostgresLedger;
let client: DiamondPay;
let dir: string;
let handlers: string;

beforeAll(async () => {
  server = await startTestPostgres();
  pool = new pg.Pool({ connectionString: server.url, max: 4 });
  pool.on('error', () => {});
  ledger = createPostgresLedger({ db: pool });
  await ledger.migrate();
  await pool.query('CREATE TABLE cli_credits (id text NOT NULL, status integer NOT NULL)');
  sandbox = await startSandbox({ timeScale: 0.001, seed: 7 });
  client = new DiamondPay({ baseUrl: sandbox.url, ...sandbox.merchant, ledger });
  dir = mkdtempSync(join(tmpdir(), 'diamondpay-reconcile-'));
  handlers = join(dir, 'handlers.mjs');
  // The merchant's handler module: one row per applied status, in the ledger's transaction.
  writeFileSync(
    handlers,
    `export async function onDeposit(n, _context, { tx }) {
  await tx.query('INSERT INTO cli_credits (id, status) VALUES ($1, $2)', [n.payment_cl_id, n.status]);
}
`,
  );
}, 60_000);

afterAll(async () => {
  await sandbox?.close();
  await pool?.end();
  await server?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

type Result = { code: number | null; stdout: string; stderr: string };

function run(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(
      process.execPath,
      ['--conditions=@diamondpay/source', '--import', 'tsx', CLI, 'reconcile', ...args],
      {
        cwd: ROOT,
        stdio: 'pipe',
        // Only what the test gives: no DATABASE_URL or DIAMONDPAY_* from the machine.
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr!.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const gatewayEnv = () => ({
  DIAMONDPAY_BASE_URL: sandbox.url,
  DIAMONDPAY_PLATFORM_ID: sandbox.merchant.platformId,
  DIAMONDPAY_PLATFORM_KEY: sandbox.merchant.platformKey,
  DIAMONDPAY_AUTHORIZATION: sandbox.merchant.authorization,
});

/** A deposit created through the outbox, whose notifications are all lost on the way. */
async function order(id: string): Promise<void> {
  await client.deposits.create({
    service_id: 'SVC0015',
    payment_cl_id: id,
    amount: 5_000_000,
    notify_url: 'http://127.0.0.1:9/never',
  });
}
const lost = { delivery: { failFirst: 100, lose: 'request' as const } };

/** As if the first check were due: the reconciler's first check is a minute after creation. */
const makeDue = (...ids: string[]) =>
  pool.query('UPDATE diamondpay_orders SET next_check_at = 0 WHERE cl_id = ANY($1)', [ids]);

const credits = async () =>
  (await pool.query('SELECT id, status FROM cli_credits ORDER BY id')).rows as {
    id: string;
    status: number;
  }[];

describe('diamondpay reconcile', () => {
  it('finds lost final statuses by query, runs the handlers once, and prints the report', async () => {
    await order('R-PAID');
    await order('R-CANCELLED');
    await order('R-WAITING');
    await sandbox.pay('R-PAID', lost);
    await sandbox.cancel('R-CANCELLED', lost);
    await makeDue('R-PAID', 'R-CANCELLED', 'R-WAITING');

    const first = await run(['--database-url', server.url, '--handlers', handlers], gatewayEnv());
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({ checked: 3, resolved: 2, pending: 1, unknown: 0 });
    // One row per applied status: the two final ones, and the waiting order's first status.
    const rows = await credits();
    expect(rows.filter((r) => r.id !== 'R-WAITING')).toEqual([
      { id: 'R-CANCELLED', status: 3 },
      { id: 'R-PAID', status: 2 },
    ]);
    expect(rows.filter((r) => r.id === 'R-WAITING').length).toBeLessThanOrEqual(1);
    expect(await ledger.getOrder({ kind: 'deposit', platform_id: 'PF0002', cl_id: 'R-PAID' })).toMatchObject({
      status: 2,
      final: true,
      next_check_at: null,
    });

    // Nothing is due any more: a second pass checks nothing and credits nothing again.
    const second = await run(['--database-url', server.url, '--handlers', handlers], gatewayEnv());
    expect(JSON.parse(second.stdout)).toEqual({ checked: 0, resolved: 0, pending: 0, unknown: 0 });
    expect(await credits()).toEqual(rows);
    // The sandbox never saw a create twice.
    expect(sandbox.stats().duplicateCreates).toBe(0);
  });

  it('without --handlers applies nothing: the paid order stays open for the app (exit 1)', async () => {
    await order('R-NOHANDLER');
    await sandbox.pay('R-NOHANDLER', lost);
    await makeDue('R-NOHANDLER');
    const result = await run(['--table-prefix', 'diamondpay_'], {
      ...gatewayEnv(),
      DATABASE_URL: server.url,
    });
    expect(result.stdout, result.stderr).not.toBe('');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no --handlers');
    expect(JSON.parse(result.stdout)).toMatchObject({ checked: 1, resolved: 0, unknown: 1 });
    expect((await credits()).map((c) => c.id)).not.toContain('R-NOHANDLER');
    expect(
      await ledger.getOrder({ kind: 'deposit', platform_id: 'PF0002', cl_id: 'R-NOHANDLER' }),
    ).toMatchObject({
      final: false,
    });
    expect(
      await ledger.getInboxEntry(
        `deposit:PF0002:${(await ledger.getOrder({ kind: 'deposit', platform_id: 'PF0002', cl_id: 'R-NOHANDLER' }))?.gateway_id}:2`,
      ),
    ).toBeUndefined();
  });

  it('--prune-inbox-days deletes the older inbox rows after the pass, keeping discrepancies, and reports them', async () => {
    const day = 86_400_000;
    const now = Date.now();
    await pool.query(
      `INSERT INTO diamondpay_inbox (key, kind, platform_id, cl_id, gateway_id, status, source, effect, received_at)
       VALUES ('deposit:PF0002:OLD1:2', 'deposit', 'PF0002', 'OLD-1', 'OLD1', 2, 'notification', 'applied', $1),
              ('deposit:PF0002:OLD2:3', 'deposit', 'PF0002', 'OLD-2', 'OLD2', 3, 'notification', 'discrepancy', $1),
              ('deposit:PF0002:NEW1:2', 'deposit', 'PF0002', 'NEW-1', 'NEW1', 2, 'notification', 'applied', $2)`,
      [now - 40 * day, now - 20 * day],
    );
    const result = await run(
      ['--database-url', server.url, '--handlers', handlers, '--prune-inbox-days', '30'],
      gatewayEnv(),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ checked: 0, pruned: 1 });
    const { rows } = await pool.query(
      "SELECT key FROM diamondpay_inbox WHERE key LIKE 'deposit:PF0002:OLD%' OR key LIKE 'deposit:PF0002:NEW%' ORDER BY key",
    );
    expect(rows.map((r) => r.key)).toEqual(['deposit:PF0002:NEW1:2', 'deposit:PF0002:OLD2:3']);
    const bad = await run(['--database-url', server.url, '--prune-inbox-days', '0'], gatewayEnv());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      '--prune-inbox-days must be a whole number of days from 1 to 36500, got "0"',
    );
  });

  it('names what is missing: the database URL, a gateway setting, a package', async () => {
    const noDb = await run([], gatewayEnv());
    expect(noDb.code).toBe(2);
    expect(noDb.stderr).toContain('--database-url (or DATABASE_URL) is required');
    const noKey = await run(['--database-url', server.url], { DIAMONDPAY_BASE_URL: sandbox.url });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('--platform-id (or DIAMONDPAY_PLATFORM_ID) is required');
    await expect(importOptional('@diamondpay/not-a-package', '@diamondpay/postgres pg')).rejects.toThrow(
      '@diamondpay/not-a-package is not installed: diamondpay reconcile needs it (npm install @diamondpay/postgres pg)',
    );
  });

  it('keeps the platform key out of its output', async () => {
    const result = await run(['--database-url', server.url, '--base-url', 'http://127.0.0.1:9'], {
      ...gatewayEnv(),
      DIAMONDPAY_BASE_URL: '',
    });
    expect(result.stdout + result.stderr).not.toContain(sandbox.merchant.platformKey);
    expect(result.stdout + result.stderr).not.toContain(sandbox.merchant.authorization);
  });
});
