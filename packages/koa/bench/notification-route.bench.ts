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
    const hand = await compareRoutes(server, { ours: notify, baseline: '/hand' }, bodies);
    const { rps, cpu } = await compareRoutes(server, { ours: notify, baseline: '/bare' }, bodies);
    const read = await compareRoutes(server, { ours: notify, baseline: '/read' }, bodies, { rounds: 2 });
    const baselineName = 'bare Koa route, same reply';
    const handName = 'hand-written Koa middleware: read ctx.req, JSON.parse, sort, createHmac, Map';
    return [
      {
        figure: 'Koa notification route vs hand-written, requests per server CPU-second',
        ...hand.cpu,
        baselineName: handName,
        unit: 'req/CPU-s',
        target: 0.95,
      },
      {
        figure: 'Koa notification route vs hand-written, 50 connections',
        ...hand.rps,
        baselineName: handName,
        unit: 'req/s',
      },
      {
        figure: 'Koa notification route (verify + dedupe + ack), 50 connections',
        ...rps,
        baselineName,
        unit: 'req/s',
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
