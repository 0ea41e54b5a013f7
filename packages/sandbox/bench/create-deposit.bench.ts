// The sandbox's create-deposit endpoint (parse → validate → verify → create an order) beside a bare
// node:http server that reads the body and answers a fixed JSON, both over keep-alive from 50
// connections. Every sandbox request carries a unique, validly signed payment_cl_id, so each one
// really creates an order (checked: a refused body would measure the error path).
import { fileURLToPath } from 'node:url';
import { type BenchResult, compareTargets, signedBodies, spawnBenchServer } from '../../../bench/lib.js';

const SCRIPT = fileURLToPath(new URL('./sandbox-server.mjs', import.meta.url));

export default async function bench(): Promise<BenchResult[]> {
  const now = Math.floor(Date.now() / 1000);
  const bodies = signedBodies(600_000, (i) => ({
    platform_id: 'PF0002',
    service_id: 'SVC0015',
    payment_cl_id: `bench-${i}`,
    amount: 50000000,
    notify_url: 'http://127.0.0.1:9/notify',
    request_time: now,
  }));
  const sandbox = await spawnBenchServer(SCRIPT, ['sandbox']);
  const bare = await spawnBenchServer(SCRIPT, ['bare']);
  try {
    const { rps, cpu } = await compareTargets(
      { ours: { server: sandbox, path: '/gateway/api/v2/payments' }, baseline: { server: bare, path: '/' } },
      bodies,
    );
    const s = await sandbox.stats();
    if (s.ordersCreated !== s.createRequests)
      throw new Error(`${s.createRequests} create requests but ${s.ordersCreated} orders`);
    if (s.createRequests! > bodies.length / 2)
      throw new Error('the pool of signed bodies wrapped: some ids were reused');
    console.error(`sandbox: ${s.ordersCreated} orders created`);
    const baselineName = 'bare node:http reading the body, fixed JSON answer';
    return [
      {
        figure: `sandbox create deposit (${s.ordersCreated} unique signed orders), 50 connections`,
        ...rps,
        baselineName,
        unit: 'req/s',
      },
      {
        figure: 'sandbox create deposit, requests per server CPU-second',
        ...cpu,
        baselineName,
        unit: 'req/CPU-s',
      },
    ];
  } finally {
    await sandbox.stop();
    await bare.stop();
  }
}
