// `pnpm --filter hono-demo dev` as a person runs it (the shop kit's runDev, shared by the three demos):
// a busy port and an unreachable Redis are one line and exit 1, Ctrl-C (SIGINT) exits 0.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const tsx = fileURLToPath(new URL('../../../node_modules/tsx/dist/cli.mjs', import.meta.url));
/**
 * Every run is bounded: past this the child is killed and the test fails. Generous: the shop boots its
 * embedded PGlite database before it listens, which takes seconds on a loaded 2-core machine.
 */
const LIMIT_MS = 40_000;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function dev(env: Record<string, string>, whenReady?: (child: ChildProcess) => void): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsx, 'src/dev.ts'], {
      cwd: appDir,
      env: { ...process.env, SANDBOX_PORT: '0', PORT: '0', REDIS_URL: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      if (whenReady && /hono-demo: http/.test(stdout)) {
        const ready = whenReady;
        whenReady = undefined;
        ready(child);
      }
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), LIMIT_MS);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

let busy: Server;
let busyPort: number;
beforeAll(async () => {
  busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  busyPort = (busy.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((r) => busy.close(() => r())));

describe('hono-demo dev', { timeout: LIMIT_MS + 5_000 }, () => {
  it('a busy PORT: one line naming the port and PORT, exit 1', async () => {
    const run = await dev({ PORT: String(busyPort) });
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(
      `✖ hono-demo: port ${busyPort} is already in use. Stop what is using it, or set PORT to another port (0 picks a free one).`,
    );
  });

  it('a busy SANDBOX_PORT: one line naming SANDBOX_PORT, exit 1', async () => {
    const run = await dev({ SANDBOX_PORT: String(busyPort) });
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toMatch(new RegExp(`^✖ sandbox gateway: port ${busyPort} .*SANDBOX_PORT`));
  });

  it('an unreachable Redis: exit 1 within the bound, naming REDIS_URL', async () => {
    // A port nothing listens on: the one just freed by a closed server.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const run = await dev({ REDIS_URL: `redis://user:secret@127.0.0.1:${port}` });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`duplicate store: Redis at redis://127.0.0.1:${port} (REDIS_URL)`);
    expect(run.stderr.trim()).toMatch(/^✖ REDIS_URL: cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+ /);
    expect(`${run.stdout}${run.stderr}`).not.toContain('secret');
  });

  it('through pnpm (as a person runs it), Ctrl-C exits 0 with no ELIFECYCLE line', async () => {
    // Ctrl-C signals the whole foreground process group: pnpm, its shell and the app.
    const run = await new Promise<Run>((resolve) => {
      const child = spawn('pnpm', ['--filter', 'hono-demo', 'dev'], {
        cwd: appDir,
        env: { ...process.env, SANDBOX_PORT: '0', PORT: '0', REDIS_URL: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      let stdout = '';
      let stderr = '';
      let signalled = false;
      child.stdout.on('data', (d) => {
        stdout += d;
        if (!signalled && /hono-demo: http/.test(stdout)) {
          signalled = true;
          process.kill(-child.pid!, 'SIGINT');
        }
      });
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), LIMIT_MS);
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, stdout, stderr });
      });
    });
    expect(run.code, `${run.stdout}${run.stderr}`).toBe(0);
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/ELIFECYCLE|ERR_PNPM/);
  });

  it('prints its duplicate store and its URLs, and exits 0 on SIGINT', async () => {
    const run = await dev({}, (child) => child.kill('SIGINT'));
    expect(run).toMatchObject({ code: 0, signal: null, stderr: '' });
    expect(run.stdout).toContain('duplicate store: the ledger in embedded PGlite');
    expect(run.stdout).toMatch(/sandbox gateway: http:\/\/127\.0\.0\.1:\d+/);
  });
});
