// Defect 6 of issue #10: the duplicate store's key must not keep the raw body alive. Ids parsed out of
// a body are V8 sliced strings of it, so a key built from them and kept in the store for 24 h kept
// every body (1,000 records of 30 KiB bodies: +29 MiB). Measures how much of the bodies' memory is
// released once 1,000 such notifications were processed and remembered by the in-memory store, and
// by MemoryLedger (its inbox and order rows hold the ids too; the same defect was found there).
import { createHmac } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createNotificationReceiver, MemoryLedger } from '@diamondpay/core';
import type { BenchResult } from '../../../bench/lib.js';

const KEY = 'ThisIsYourSecretKey123';
const COUNT = 1000;
const PAD = 30_000;

function body(i: number): string {
  const now = Math.floor(Date.now() / 1000);
  // A 26-character payment_id: long enough (≥ 13) for V8 to slice it rather than copy it.
  const fields: Record<string, string | number> = {
    payment_id: `PM${String(i).padStart(24, '0')}`,
    payment_cl_id: `ORDER-${i}`,
    platform_id: 'PF0002',
    amount: 100,
    real_amount: 100,
    fee: 1,
    status: 2,
    create_time: now - 5,
    update_time: now,
    pad: 'x'.repeat(PAD),
  };
  const canonical = Object.keys(fields)
    .sort()
    .map((k) => `${k}=${fields[k]}`)
    .join('&');
  const sign = createHmac('sha256', KEY).update(canonical).digest('hex');
  return JSON.stringify({ ...fields, sign_type: 'HMAC-SHA256', sign });
}

/** MiB of the bodies' memory released after `receiver` processed and remembered them, and their total. */
async function released(
  gc: () => void,
  receiver: { receive(body: string, context: undefined): Promise<{ status: number; body: string }> },
): Promise<{ released: number; total: number }> {
  const bodies: (string | null)[] = Array.from({ length: COUNT }, (_, i) => body(i));
  const bodyBytes = bodies.reduce((n, b) => n + (b?.length ?? 0), 0);
  gc();
  const start = process.memoryUsage().heapUsed;
  for (let i = 0; i < COUNT; i++) {
    const res = await receiver.receive(bodies[i]!, undefined);
    if (res.status !== 200) throw new Error(`not acknowledged: ${res.body}`);
    bodies[i] = null;
  }
  gc();
  gc();
  // The bodies were on the heap at `start`; what is not released is kept by the records.
  const mib = 1024 * 1024;
  return { released: Math.max(0, start - process.memoryUsage().heapUsed) / mib, total: bodyBytes / mib };
}

export default async function (): Promise<BenchResult[]> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const options = { platformId: 'PF0002', platformKey: KEY, onDeposit: () => {} };
  const store = await released(gc, createNotificationReceiver(options));
  const ledger = await released(gc, createNotificationReceiver({ ...options, ledger: new MemoryLedger() }));
  return [
    {
      figure: `raw body memory released after ${COUNT} stored notifications of 30 KiB`,
      ours: store.released,
      baseline: store.total,
      baselineName: 'the bodies’ total size',
      unit: 'MiB',
      target: 0.9,
    },
    {
      figure: `raw body memory released after ${COUNT} notifications of 30 KiB recorded by MemoryLedger`,
      ours: ledger.released,
      baseline: ledger.total,
      baselineName: 'the bodies’ total size',
      unit: 'MiB',
      target: 0.9,
    },
  ];
}
