// Shared measuring helpers for the *.bench.ts files. Bounded in time; loopback only.
import autocannon from 'autocannon';

export interface BenchResult {
  figure: string;
  ours: number;
  baseline: number;
  baselineName: string;
  unit: string;
  target?: number;
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

export interface LoadOptions {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** A fixed body, or a function building each request's body. */
  body?: string;
  connections?: number;
  durationSeconds?: number;
  /** Builds request bodies per request (e.g. unique order ids). */
  requests?: autocannon.Request[];
}

/** Requests per second (mean) under keep-alive load from `connections` concurrent clients. */
export async function loadRps(options: LoadOptions): Promise<number> {
  const url = new URL(options.url);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname))
    throw new Error('load tests target loopback only');
  const result = await autocannon({
    url: options.url,
    method: options.method ?? 'POST',
    headers: options.headers,
    body: options.body,
    requests: options.requests,
    connections: options.connections ?? 50,
    duration: options.durationSeconds ?? 5,
    pipelining: 1,
  });
  if (result.non2xx > 0 && result.non2xx > result.requests.total * 0.01) {
    throw new Error(`${options.url}: ${result.non2xx} non-2xx answers of ${result.requests.total}`);
  }
  return result.requests.mean;
}

/** Alternates two load runs (A, B, A, B...) and returns the medians, so drift hits both. */
export async function compareLoad(
  ours: LoadOptions,
  baseline: LoadOptions,
  rounds = 3,
): Promise<{ ours: number; baseline: number }> {
  await loadRps({ ...ours, durationSeconds: 1 });
  await loadRps({ ...baseline, durationSeconds: 1 });
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < rounds; r++) {
    a.push(await loadRps(ours));
    b.push(await loadRps(baseline));
  }
  return { ours: median(a), baseline: median(b) };
}
