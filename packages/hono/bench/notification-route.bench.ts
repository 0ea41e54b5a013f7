// The Hono notification route (distinct signed notifications → verify → dedupe → ack) beside a bare
// Hono route giving the same reply, on the same @hono/node-server server.
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
    const hand = await compareRoutes(server, { ours: '/notify', baseline: '/hand' }, bodies);
    const { rps, cpu } = await compareRoutes(server, { ours: '/notify', baseline: '/bare' }, bodies);
    const read = await compareRoutes(server, { ours: '/notify', baseline: '/read' }, bodies, { rounds: 2 });
    const { storeSize, rssBytes } = await server.stats();
    console.error(
      `hono: duplicate store holds ${storeSize} records, server RSS ${(rssBytes! / 1e6).toFixed(0)} MB`,
    );
    const baselineName = 'bare Hono route, same reply';
    const handName = 'hand-written Hono route: c.req.text, JSON.parse, sort, createHmac, Map';
    return [
      {
        figure: 'Hono notification route vs hand-written, requests per server CPU-second',
        ...hand.cpu,
        baselineName: handName,
        unit: 'req/CPU-s',
        target: 0.95,
      },
      {
        figure: 'Hono notification route vs hand-written, 50 connections',
        ...hand.rps,
        baselineName: handName,
        unit: 'req/s',
      },
      {
        figure: 'Hono notification route (verify + dedupe + ack), 50 connections',
        ...rps,
        baselineName,
        unit: 'req/s',
      },
      {
        figure: 'Hono notification route, requests per server CPU-second',
        ...cpu,
        baselineName,
        unit: 'req/CPU-s',
      },
      {
        figure: 'Hono notification route, requests per server CPU-second (vs a route that reads the body)',
        ...read.cpu,
        baselineName: 'Hono route reading the body, same reply',
        unit: 'req/CPU-s',
      },
    ];
  } finally {
    await server.stop();
  }
}
