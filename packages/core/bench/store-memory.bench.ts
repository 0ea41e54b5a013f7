// Memory per remembered notification in the in-memory duplicate store: heap after GC once 200,000
// distinct notifications (16-character payment ids, ~1.5 KB bodies) were received and remembered,
// divided by their number. Bodies are made in batches and dropped, so only what the store keeps stays.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createNotificationReceiver, MemoryNotificationStore } from '@diamondpay/core';
import { type BenchResult, signedBodies } from '../../../bench/lib.js';

const COUNT = 200_000;
const BATCH = 5_000;

function bodies(from: number, count: number): string[] {
  const now = Math.floor(Date.now() / 1000);
  return signedBodies(count, (j) => {
    const i = from + j;
    return {
      payment_id: `PM${String(i).padStart(14, '0')}`, // 16 characters
      payment_cl_id: `ORDER-${now}-${i}`,
      platform_id: 'PF0002',
      amount: 8_900_000,
      real_amount: 8_900_000,
      fee: 71_200,
      status: 2,
      create_time: now - 60,
      update_time: now,
      payment_cl_name: `Customer ${i}`,
      // Padding to ~1.5 KB, as a body with a few extra fields and long names would be.
      memo: 'x'.repeat(1_250),
    };
  });
}

export default async function (): Promise<BenchResult[]> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const store = new MemoryNotificationStore();
  const receiver = createNotificationReceiver({
    platformId: 'PF0002',
    platformKey: 'ThisIsYourSecretKey123',
    store,
    onDeposit: () => {},
  });
  const bodyLength = bodies(0, 1)[0]!.length;
  gc();
  gc();
  const start = process.memoryUsage().heapUsed;
  for (let from = 0; from < COUNT; from += BATCH) {
    const batch = bodies(from, BATCH);
    for (const body of batch) {
      const r = await receiver.receive(body, undefined);
      if (r.outcome !== 'processed') throw new Error(`not processed: ${r.body}`);
    }
  }
  if (store.size !== COUNT) throw new Error(`store holds ${store.size} records, expected ${COUNT}`);
  gc();
  gc();
  const perRecord = (process.memoryUsage().heapUsed - start) / COUNT;
  console.error(
    `store-memory: ${COUNT} records of ${bodyLength}-byte bodies, ${perRecord.toFixed(0)} B each`,
  );
  return [
    {
      figure: `memory per remembered notification (${COUNT.toLocaleString('en-US')}, ${bodyLength}-byte bodies, heap after GC)`,
      ours: perRecord,
      unit: 'B',
      limit: 250,
    },
  ];
}
