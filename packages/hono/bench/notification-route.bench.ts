// Requests/s of the Hono notification route (signed body → verify → dedupe → ack) beside a bare Hono
// route giving the same reply, on the same @hono/node-server server. The server runs the built
// package in its own process (run `pnpm --filter @diamondpay/core build && pnpm --filter
// @diamondpay/hono build` first), so the load generator does not share its event loop.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sign } from '@diamondpay/core';
import autocannon from 'autocannon';
import { type BenchResult, compareLoad, median } from '../../../bench/lib.js';

const HEADERS = { 'content-type': 'application/json' };

async function signedBody(paymentId: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const params: Record<string, unknown> = {
    payment_id: paymentId,
    payment_cl_id: `bench-${paymentId}`,
    platform_id: 'PF0002',
    amount: 50000000,
    real_amount: 50000000,
    fee: 400000,
    status: 2,
    create_time: now - 60,
    update_time: now,
    sign_type: 'HMAC-SHA256',
  };
  params.sign = await sign(params, 'ThisIsYourSecretKey123');
  return JSON.stringify(params);
}

async function startServer(): Promise<{ url: string; child: ChildProcess }> {
  const script = fileURLToPath(new URL('./notification-server.mjs', import.meta.url));
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('bench server did not start within 10 s')), 10_000);
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /LISTENING (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`bench server exited (${code})`)));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

export default async function bench(): Promise<BenchResult[]> {
  const { url, child } = await startServer();
  const stats = async () =>
    (await (await fetch(`${url}/stats`)).json()) as {
      storeSize: number;
      handled: number;
      rssBytes: number;
      cpuMicros: number;
    };
  /** Server CPU time per request (µs) over `amount` requests: unlike req/s, not moved by other processes. */
  const cpuPerRequest = async (path: string, body: string, amount = 20_000) => {
    const before = (await stats()).cpuMicros;
    await autocannon({
      url: `${url}${path}`,
      method: 'POST',
      headers: HEADERS,
      body,
      amount,
      connections: 50,
    });
    return ((await stats()).cpuMicros - before) / amount;
  };
  try {
    const bareBody = await signedBody('PMBARE');
    const bare = { url: `${url}/bare`, method: 'POST' as const, headers: HEADERS, body: bareBody };

    // 1. One signed notification over and over: after the first, every request is a duplicate
    //    (what the gateway's retries look like). The store must not grow.
    const dupBody = await signedBody('PMDUP');
    const duplicate = await compareLoad(
      { url: `${url}/notify`, method: 'POST', headers: HEADERS, body: dupBody },
      bare,
    );
    const cpuOurs: number[] = [];
    const cpuBare: number[] = [];
    for (let r = 0; r < 3; r++) {
      cpuOurs.push(await cpuPerRequest('/notify', dupBody));
      cpuBare.push(await cpuPerRequest('/bare', bareBody));
    }
    const afterDuplicates = await stats();
    console.error(
      `duplicates: store size ${afterDuplicates.storeSize}, handler runs ${afterDuplicates.handled}`,
    );

    // 2. Every request a new notification: the handler runs each time and the store keeps one
    //    record per notification for the retention time (24 h).
    const pool: string[] = [];
    for (let i = 0; i < 120_000; i++) pool.push(await signedBody(`PMNEW${i}`));
    const sent = { '/notify': 0, '/bare': 0 };
    // Both sides build their requests the same way, so the load generator costs them the same.
    const fromPool = (path: keyof typeof sent) => ({
      url: `${url}${path}`,
      method: 'POST' as const,
      headers: HEADERS,
      requests: [
        {
          method: 'POST' as const,
          setupRequest: (req: any) => ({ ...req, body: pool[sent[path]++ % pool.length] }),
        },
      ],
    });
    const fresh = await compareLoad(fromPool('/notify'), fromPool('/bare'));
    const next = sent['/notify'];
    const afterFresh = await stats();
    const grew = afterFresh.storeSize - afterDuplicates.storeSize;
    console.error(
      `new notifications: ${next} sent, store +${grew} records, rss ${(afterFresh.rssBytes / 1e6).toFixed(0)} MB` +
        (next > pool.length ? ' (pool wrapped: later copies were duplicates)' : ''),
    );

    return [
      {
        figure: `Hono notification route, duplicate notification (store stays at ${afterDuplicates.storeSize}), 50 connections`,
        ours: duplicate.ours,
        baseline: duplicate.baseline,
        baselineName: 'bare Hono route, same reply',
        unit: 'req/s',
        target: 0.85,
      },
      {
        figure: 'Hono notification route, duplicate notification: server CPU per request',
        ours: 1e6 / median(cpuOurs),
        baseline: 1e6 / median(cpuBare),
        baselineName: 'bare Hono route, same reply',
        unit: 'req/CPU-s',
      },
      {
        figure: `Hono notification route, all-new notifications (store +${grew} records), 50 connections`,
        ours: fresh.ours,
        baseline: fresh.baseline,
        baselineName: 'bare Hono route, same reply',
        unit: 'req/s',
      },
    ];
  } finally {
    child.kill('SIGTERM');
  }
}
