// Duplicate tracking for notifications. A claim is a lease (processing timeout); completing turns it
// into a record kept for the retention time; releasing frees it so a retry can run the handler again.

export type ClaimResult = 'claimed' | 'processing' | 'done';

/**
 * Where the receiver records which notifications it has processed. Implement it on a shared store
 * (Redis: `@diamondpay/redis`) when several app instances receive notifications.
 * `token` identifies the claimer, so a late complete/release never touches someone else's claim.
 */
export interface NotificationStore {
  /** Atomically claims `key` for `leaseMs` milliseconds unless it is claimed or done. */
  claim(key: string, token: string, leaseMs: number): Promise<ClaimResult>;
  /** Marks `key` done for `retentionMs` milliseconds. */
  complete(key: string, token: string, retentionMs: number): Promise<void>;
  /** Frees a claim held under `token` (the handler failed; the gateway will retry). */
  release(key: string, token: string): Promise<void>;
}

export interface MemoryNotificationStoreOptions {
  /** Clock in milliseconds (tests). */
  now?: (() => number) | undefined;
}

/** In-process store: right for a single instance. State is lost on restart (the retention check still blocks old replays). */
export class MemoryNotificationStore implements NotificationStore {
  // Claims are few (in flight); done records are many (a day of notifications), so they are kept as
  // bare expiry numbers: no object, no token per record, less for the garbage collector to walk.
  private readonly claims = new Map<string, { token: string; expiresAt: number }>();
  private readonly done = new Map<string, number>();
  private readonly now: () => number;
  private opsSinceSweep = 0;
  private lastSweep = 0;

  constructor(options: MemoryNotificationStoreOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  /** Number of live records (claims and done). */
  get size(): number {
    return this.claims.size + this.done.size;
  }

  claim(key: string, token: string, leaseMs: number): Promise<ClaimResult> {
    return Promise.resolve(this.claimSync(key, token, leaseMs));
  }

  complete(key: string, token: string, retentionMs: number): Promise<void> {
    this.completeSync(key, token, retentionMs);
    return Promise.resolve();
  }

  release(key: string, token: string): Promise<void> {
    this.releaseSync(key, token);
    return Promise.resolve();
  }

  // The same three, synchronously: the receiver calls these directly for this store (no promise and
  // no microtask per step of a delivery).

  /** `claim`, synchronously. */
  claimSync(key: string, token: string, leaseMs: number): ClaimResult {
    const state = this.stateSync(key);
    if (state === 'claimed') this.claims.set(key, { token, expiresAt: this.now() + leaseMs });
    return state;
  }

  /**
   * What `claimSync` would answer, without claiming (`claimed`: the key is free). The receiver runs a
   * synchronous handler straight after this and completes, with nothing in between that could claim.
   */
  stateSync(key: string): ClaimResult {
    const now = this.now();
    this.maybeSweep(now);
    const doneUntil = this.done.get(key);
    if (doneUntil !== undefined) {
      if (doneUntil > now) return 'done';
      this.done.delete(key);
    }
    // Claims are rare (only handlers still running): skip the lookup when there are none.
    const claim = this.claims.size === 0 ? undefined : this.claims.get(key);
    return claim && claim.expiresAt > now ? 'processing' : 'claimed';
  }

  /** `complete`, synchronously. */
  completeSync(key: string, _token: string, retentionMs: number): void {
    this.claims.delete(key);
    this.done.set(key, this.now() + retentionMs);
  }

  /** `release`, synchronously. */
  releaseSync(key: string, token: string): void {
    if (this.claims.get(key)?.token === token) this.claims.delete(key);
  }

  // Expired records are dropped in one pass at most once a minute (and only after 1024 claims), so the
  // cost stays O(1) amortised per claim whatever the retention holds.
  private maybeSweep(now: number): void {
    if (++this.opsSinceSweep < 1024 || now - this.lastSweep < 60_000) return;
    this.opsSinceSweep = 0;
    this.lastSweep = now;
    for (const [key, expiresAt] of this.done) if (expiresAt <= now) this.done.delete(key);
    for (const [key, claim] of this.claims) if (claim.expiresAt <= now) this.claims.delete(key);
  }
}
