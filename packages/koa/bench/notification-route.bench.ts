// Requests/s of the notification route (valid signed notifications, a handler doing nothing) beside
// a bare Koa route on the same server returning the same reply. The server runs the built package
// in a child process (build core and koa first); this process only generates load.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { sign } from '@diamondpay/core';
import type autocannon from 'autocannon';
import { type BenchResult, compareLoad } from '../../../bench/lib.js';

const POOL = 100_000;

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

export default async function bench(): Promise<BenchResult[]> {
  const bodies = await notificationPool();
  const server = spawn(
    process.execPath,
    [fileURLToPath(new URL('./notification-server.mjs', import.meta.url))],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('server did not start within 10 s')), 10_000);
      server.once('exit', (code) => reject(new Error(`server exited (${code})`)));
      server.stdout.setEncoding('utf8');
      server.stdout.on('data', (line: string) => {
        const m = /LISTENING (\d+)/.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
    });
    const base = `http://127.0.0.1:${port}`;
    const headers = { 'content-type': 'application/json;charset=utf-8' };
    // Both sides send the same rotating bodies, so the load generator does the same work for each.
    let next = 0;
    const requests: autocannon.Request[] = [
      { method: 'POST', setupRequest: (req) => ({ ...req, body: bodies[next++ % POOL] }) },
    ];
    const { ours, baseline } = await compareLoad(
      { url: `${base}/diamondpay/notifications/deposit`, headers, requests, connections: 50 },
      { url: `${base}/bare`, headers, requests, connections: 50 },
    );
    return [
      {
        figure: 'Koa notification route (verify + dedupe + ack), 50 connections',
        ours,
        baseline,
        baselineName: 'bare Koa route, same reply',
        unit: 'req/s',
        target: 0.85,
      },
    ];
  } finally {
    server.kill('SIGTERM');
    await once(server, 'exit').catch(() => undefined);
  }
}
