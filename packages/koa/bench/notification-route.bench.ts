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
    const bodies = depositNotifications(300_000);
    const notify = '/diamondpay/notifications/deposit';
    const { rps, cpu } = await compareRoutes(server, { ours: notify, baseline: '/bare' }, bodies);
    const read = await compareRoutes(server, { ours: notify, baseline: '/read' }, bodies, { rounds: 2 });
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
      {
        figure: 'Koa notification route, requests per server CPU-second (vs a route that reads the body)',
        ...read.cpu,
        baselineName: 'Koa route reading the body, same reply',
        unit: 'req/CPU-s',
      },
    ];
  } finally {
    await server.stop();
  }
}
