// Shared measuring helpers for the *.bench.ts files. Bounded in time; loopback only.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { signedBody, TEST_KEY } from '@diamondpay-internal/test-signer';
import autocannon from 'autocannon';

/** A ratio against a baseline measured in the same run, or (no baseline) an absolute figure with a `limit`. */
export interface BenchResult {
  figure: string;
  ours: number;
  baseline?: number;
  baselineName?: string;
  unit: string;
  /** The ratio ours/baseline aimed for (at least). */
  target?: number;
  /** An absolute figure's ceiling (bytes, …): met when ours ≤ limit. */
  limit?: number;
}

/** Operations per second of an async or sync function, after a warm-up; alternates rounds to share noise. */
export async function compareOps(
  ours: () => unknown,
  baseline: () => unknown,
  { rounds = 5, roundMs = 400, warmupMs = 300 } = {},
): Promise<{ ours: number; baseline: number }> {
  const run = async (fn: () => unknown, ms: number) => {
    let ops = 0;
    const start = performance.now();
    let now = start;
    while (now - start < ms) {
      for (let i = 0; i < 200; i++) await fn();
      ops += 200;
      now = performance.now();
    }
    return (ops * 1000) / (now - start);
  };
  await run(ours, warmupMs);
  await run(baseline, warmupMs);
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < rounds; r++) {
    a.push(await run(ours, roundMs));
    b.push(await run(baseline, roundMs));
  }
  return { ours: median(a), baseline: median(b) };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)]!;
}

/** The docs' published test merchant key: bench bodies are signed with it. */
export { TEST_KEY };

/**
 * `count` JSON bodies signed HMAC-SHA256 the way the gateway signs, by the SDK's independent signer
 * (canonical string from the protocol text, node:crypto), each from `fields(i)`.
 */
export function signedBodies(
  count: number,
  fields: (i: number) => Record<string, string | number>,
  key = TEST_KEY,
): string[] {
  const bodies: string[] = new Array(count);
  for (let i = 0; i < count; i++) bodies[i] = signedBody(fields(i), { key });
  return bodies;
}

/** Distinct deposit notifications: each one a first delivery (verify, claim, handler, complete, ack). */
export function depositNotifications(count: number): string[] {
  const now = Math.floor(Date.now() / 1000);
  return signedBodies(count, (i) => ({
    payment_id: `PM${String(i).padStart(8, '0')}`,
    payment_cl_id: `BENCH-${now}-${i}`,
    platform_id: 'PF0002',
    amount: 8_900_000,
    real_amount: 8_900_000,
    fee: 71_200,
    status: 2,
    create_time: now - 60,
    update_time: now,
  }));
}

export interface BenchServer {
  url: string;
  /** The server process's CPU time so far (µs) and anything else it reports. */
  stats(): Promise<{ cpuMicros: number } & Record<string, number>>;
  stop(): Promise<void>;
}

/**
 * Starts a bench server script in its own process (plain Node: the BUILT packages, as apps load them),
 * so the load generator does not share its event loop. The script prints `LISTENING <port>` and answers
 * IPC messages with `reportStats()` from bench/server-stats.mjs.
 */
export async function spawnBenchServer(script: string, args: string[] = []): Promise<BenchServer> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start within 15 s`)), 15_000);
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /LISTENING (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`${script} exited (${code})`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stats: () =>
      new Promise((resolve) => {
        child.once('message', (m) => resolve(m as { cpuMicros: number } & Record<string, number>));
        child.send('stats');
      }),
    stop: async () => {
      child.kill('SIGKILL');
      await once(child, 'exit').catch(() => undefined);
    },
  };
}

export interface Target {
  server: BenchServer;
  path: string;
}

/**
 * Two targets (two routes of one bench server, or two servers) under the same load: 50 connections,
 * bodies drawn from one rotating pool, so the load generator works alike for both; alternated over
 * rounds. Medians of requests/s and of requests per server CPU-second (which other processes on the
 * machine move far less than requests/s). Any non-2xx answer fails the benchmark.
 */
// Shared by every comparison in a bench process, so a later comparison does not replay bodies an
// earlier one already delivered (duplicates are cheaper for a de-duplicating route).
let nextBody = 0;

export async function compareTargets(
  targets: { ours: Target; baseline: Target },
  bodies: string[],
  { rounds = 3, durationSeconds = 4, connections = 50 } = {},
): Promise<{ rps: { ours: number; baseline: number }; cpu: { ours: number; baseline: number } }> {
  const run = async ({ server, path }: Target, seconds: number) => {
    const before = await server.stats();
    const result = await autocannon({
      url: server.url + path,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      requests: [
        {
          method: 'POST',
          setupRequest: (req: any) => ({ ...req, body: bodies[nextBody++ % bodies.length] }),
        },
      ],
      connections,
      duration: seconds,
    });
    const after = await server.stats();
    if (result.non2xx > 0)
      throw new Error(`${path}: ${result.non2xx} non-2xx answers of ${result.requests.total}`);
    return {
      rps: result.requests.mean,
      cpu: (result.requests.total * 1e6) / (after.cpuMicros - before.cpuMicros),
    };
  };
  await run(targets.ours, 1);
  await run(targets.baseline, 1);
  const samples = {
    ours: [] as { rps: number; cpu: number }[],
    baseline: [] as { rps: number; cpu: number }[],
  };
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? (['baseline', 'ours'] as const) : (['ours', 'baseline'] as const);
    for (const side of order) samples[side].push(await run(targets[side], durationSeconds));
  }
  const pick = (side: 'ours' | 'baseline', k: 'rps' | 'cpu') => median(samples[side].map((x) => x[k]));
  return {
    rps: { ours: pick('ours', 'rps'), baseline: pick('baseline', 'rps') },
    cpu: { ours: pick('ours', 'cpu'), baseline: pick('baseline', 'cpu') },
  };
}

/** Two routes of one bench server: see compareTargets. */
export function compareRoutes(
  server: BenchServer,
  paths: { ours: string; baseline: string },
  bodies: string[],
  options?: Parameters<typeof compareTargets>[2],
) {
  return compareTargets(
    { ours: { server, path: paths.ours }, baseline: { server, path: paths.baseline } },
    bodies,
    options,
  );
}
