// The Ledger in process memory, for tests and single-process demos: the same locking and commit
// semantics as the PostgreSQL ledger (per-key and per-order locks held until the transaction ends;
// changes applied only on commit), but nothing survives a restart and no SQL runs.
import {
  LEDGER_INBOX,
  type Ledger,
  type LedgerCreateIntent,
  type LedgerCreateResult,
  type LedgerInboxEntry,
  type LedgerOrder,
  type LedgerOrderRef,
  type LedgerOrderUpdate,
  type LedgerTransaction,
  type LedgerUnitOfWork,
  type SyncLedgerUnit,
} from './ledger.js';
import { createLedgerInbox } from './ledger-inbox.js';
import { flatCopy } from './notification-key.js';

/** The merchant's statement runner for `tx.query` (see `MemoryLedgerOptions.query`). */
export type MemoryLedgerQuery = (
  text: string,
  params?: readonly unknown[],
) => Promise<{ rows: Record<string, unknown>[]; rowCount: number }>;

export interface MemoryLedgerOptions {
  /**
   * What `tx.query` runs. By default it throws: the memory ledger runs no SQL. A function given here
   * is called as it is, outside any transaction: its effects are NOT rolled back with the ledger's.
   */
  query?: MemoryLedgerQuery | undefined;
}

/**
 * Per-key FIFO locks. An uncontended key is taken synchronously (`tryAcquire`, no promise: the
 * common case costs a map entry); a held one queues its waiters and hands over on release.
 */
class KeyedLocks {
  // A held key maps to its waiters (null until the first one queues: the common case allocates nothing).
  private readonly waiters = new Map<string, (() => void)[] | null>();

  held(key: string): boolean {
    return this.waiters.has(key);
  }

  /** Takes a free key at once (true), or false when it is held. Release it with `release`. */
  take(key: string): boolean {
    if (this.waiters.has(key)) return false;
    this.waiters.set(key, null);
    return true;
  }

  /** Takes a free key at once and returns its release, or undefined when it is held. */
  tryAcquire(key: string): (() => void) | undefined {
    return this.take(key) ? this.releaser(key) : undefined;
  }

  async acquire(key: string): Promise<() => void> {
    if (this.take(key)) return this.releaser(key);
    let queue = this.waiters.get(key);
    if (!queue) {
      queue = [];
      this.waiters.set(key, queue);
    }
    await new Promise<void>((resolve) => queue.push(resolve));
    return this.releaser(key);
  }

  /** Hands a held key to its next waiter, or frees it. */
  release(key: string): void {
    const next = this.waiters.get(key)?.shift();
    if (next) next();
    else this.waiters.delete(key);
  }

  private releaser(key: string): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.release(key);
    };
  }
}

// Flat: a map key built by concatenation keeps its parts, and an id parsed from a notification is
// a slice of the raw body (it would keep every body alive).
function orderKey(ref: LedgerOrderRef): string {
  return flatCopy(`${ref.kind}\u0000${ref.platform_id}\u0000${ref.cl_id}`);
}

function copyOrder(order: LedgerOrder): LedgerOrder {
  return { ...order };
}

// The text fields of a row that may be cut out of a raw body (a notification, a gateway answer).
const BODY_TEXT = ['platform_id', 'cl_id', 'gateway_id', 'link', 'error_code', 'error_msg'] as const;

/**
 * The row to keep, with every text field that changed since `before` copied into its own memory:
 * ids parsed from a notification are slices of its raw body, and keeping them would keep every
 * body alive (1,000 notifications of 30 KiB: 30 MiB).
 */
function ownStrings(row: LedgerOrder, before: LedgerOrder | undefined): LedgerOrder {
  for (const field of BODY_TEXT) {
    const value = row[field];
    if (typeof value === 'string' && value !== before?.[field]) row[field] = flatCopy(value);
  }
  return row;
}

/**
 * The inbox row to keep, its ids in their own memory (see `ownStrings`): the kept order's own copies
 * where they are the same text (one copy of each id per notification, not two).
 */
function ownEntry(entry: LedgerInboxEntry, order?: LedgerOrder): LedgerInboxEntry {
  const own = (value: string, kept: string | null | undefined) => (kept === value ? kept : flatCopy(value));
  return {
    ...entry,
    gateway_id: own(entry.gateway_id, order?.gateway_id),
    order: {
      kind: entry.order.kind,
      platform_id: own(entry.order.platform_id, order?.platform_id),
      cl_id: own(entry.order.cl_id, order?.cl_id),
    },
  };
}

