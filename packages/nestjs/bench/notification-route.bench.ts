// The NestJS notification route (distinct signed notifications, a handler doing nothing, 50
// connections) on Express and on Fastify, beside a bare Nest route giving the same reply, and beside
// core's receiver called from a minimal @Res() route (what the module itself adds on top of core).
import { fileURLToPath } from 'node:url';
import {
  type BenchResult,
  compareRoutes,
  depositNotifications,
  spawnBenchServer,
} from '../../../bench/lib.js';

const SCRIPT = fileURLToPath(new URL('./notification-server.mjs', import.meta.url));
const NOTIFY = '/diamondpay/notifications/deposit';

async function measure(platform: 'express' | 'fastify', bodies: string[]): Promise<BenchResult[]> {
  const name = platform === 'express' ? 'Express' : 'Fastify';
  const server = await spawnBenchServer(SCRIPT, [platform]);
  try {
    const hand = await compareRoutes(server, { ours: NOTIFY, baseline: '/hand' }, bodies);
    const bare = await compareRoutes(server, { ours: NOTIFY, baseline: '/bare' }, bodies);
    const direct = await compareRoutes(server, { ours: NOTIFY, baseline: '/direct' }, bodies, { rounds: 2 });
    const handName = `hand-written Nest route on ${name}: req.rawBody, JSON.parse, sort, createHmac, Map`;
    return [
      {
        figure: `NestJS (${name}) notification route vs hand-written, requests per server CPU-second`,
        ...hand.cpu,
        baselineName: handName,
        unit: 'req/CPU-s',
        target: 0.95,
      },
      {
        figure: `NestJS (${name}) notification route vs hand-written, 50 connections`,
        ...hand.rps,
        baselineName: handName,
        unit: 'req/s',
      },
      {
        figure: `NestJS (${name}) notification route (verify + dedupe + ack), 50 connections`,
        ...bare.rps,
        baselineName: `bare Nest route on ${name}, same reply`,
        unit: 'req/s',
      },
      {
        figure: `NestJS (${name}) notification route, requests per server CPU-second`,
        ...bare.cpu,
        baselineName: `bare Nest route on ${name}, same reply`,
        unit: 'req/CPU-s',
      },
      {
        figure: `NestJS (${name}) module overhead, requests per server CPU-second`,
        ...direct.cpu,
        baselineName: `core receiver in a minimal @Res() route on ${name}`,
        unit: 'req/CPU-s',
      },
    ];
  } finally {
    await server.stop();
  }
}

export default async function bench(): Promise<BenchResult[]> {
  const bodies = depositNotifications(300_000);
  return [...(await measure('express', bodies)), ...(await measure('fastify', bodies))];
}
