// What serves this shop, shown as a badge on every page: the framework, what de-duplicates its
// notifications and the database its orders live in.
import { MemoryOrderRepository, type OrderRepository } from './orders.js';

export interface ShopBadge {
  /** e.g. "Hono", "Koa", "NestJS". */
  framework: string;
  /** What remembers processed notifications: "ledger inbox", "Redis" or "memory". */
  duplicateStore: string;
  /** Where the orders live, e.g. "PostgreSQL (PGlite)", "PostgreSQL" or "memory". */
  database: string;
}

/** The parts of a demo's storage (see `openShopStorage`) the badge reads. */
export interface BadgeStorage {
  ledger?: unknown;
  store?: unknown;
  database?: { kind: 'postgres' | 'pglite' } | undefined;
}

/** A repository may name its database with a `label`; the memory one is "memory". */
export function databaseLabel(orders: OrderRepository): string {
  const label = (orders as { label?: unknown }).label;
  if (typeof label === 'string' && label !== '') return label;
  return orders instanceof MemoryOrderRepository ? 'memory' : orders.constructor.name;
}

/** The badge of a demo on `storage` (ledger, Redis store or neither) with `orders` as its orders. */
export function shopBadge(framework: string, storage: BadgeStorage, orders: OrderRepository): ShopBadge {
  const duplicateStore = storage.ledger ? 'ledger inbox' : storage.store ? 'Redis' : 'memory';
  const database = storage.database
    ? storage.database.kind === 'pglite'
      ? 'PostgreSQL (PGlite)'
      : 'PostgreSQL'
    : databaseLabel(orders);
  return { framework, duplicateStore, database };
}