/** The row `lockOrder` creates for an order the ledger has never seen (see `LedgerUnitOfWork`). */
function externalOrder(ref: LedgerOrderRef, gateway_id: string, now: number): LedgerOrder {
  return {
    kind: ref.kind,
    platform_id: ref.platform_id,
    cl_id: ref.cl_id,
    create_state: 'external',
    gateway_id,
    amount: null,
    service_id: null,
    notify_url: null,
    intent: null,
    link: null,
    error_code: null,
    error_msg: null,
    status: null,
    final: false,
    real_amount: null,
    fee: null,
    created_at: now,
    updated_at: now,
    next_check_at: null,
    checks: 0,
  };
}

function noSql(): never {
  throw new Error(
    'MemoryLedger runs no SQL: tx.query is unavailable. Use a PostgreSQL ledger (@diamondpay/postgres, PGlite for tests) or pass `query` to new MemoryLedger().',
  );
}

/**
 * An in-process Ledger (tests, demos, one instance). Every transaction holds per-key and per-order
 * locks until it ends and applies its changes only on commit; everything is lost on restart.
 */
export class MemoryLedger implements Ledger {
  // Set in the constructor: a class field with a computed key would make bundlers keep the class
  // (and the ledger path with it) in every bundle of core, used or not.
  declare readonly [LEDGER_INBOX]: typeof createLedgerInbox;
  private readonly inbox = new Map<string, LedgerInboxEntry>();
  private readonly orders = new Map<string, LedgerOrder>();
  private readonly inboxLocks = new KeyedLocks();
  private readonly orderLocks = new KeyedLocks();
  private readonly tx: LedgerTransaction;

  constructor(options: MemoryLedgerOptions = {}) {
    (this as { [LEDGER_INBOX]: typeof createLedgerInbox })[LEDGER_INBOX] = createLedgerInbox;
    const query = options.query;
    this.tx = {
      query: query
        ? <Row extends Record<string, unknown>>(text: string, params?: readonly unknown[]) =>
            query(text, params) as Promise<{ rows: Row[]; rowCount: number }>
        : async () => noSql(),
    };
  }

  /** Number of inbox rows and orders recorded (tests). */
  get size(): { inbox: number; orders: number } {
    return { inbox: this.inbox.size, orders: this.orders.size };
  }

  async transaction<T>(work: (unit: LedgerUnitOfWork) => Promise<T>): Promise<T> {
    const unit = new MemoryUnit(this.tx, this.inbox, this.orders, this.inboxLocks, this.orderLocks);
    try {
      const result = await work(unit);
      unit.commit();
      return result;
    } finally {
      unit.end();
    }
  }

  beginUncontended(key: string, ref: LedgerOrderRef): SyncLedgerUnit | undefined {
    // A subclass that wraps `transaction` (fault injection, logging) keeps every notification on it.
    if (this.transaction !== MemoryLedger.prototype.transaction) return undefined;
    if (!this.inboxLocks.take(key)) return undefined;
    const order = orderKey(ref);
    if (!this.orderLocks.take(order)) {
      this.inboxLocks.release(key);
      return undefined;
    }
    return new UncontendedUnit(
      this.tx,
      this.inbox,
      this.orders,
      this.inboxLocks,
      this.orderLocks,
      key,
      ref,
      order,
    );
  }

  async beginCreate(
    intent: LedgerCreateIntent,
  ): Promise<{ inserted: true } | { inserted: false; order: LedgerOrder }> {
    const key = orderKey(intent);
    const release = await this.orderLocks.acquire(key);
    try {
      const existing = this.orders.get(key);
      if (existing) return { inserted: false, order: copyOrder(existing) };
      this.orders.set(key, {
        kind: intent.kind,
        platform_id: intent.platform_id,
        cl_id: intent.cl_id,
        create_state: 'sending',
        gateway_id: null,
        amount: intent.amount,
        service_id: intent.service_id,
        notify_url: intent.notify_url,
        intent: intent.intent ? { ...intent.intent } : null,
        link: null,
        error_code: null,
        error_msg: null,
        status: null,
        final: false,
        real_amount: null,
        fee: null,
        created_at: intent.now,
        updated_at: intent.now,
        next_check_at: intent.next_check_at,
        checks: 0,
      });
      return { inserted: true };
    } finally {
      release();
    }
  }

  async finishCreate(ref: LedgerOrderRef, result: LedgerCreateResult, now: number): Promise<void> {
    const key = orderKey(ref);
    const release = await this.orderLocks.acquire(key);
    try {
      const order = this.orders.get(key);
      if (!order || (order.create_state !== 'sending' && order.create_state !== 'unknown')) return;
      if (result.state === 'not_sent') {
        if (order.create_state === 'sending' && order.status === null) this.orders.delete(key);
        return;
      }
      const next = { ...order, create_state: result.state, updated_at: now };
      if (result.state === 'created') {
        next.gateway_id = result.gateway_id;
        next.link = result.link ?? null;
      } else if (result.state === 'refused') {
        next.error_code = result.error_code;
        next.error_msg = result.error_msg;
      }
      this.orders.set(key, ownStrings(next, order));
    } finally {
      release();
    }
  }

