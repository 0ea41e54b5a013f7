// The Koa notification route (distinct signed notifications, a handler doing nothing, 50 connections)
// beside a bare Koa route on the same server returning the same reply.
import { fileURLToPath } from 'node:url';
import {
  type BenchResult,
  compareRoutes,
  depositNotifications,
  spawnBenchServer,
} from '../../../bench/lib.js';

export default async function bench(): Promise<BenchResult[]> {
  const server = await spawnBenchServer(fileURLToPath(new URL('./notification-server.mjs', import.meta.url)));
  try {
    const { rps, cpu } = await compareRoutes(
      server,
      { ours: '/diamondpay/notifications/deposit', baseline: '/bare' },
      depositNotifications(200_000),
    );
    const baselineName = 'bare Koa route, same reply';
    return [
      {
        figure: 'Koa notification route (verify + dedupe + ack), 50 connections',
        ...rps,
        baselineName,
        unit: 'req/s',
        target: 0.85,
      },
      {
        figure: 'Koa notification route, requests per server CPU-second',
        ...cpu,
        baselineName,
        unit: 'req/CPU-s',
      },
    ];
  } finally {
    await server.stop();
  }
}
