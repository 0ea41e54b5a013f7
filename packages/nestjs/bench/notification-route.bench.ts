// The NestJS notification route (valid signed notifications, a handler doing nothing, 50 connections)
// on Express and on Fastify. The server runs the BUILT package in a child process (build core and
// nestjs first); this process only generates load. Per platform:
//  1. requests/s beside a bare Nest route on the same app returning the same reply;
//  2. requests per server CPU-second, same comparison: unlike req/s it does not move when the load
//     generator, sharing the machine, is the bottleneck;
//  3. requests per server CPU-second beside core's receiver called from a minimal Nest route: what the
//     module itself (route, raw body, reply) adds on top of core.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { sign } from '@diamondpay/core';
import type autocannon from 'autocannon';
import { type BenchResult, compareLoad, type LoadOptions, loadRps, median } from '../../../bench/lib.js';

const POOL = 200_000;
type Route = 'notify' | 'bare' | 'direct';
const PATHS: Record<Route, string> = {
  notify: '/diamondpay/notifications/deposit',
  bare: '/bare',
  direct: '/direct',
};

/** Distinct notifications, so each request is a first delivery (verify, claim, handler, complete, ack). */
async function notificationPool(): Promise<string[]> {
  const now = Math.floor(Date.now() / 1000);
  const bodies: string[] = [];
  for (let i = 0; i < POOL; i++) {
    const params = {
      payment_id: `PM${String(i).padStart(8, '0')}`,
      payment_cl_id: `BENCH-${now}-${i}`,
      platform_id: 'PF0002',
      amount: 8_900_000,
      real_amount: 8_900_000,
      fee: 71_200,
      status: 2,
      create_time: now - 60,
      update_time: now,
      sign_type: 'HMAC-SHA256',
    };
    bodies.push(JSON.stringify({ ...params, sign: await sign(params, 'ThisIsYourSecretKey123') }));
  }
  return bodies;
}

type ServerStats = Record<Route, number> & { cpuMicros: number };

async function startServer(platform: string): Promise<{ server: ChildProcess; port: number }> {
  const script = fileURLToPath(new URL('./notification-server.mjs', import.meta.url));
  const server = spawn(process.execPath, [script, platform], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start within 15 s')), 15_000);
    server.once('exit', (code) => reject(new Error(`server exited (${code})`)));
    server.stdout!.setEncoding('utf8');
    server.stdout!.on('data', (line: string) => {
      const m = /LISTENING (\d+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
  return { server, port };
}

/** Runs `fn` against a fresh server (empty duplicate stores), then stops it. */
async function withServer<T>(
  platform: string,
  fn: (load: (route: Route) => LoadOptions, stats: () => Promise<ServerStats>) => Promise<T>,
  bodies: string[],
): Promise<T> {
  const { server, port } = await startServer(platform);
  const stats = () =>
    new Promise<ServerStats>((resolve) => {
      server.once('message', (m) => resolve(m as ServerStats));
      server.send('stats');
    });
  // Every route gets bodies from the same rotating pool, so the load generator does the same work.
  let next = 0;
  const requests: autocannon.Request[] = [
    { method: 'POST', setupRequest: (req) => ({ ...req, body: bodies[next++ % POOL] }) },
  ];
  const load = (route: Route): LoadOptions => ({
    url: `http://127.0.0.1:${port}${PATHS[route]}`,
    headers: { 'content-type': 'application/json' },
    requests,
    connections: 50,
  });
  try {
    return await fn(load, stats);
  } finally {
    server.kill('SIGTERM');
    await once(server, 'exit').catch(() => undefined);
  }
}

/** Requests per server CPU-second of each route, in turn, the order reversed every other round (medians). */
async function perCpuSecond(
  load: (route: Route) => LoadOptions,
  stats: () => Promise<ServerStats>,
): Promise<Record<Route, number>> {
  const order: Route[] = ['notify', 'bare', 'direct'];
  for (const route of order) await loadRps({ ...load(route), durationSeconds: 1 }); // warm-up
  const samples: Record<Route, number[]> = { notify: [], bare: [], direct: [] };
  for (let round = 0; round < 4; round++) {
    for (const route of round % 2 ? [...order].reverse() : order) {
      const before = await stats();
      await loadRps({ ...load(route), durationSeconds: 3 });
      const after = await stats();
      samples[route].push(((after[route] - before[route]) * 1e6) / (after.cpuMicros - before.cpuMicros));
    }
  }
  const show = (xs: number[]) => xs.map((x) => Math.round(x)).join(' ');
  console.error(
    `req/CPU-s samples: notify ${show(samples.notify)} | bare ${show(samples.bare)} | direct ${show(samples.direct)}`,
  );
  return { notify: median(samples.notify), bare: median(samples.bare), direct: median(samples.direct) };
}

async function measure(platform: 'express' | 'fastify', bodies: string[]): Promise<BenchResult[]> {
  const rps = await withServer(platform, (load) => compareLoad(load('notify'), load('bare')), bodies);
  const cpu = await withServer(platform, perCpuSecond, bodies);
  const name = platform === 'express' ? 'Express' : 'Fastify';
  return [
    {
      figure: `NestJS (${name}) notification route (verify + dedupe + ack), 50 connections`,
      ours: rps.ours,
      baseline: rps.baseline,
      baselineName: `bare Nest route on ${name}, same reply`,
      unit: 'req/s',
      target: 0.85,
    },
    {
      figure: `NestJS (${name}) notification route, requests per server CPU-second`,
      ours: cpu.notify,
      baseline: cpu.bare,
      baselineName: `bare Nest route on ${name}, same reply`,
      unit: 'req/CPU-s',
    },
    {
      figure: `NestJS (${name}) notification route, requests per server CPU-second (module overhead)`,
      ours: cpu.notify,
      baseline: cpu.direct,
      baselineName: `core receiver in a minimal @Res() route on ${name}`,
      unit: 'req/CPU-s',
    },
  ];
}

export default async function bench(): Promise<BenchResult[]> {
  const bodies = await notificationPool();
  return [...(await measure('express', bodies)), ...(await measure('fastify', bodies))];
}
