// The Ledger contract: where the SDK keeps what must survive a crash, in the merchant's own database.
// - the inbox: one row per notification key, written in the same transaction as the merchant's own
//   writes, so "handler committed" and "notification recorded" can never come apart;
// - the orders: one row per deposit/payout with its create intent (the outbox) and its last gateway
//   status, so state only moves forward and the reconciler knows what is still open.
// The decisions (which transition is forward, what is a discrepancy) live in core, once; a Ledger
// implementation only stores, locks and schedules. `@diamondpay/postgres` implements it on pg and
// PGlite; `MemoryLedger` implements it in process for tests.
import type { createLedgerInbox } from './ledger-inbox.js';

/**
 * Where a Ledger carries core's ledger path for the receiver: set it to `createLedgerInbox`. The path
 * (inbox, order states, discrepancies) comes with the ledger rather than with the receiver, so a
 * receiver made without a ledger (a Workers bundle, most apps) does not carry its code.
 */
export const LEDGER_INBOX: unique symbol = Symbol.for('@diamondpay/core:ledger-inbox');

/** The merchant's handle on the ledger's transaction: SQL run here commits or rolls back with the record. */
export interface LedgerTransaction {
  /** Runs one statement with `$1`-style parameters inside the transaction. */
  query<Row extends Record<string, unknown> = Record<string, unknown>>(
    text: string,
    params?: readonly unknown[],
  ): Promise<{ rows: Row[]; rowCount: number }>;
}

export type LedgerOrderKind = 'deposit' | 'payout';

/** Identifies one order: its kind, the merchant and the merchant's order id (`payment_cl_id` / `payout_cl_id`). */
export interface LedgerOrderRef {
  kind: LedgerOrderKind;
  platform_id: string;
  /** `payment_cl_id` for deposits, `payout_cl_id` for payouts. */
  cl_id: string;
}

/**
 * Where the create request stands. `sending`: recorded before the request, outcome not yet known (a
 * process that died mid-request leaves this); `created`: the gateway accepted it; `refused`: the
 * gateway answered with an error code (nothing was created); `unknown`: sent, outcome unknown (resolve
 * by query, never by resending); `external`: the ledger first heard of the order from a notification or
 * a query (it was created elsewhere).
 */
export type LedgerCreateState = 'sending' | 'created' | 'refused' | 'unknown' | 'external';

/** What the ledger keeps of one order. Amounts in cents, times in Unix milliseconds. */
export interface LedgerOrder extends LedgerOrderRef {
  create_state: LedgerCreateState;
  /** The gateway's id (`payment_id` / `payout_id`), once known. */
  gateway_id: string | null;
  /** The create intent's amount in cents (null for an `external` order). */
  amount: number | null;
  service_id: string | null;
  notify_url: string | null;
  /** The intent's other signed fields as sent (payouts: bank_name, name, number, phone_number, currency). */
  intent: Readonly<Record<string, string | number>> | null;
  /** Cashier link from the create answer (deposits). */
  link: string | null;
  /** The gateway's `error_code`/`error_msg` of a refused create. */
  error_code: string | null;
  error_msg: string | null;
  /** Last gateway status applied (null: none yet). */
  status: number | null;
  /** True once `status` is final (paid or final-not-paid; paid out or failed): it never changes again. */
  final: boolean;
  /** Cents actually received (deposits) as last applied. */
  real_amount: number | null;
  fee: number | null;
  created_at: number;
  updated_at: number;
  /** When the reconciler should next query this order (null: never, e.g. final or refused). */
  next_check_at: number | null;
  /** How many reconciliation queries were made. */
  checks: number;
}

/** The create intent, recorded before the request is sent. */
export interface LedgerCreateIntent extends LedgerOrderRef {
  amount: number;
  service_id: string;
  notify_url: string | null;
  intent: Readonly<Record<string, string | number>> | null;
  /** Unix milliseconds. */
  now: number;
  /** First reconciliation check, Unix milliseconds. */
  next_check_at: number;
}

/** What became of a create request. */
export type LedgerCreateResult =
  | { state: 'created'; gateway_id: string; link?: string | null }
  | { state: 'refused'; error_code: string | null; error_msg: string | null }
  | { state: 'unknown' }
  /**
   * Nothing reached the gateway on any attempt (the SDK is sure of it): the intent is removed, so
   * the merchant can create the order again under the same id. Removes only an order still `sending`
   * with no status.
   */
  | { state: 'not_sent' };

/** One notification (or reconciliation result) as recorded in the inbox. */
export interface LedgerInboxEntry {
  /** The dedupe key, `notificationKey()`: kind, platform, gateway order id, status. */
  key: string;
  order: LedgerOrderRef;
  gateway_id: string;
  status: number;
  /** `notification` when the gateway delivered it, `reconciliation` when a query found it. */
  source: 'notification' | 'reconciliation';
  /** What the SDK did with it: `applied` (handler ran), `stale` (recorded only), `discrepancy`. */
  effect?: 'applied' | 'stale' | 'discrepancy' | undefined;
  /** Unix milliseconds. */
  received_at: number;
}

/** The order fields a transition writes. */
export type LedgerOrderUpdate = Partial<
  Pick<
    LedgerOrder,
    'gateway_id' | 'status' | 'final' | 'real_amount' | 'fee' | 'next_check_at' | 'checks' | 'create_state'
  >
> & { updated_at: number };

