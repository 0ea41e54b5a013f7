// Requests/s of the sandbox's create-deposit endpoint (parse → validate → verify → create an order)
// beside a bare node:http server answering a fixed JSON body, both over keep-alive from 50
// connections. Every sandbox request carries a unique, validly signed payment_cl_id, so each one
// really creates an order. The servers run the BUILT package in their own process (run
// `pnpm --filter @diamondpay/core build && pnpm --filter @diamondpay/sandbox build` first).
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sign } from '@diamondpay/core';
import autocannon from 'autocannon';
import { type BenchResult, compareLoad, median } from '../../../bench/lib.js';

const HEADERS = { 'content-type': 'application/json;charset=utf-8' };
const KEY = 'ThisIsYourSecretKey123';
const POOL_SIZE = 400_000;

async function signedBody(i: number, now: number): Promise<string> {
  const params: Record<string, unknown> = {
    platform_id: 'PF0002',
    service_id: 'SVC0015',
    payment_cl_id: `bench-${i}`,
    amount: 50000000,
    notify_url: 'http://127.0.0.1:9/notify',
    request_time: now,
    sign_type: 'HMAC-SHA256',
  };
  params.sign = await sign(params, KEY);
  return JSON.stringify(params);
}

async function startServers(): Promise<{ sandboxUrl: string; bareUrl: string; child: ChildProcess }> {
  const script = fileURLToPath(new URL('./sandbox-server.mjs', import.meta.url));
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [sandboxPort, barePort] = await new Promise<[number, number]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('bench servers did not start within 10 s')), 10_000);
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /LISTENING (\d+) (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve([Number(m[1]), Number(m[2])]);
      }
    });
    child.once('exit', (code) => reject(new Error(`bench servers exited (${code})`)));
  });
  return { sandboxUrl: `http://127.0.0.1:${sandboxPort}`, bareUrl: `http://127.0.0.1:${barePort}`, child };
}

export default async function bench(): Promise<BenchResult[]> {
  const now = Math.floor(Date.now() / 1000);
  const pool: string[] = [];
  for (let i = 0; i < POOL_SIZE; i++) pool.push(await signedBody(i, now));
  const { sandboxUrl, bareUrl, child } = await startServers();
  const stats = async () =>
    (await (await fetch(`${sandboxUrl}/_sandbox/stats`)).json()) as {
      requests: { createDeposit: number };
      ordersCreated: number;
    };
  const cpuMicros = async () =>
    ((await (await fetch(`${bareUrl}/cpu`)).json()) as { cpuMicros: number }).cpuMicros;
  let next = 0;
  let bareNext = 0;
  const take = () => {
    if (next >= pool.length)
      throw new Error(`the pool of ${pool.length} signed bodies ran out: raise POOL_SIZE`);
    return pool[next++]!;
  };
  // The baseline ignores bodies, so it may reuse them; it draws them the same way, so the load
  // generator costs both sides the same.
  const takeAgain = () => pool[bareNext++ % pool.length]!;
  const load = (url: string, body: () => string) => ({
    url,
    method: 'POST' as const,
    headers: HEADERS,
    requests: [{ method: 'POST' as const, setupRequest: (req: any) => ({ ...req, body: body() }) }],
  });
  /** Server CPU time per request (µs): unlike req/s, not moved by other processes on the machine. */
  const cpuPerRequest = async (url: string, body: () => string, amount = 20_000) => {
    const before = await cpuMicros();
    await autocannon({ ...load(url, body), amount, connections: 50 });
    return ((await cpuMicros()) - before) / amount;
  };
  try {
    const sandboxCreate = `${sandboxUrl}/gateway/api/v2/payments`;
    const result = await compareLoad(load(sandboxCreate, take), load(`${bareUrl}/bare`, takeAgain));
    const cpuOurs: number[] = [];
    const cpuBare: number[] = [];
    for (let r = 0; r < 3; r++) {
      cpuOurs.push(await cpuPerRequest(sandboxCreate, take));
      cpuBare.push(await cpuPerRequest(`${bareUrl}/bare`, takeAgain));
    }
    const s = await stats();
    // Every request must have created an order: a refused body would measure the error path.
    if (s.ordersCreated !== s.requests.createDeposit)
      throw new Error(`${s.requests.createDeposit} create requests but ${s.ordersCreated} orders`);
    console.error(`sandbox: ${s.ordersCreated} orders created, ${next} of ${pool.length} pooled bodies used`);
    return [
      {
        figure: `sandbox create deposit (unique signed orders, ${s.ordersCreated} created), 50 connections`,
        ours: result.ours,
        baseline: result.baseline,
        baselineName: 'bare node:http, fixed JSON answer',
        unit: 'req/s',
      },
      {
        figure: 'sandbox create deposit: server CPU per request',
        ours: 1e6 / median(cpuOurs),
        baseline: 1e6 / median(cpuBare),
        baselineName: 'bare node:http, fixed JSON answer',
        unit: 'req/CPU-s',
      },
    ];
  } finally {
    child.kill('SIGTERM');
  }
}
