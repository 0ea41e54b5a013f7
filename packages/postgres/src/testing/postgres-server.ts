// Starts a throw-away PostgreSQL cluster (Debian's `postgresql` package) for tests: initdb in a temp
// directory, the server on a free 127.0.0.1 port, removed on destroy(). initdb and postgres refuse to
// run as root, so as root both run as the `postgres` OS user (the temp directory is chowned to it).
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust authentication on loopback). */
  url: string;
  port: number;
  /** A URL for another database on this server. */
  urlFor(database: string): string;
  /** Stops the server (fast shutdown; `{ kill: true }`: SIGKILL, as a crash). */
  stop(options?: { kill?: boolean }): Promise<void>;
  /** Starts it again on the same port and data (after stop). */
  start(): Promise<void>;
  /** stop() then start(). */
  restart(): Promise<void>;
  /** Stops it for good and removes its files. */
  destroy(): Promise<void>;
}

/** The directory holding initdb/postgres/pg_isready: `pg_config --bindir`, else the newest Debian one. */
export function findPostgresBin(): string {
  const has = (dir: string) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'));
  const fromConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const configured = fromConfig.status === 0 ? fromConfig.stdout.trim() : '';
  if (configured && has(configured)) return configured;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => has(join(root, v, 'bin')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0]) return join(root, versions[0], 'bin');
  throw new Error(
    "PostgreSQL server binaries not found (no initdb via pg_config --bindir or /usr/lib/postgresql/*/bin): install Debian's postgresql package (scripts/setup.sh does)",
  );
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function osUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error(
      'running as root, and there is no `postgres` OS user to run initdb as (the postgresql package creates it)',
    );
  }
}

/** Creates and starts a cluster. `timeoutMs` bounds each wait for the server. */
export async function startTestPostgres({ timeoutMs = 30_000 } = {}): Promise<TestPostgres> {
  const bin = findPostgresBin();
  const user = osUser();
  const dir = mkdtempSync(join(tmpdir(), 'diamondpay-pg-'));
  const data = join(dir, 'data');
  if (user) chownSync(dir, user.uid, user.gid);
  const as = user ? { uid: user.uid, gid: user.gid } : {};
  const init = spawnSync(
    join(bin, 'initdb'),
    ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-locale', '--no-sync'],
    { encoding: 'utf8', cwd: dir, timeout: timeoutMs, ...as },
  );
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed (${init.status ?? init.signal}): ${init.stderr || init.error?.message}`);
  }
  const port = await freePort();
  let child: ChildProcess | undefined;
  let log = '';

  const ready = async () => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!child || child.exitCode !== null)
        throw new Error(`postgres exited while starting:\n${log.slice(-2000)}`);
      const probe = spawnSync(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-t', '1'], {
        timeout: 3_000,
      });
      if (probe.status === 0) return;
      await sleep(100);
    }
    throw new Error(
      `postgres did not accept connections on ${port} within ${timeoutMs} ms:\n${log.slice(-2000)}`,
    );
  };

  const start = async () => {
    if (child && child.exitCode === null) return;
    log = '';
    child = spawn(
      join(bin, 'postgres'),
      [
        '-D',
        data,
        '-p',
        String(port),
        '-k',
        dir,
        '-c',
        'listen_addresses=127.0.0.1',
        // The page cache survives the server's death; only a machine crash would need fsync.
        '-c',
        'fsync=off',
        '-c',
        'full_page_writes=off',
        '-c',
        'max_connections=200',
      ],
      { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], ...as },
    );
    child.stderr?.on('data', (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-20_000);
    });
    await ready();
  };

  const stop = async ({ kill = false } = {}) => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    // SIGINT: fast shutdown (aborts open transactions, closes connections, writes a checkpoint).
    c.kill(kill ? 'SIGKILL' : 'SIGINT');
    const timer = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
    if (kill) {
      // A SIGKILLed postmaster leaves its backends running until they notice; wait for the port to free.
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline && existsSync(join(data, 'postmaster.pid'))) {
        const probe = spawnSync(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-t', '1']);
        if (probe.status === 2) break;
        await sleep(100);
      }
    }
  };

  try {
    await start();
  } catch (error) {
    await stop({ kill: true });
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const urlFor = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    url: urlFor('postgres'),
    port,
    urlFor,
    start,
    stop,
    restart: async () => {
      await stop();
      await start();
    },
    destroy: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