/** The ledger's own operations inside one transaction, beside the merchant's `query`. */
export interface LedgerUnitOfWork {
  /** The merchant's handle on this transaction. */
  readonly tx: LedgerTransaction;
  /**
   * Inserts the inbox row. Resolves false when `entry.key` is already recorded (a duplicate). A
   * concurrent transaction holding the same key makes this wait until it commits (then false) or
   * rolls back (then true): copies on any number of instances never both get true.
   */
  recordInbox(entry: LedgerInboxEntry): Promise<boolean>;
  /** Sets the inbox row's `effect` once the decision is made. */
  setInboxEffect(key: string, effect: 'applied' | 'stale' | 'discrepancy'): Promise<void>;
  /**
   * Locks the order row for this transaction, creating it as `external` (with `gateway_id`) when the
   * ledger has never seen it, and returns it. Concurrent transactions on one order are serialised here.
   * A new `external` row has every intent, create-answer and status field null, `final` false,
   * `checks` 0, `next_check_at` null and `created_at = updated_at = now`. An existing row is returned
   * as it is (its `gateway_id` is not changed here: `updateOrder` does that).
   */
  lockOrder(ref: LedgerOrderRef, gateway_id: string, now: number): Promise<LedgerOrder>;
  /** Writes the order fields of a transition. */
  updateOrder(ref: LedgerOrderRef, update: LedgerOrderUpdate): Promise<void>;
}

/**
 * A transaction whose steps return at once, for a ledger in process memory: the same steps as
 * `LedgerUnitOfWork`, without promises, plus the end of the transaction in the caller's hands.
 * Its inbox key and order are locked already, so no step ever waits.
 */
export interface SyncLedgerUnit {
  readonly tx: LedgerTransaction;
  /**
   * False when `entry.key` is already recorded (a duplicate). `entry.key` must be the key it was
   * begun with. The unit may keep `entry` itself: do not change it afterwards.
   */
  recordInbox(entry: LedgerInboxEntry): boolean;
  setInboxEffect(key: string, effect: 'applied' | 'stale' | 'discrepancy'): void;
  /** As `LedgerUnitOfWork.lockOrder`, for the order it was begun with. */
  lockOrder(ref: LedgerOrderRef, gateway_id: string, now: number): LedgerOrder;
  updateOrder(ref: LedgerOrderRef, update: LedgerOrderUpdate): void;
  /** Makes every change visible; call `end` after it. */
  commit(): void;
  /** Releases the locks; without `commit` first, nothing the unit did remains (a rollback). */
  end(): void;
}

/** A durable store for the inbox, the order states and the create outbox. Every method is atomic. */
export interface Ledger {
  /** Core's ledger path, which the receiver runs on this ledger: `readonly [LEDGER_INBOX] = createLedgerInbox`. */
  readonly [LEDGER_INBOX]: typeof createLedgerInbox;
  /**
   * Runs `work` in one transaction and commits when it resolves; rolls back everything (the inbox
   * row, order updates and the merchant's own SQL) when it throws, then rethrows.
   */
  transaction<T>(work: (unit: LedgerUnitOfWork) => Promise<T>): Promise<T>;
  /**
   * Optional, for ledgers in process memory: begins a transaction on one notification key and one
   * order at once when nothing else holds either, so an uncontended notification is handled without
   * waiting on a promise; undefined when either is held (then `transaction` is used). A database
   * ledger leaves it out.
   */
  beginUncontended?(key: string, ref: LedgerOrderRef): SyncLedgerUnit | undefined;

  /**
   * Records a create intent (state `sending`) unless the order exists. Resolves `{ inserted: true }`
   * for a new order, or `{ inserted: false, order }` with what is already recorded: the caller must
   * then not send again blindly.
   */
  beginCreate(
    intent: LedgerCreateIntent,
  ): Promise<{ inserted: true } | { inserted: false; order: LedgerOrder }>;
  /**
   * Records what became of the create request: `create_state`, plus `gateway_id` and `link` (created)
   * or `error_code` and `error_msg` (refused). Applies only to an order in `sending` or `unknown`
   * (a late `unknown` never undoes a `created` the reconciler found), and never touches `status`,
   * `final` or the amounts (a notification may have been applied first). `not_sent` deletes the row
   * instead (only while it is `sending` with `status` null).
   */
  finishCreate(ref: LedgerOrderRef, result: LedgerCreateResult, now: number): Promise<void>;

  /** The order as recorded, or undefined. */
  getOrder(ref: LedgerOrderRef): Promise<LedgerOrder | undefined>;
  /** The committed inbox row for `key` (with its `effect` once set), or undefined. */
  getInboxEntry(key: string): Promise<LedgerInboxEntry | undefined>;
  /**
   * Optional: deletes the committed inbox rows received before `before` (Unix milliseconds), except
   * those with effect `discrepancy`, and resolves how many went. The inbox grows by one row per
   * notification; run this from a daily job to keep it bounded. Safe at any age for exactly-once:
   * a copy of a pruned notification meets the order's recorded state, which never moves back (a
   * final status stays final, a waiting one is not behind itself), so its handler does not run
   * again; discrepancy rows stay so a contradicting status sent again never reaches
   * `onDiscrepancy` twice. What goes is the audit trail: keep what your books need (90 days, say).
   */
  pruneInbox?(before: number): Promise<number>;

  /**
   * Takes up to `limit` open orders (not final, not refused) whose `next_check_at` is due, and pushes
   * their `next_check_at` to `now + leaseMs` in the same statement, so that concurrent reconcilers
   * (any instance) never take the same order at once (`FOR UPDATE SKIP LOCKED` on PostgreSQL).
   * Orders with `next_check_at` null are never taken. The most overdue come first (`next_check_at`
   * ascending). An order locked by a running transaction is skipped, not waited for.
   */
  claimDueChecks(now: number, limit: number, leaseMs: number): Promise<LedgerOrder[]>;
  /** Records one reconciliation check: when to check next (null: stop) and the check count. */
  scheduleCheck(
    ref: LedgerOrderRef,
    next_check_at: number | null,
    checks: number,
    now: number,
  ): Promise<void>;
}