  async getOrder(ref: LedgerOrderRef): Promise<LedgerOrder | undefined> {
    const order = this.orders.get(orderKey(ref));
    return order ? copyOrder(order) : undefined;
  }

  async getInboxEntry(key: string): Promise<LedgerInboxEntry | undefined> {
    const entry = this.inbox.get(key);
    return entry ? { ...entry, order: { ...entry.order } } : undefined;
  }

  async pruneInbox(before: number): Promise<number> {
    if (!Number.isSafeInteger(before)) throw new RangeError(`pruneInbox: ${before} is not a time in ms`);
    let pruned = 0;
    for (const [key, entry] of this.inbox) {
      // A key held by a running transaction is being read or rewritten there: left for next time.
      if (entry.received_at >= before || entry.effect === 'discrepancy' || this.inboxLocks.held(key))
        continue;
      this.inbox.delete(key);
      pruned++;
    }
    return pruned;
  }

  async claimDueChecks(now: number, limit: number, leaseMs: number): Promise<LedgerOrder[]> {
    const due: [string, LedgerOrder][] = [];
    for (const [key, order] of this.orders) {
      if (order.next_check_at === null || order.next_check_at > now) continue;
      if (order.final || order.create_state === 'refused') continue;
      if (this.orderLocks.held(key)) continue; // SKIP LOCKED
      due.push([key, order]);
    }
    due.sort((a, b) => (a[1].next_check_at as number) - (b[1].next_check_at as number));
    const claimed: LedgerOrder[] = [];
    // Synchronous from the filter to here: no other claim can interleave.
    for (const [key, order] of due.slice(0, Math.max(0, limit))) {
      const next = { ...order, next_check_at: now + leaseMs };
      this.orders.set(key, next);
      claimed.push(copyOrder(order));
    }
    return claimed;
  }

  async scheduleCheck(
    ref: LedgerOrderRef,
    next_check_at: number | null,
    checks: number,
    now: number,
  ): Promise<void> {
    const key = orderKey(ref);
    const release = await this.orderLocks.acquire(key);
    try {
      const order = this.orders.get(key);
      if (order) this.orders.set(key, { ...order, next_check_at, checks, updated_at: now });
    } finally {
      release();
    }
  }
}

/** One transaction: its locks, and its writes kept aside until commit. */
class MemoryUnit implements LedgerUnitOfWork {
  private readonly releases: (() => void)[] = [];
  // Orders this transaction holds (or is waiting for), so a second lock of one order never self-deadlocks.
  private readonly lockedOrders = new Map<string, Promise<void> | undefined>();
  private readonly pendingInbox = new Map<string, LedgerInboxEntry>();
  private readonly pendingOrders = new Map<string, LedgerOrder>();
  private ended = false;

  constructor(
    readonly tx: LedgerTransaction,
    private readonly inbox: Map<string, LedgerInboxEntry>,
    private readonly orders: Map<string, LedgerOrder>,
    private readonly inboxLocks: KeyedLocks,
    private readonly orderLocks: KeyedLocks,
  ) {}

  async recordInbox(entry: LedgerInboxEntry): Promise<boolean> {
    this.assertOpen();
    if (this.pendingInbox.has(entry.key)) return false;
    if (this.inbox.has(entry.key)) return false;
    const release = this.inboxLocks.tryAcquire(entry.key) ?? (await this.inboxLocks.acquire(entry.key));
    this.releases.push(release);
    // Whoever held the key has committed or rolled back by now.
    return this.recordHeldInbox(entry);
  }

  async setInboxEffect(key: string, effect: 'applied' | 'stale' | 'discrepancy'): Promise<void> {
    this.setEffectNow(key, effect);
  }

  async lockOrder(ref: LedgerOrderRef, gateway_id: string, now: number): Promise<LedgerOrder> {
    this.assertOpen();
    return this.heldOrder(await this.lock(ref), ref, gateway_id, now);
  }

  async updateOrder(ref: LedgerOrderRef, update: LedgerOrderUpdate): Promise<void> {
    this.assertOpen();
    this.updateHeldOrder(await this.lock(ref), update);
  }

  // The steps, once the unit holds the lock they need.
  private recordHeldInbox(entry: LedgerInboxEntry): boolean {
    if (this.pendingInbox.has(entry.key) || this.inbox.has(entry.key)) return false;
    this.pendingInbox.set(entry.key, { ...entry, order: { ...entry.order } });
    return true;
  }

  private setEffectNow(key: string, effect: 'applied' | 'stale' | 'discrepancy'): void {
    this.assertOpen();
    const pending = this.pendingInbox.get(key);
    if (pending) {
      pending.effect = effect;
      return;
    }
    const committed = this.inbox.get(key);
    if (committed) this.pendingInbox.set(key, { ...committed, effect });
  }

  private heldOrder(key: string, ref: LedgerOrderRef, gateway_id: string, now: number): LedgerOrder {
    const current = this.pendingOrders.get(key) ?? this.orders.get(key);
    if (current) return copyOrder(current);
    const created = externalOrder(ref, gateway_id, now);
    this.pendingOrders.set(key, created);
    return copyOrder(created);
  }

  private updateHeldOrder(key: string, update: LedgerOrderUpdate): void {
    const current = this.pendingOrders.get(key) ?? this.orders.get(key);
    if (!current) return; // UPDATE of a missing row: nothing
    this.pendingOrders.set(key, { ...current, ...update });
  }

  commit(): void {
    for (const [key, entry] of this.pendingInbox) {
      this.inbox.set(key, entry === this.inbox.get(key) ? entry : ownEntry(entry));
    }
    for (const [key, order] of this.pendingOrders)
      this.orders.set(key, ownStrings(order, this.orders.get(key)));
  }

  end(): void {
    this.ended = true;
    for (const release of this.releases) release();
    this.releases.length = 0;
  }

  private async lock(ref: LedgerOrderRef): Promise<string> {
    const key = orderKey(ref);
    if (this.lockedOrders.has(key)) {
      await this.lockedOrders.get(key);
      return key;
    }
    const release = this.orderLocks.tryAcquire(key);
    if (release) {
      this.releases.push(release);
      this.lockedOrders.set(key, undefined);
      return key;
    }
    const waiting = this.orderLocks.acquire(key).then((r) => {
      this.releases.push(r);
    });
    this.lockedOrders.set(key, waiting);
    await waiting;
    return key;
  }

  private assertOpen(): void {
    if (this.ended) throw new Error('This ledger transaction has ended: use the unit only inside its work.');
  }
}

/**
 * A transaction on one notification key and one order whose locks were free and are now held
 * (`beginUncontended`): the same semantics as `MemoryUnit` for that key and order, kept in two
 * fields instead of maps, because it is the per-notification path of every test and demo.
 */
class UncontendedUnit implements SyncLedgerUnit {
  private entry: LedgerInboxEntry | undefined;
  private order: LedgerOrder | undefined;
  private ended = false;

  constructor(
    readonly tx: LedgerTransaction,
    private readonly inbox: Map<string, LedgerInboxEntry>,
    private readonly orders: Map<string, LedgerOrder>,
    private readonly inboxLocks: KeyedLocks,
    private readonly orderLocks: KeyedLocks,
    private readonly key: string,
    private readonly ref: LedgerOrderRef,
    private readonly orderKey: string,
  ) {}

  recordInbox(entry: LedgerInboxEntry): boolean {
    this.check(entry.key === this.key, 'notification key');
    if (this.entry || this.inbox.has(entry.key)) return false;
    this.entry = entry; // copied at commit
    return true;
  }

  setInboxEffect(key: string, effect: 'applied' | 'stale' | 'discrepancy'): void {
    this.check(key === this.key, 'notification key');
    if (this.entry) this.entry.effect = effect;
    else {
      const committed = this.inbox.get(key);
      if (committed) this.entry = { ...committed, effect };
    }
  }

  lockOrder(ref: LedgerOrderRef, gateway_id: string, now: number): LedgerOrder {
    this.check(this.isOrder(ref), 'order');
    if (this.order) return copyOrder(this.order);
    const committed = this.orders.get(this.orderKey);
    if (committed) {
      this.order = committed;
      return copyOrder(committed);
    }
    // A new row is this unit's alone, and `updateOrder` replaces it rather than changing it: the
    // caller may have it as it is (one 20-field copy less per notification of an order made elsewhere).
    this.order = externalOrder(ref, gateway_id, now);
    return this.order;
  }

  updateOrder(ref: LedgerOrderRef, update: LedgerOrderUpdate): void {
    this.check(this.isOrder(ref), 'order');
    const current = this.order ?? this.orders.get(this.orderKey);
    if (current) this.order = { ...current, ...update };
  }

  commit(): void {
    this.check(true, '');
    const order = this.order && ownStrings(this.order, this.orders.get(this.orderKey));
    if (order) this.orders.set(this.orderKey, order);
    if (this.entry) this.inbox.set(this.key, ownEntry(this.entry, order));
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.inboxLocks.release(this.key);
    this.orderLocks.release(this.orderKey);
  }

  private isOrder(ref: LedgerOrderRef): boolean {
    const own = this.ref;
    return ref.cl_id === own.cl_id && ref.platform_id === own.platform_id && ref.kind === own.kind;
  }

  private check(same: boolean, what: string): void {
    if (this.ended) throw new Error('This ledger transaction has ended: use the unit only inside its work.');
    if (!same) throw new Error(`MemoryLedger: this transaction was begun for another ${what}`);
  }
}
