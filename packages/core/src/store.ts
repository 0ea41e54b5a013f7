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

interface Entry {
  done: boolean;
  token: string;
  expiresAt: number;
}

export interface MemoryNotificationStoreOptions {
  /** Clock in milliseconds (tests). */
  now?: () => number;
}

/** In-process store: right for a single instance. State is lost on restart (the retention check still blocks old replays). */
export class MemoryNotificationStore implements NotificationStore {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  private opsSinceSweep = 0;
  private lastSweep = 0;

  constructor(options: MemoryNotificationStoreOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  /** Number of live records (claims and done). */
  get size(): number {
    return this.entries.size;
  }

  async claim(key: string, token: string, leaseMs: number): Promise<ClaimResult> {
    const now = this.now();
    this.maybeSweep(now);
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt > now) return entry.done ? 'done' : 'processing';
    this.entries.set(key, { done: false, token, expiresAt: now + leaseMs });
    return 'claimed';
  }

  async complete(key: string, token: string, retentionMs: number): Promise<void> {
    this.entries.set(key, { done: true, token, expiresAt: this.now() + retentionMs });
  }

  async release(key: string, token: string): Promise<void> {
    const entry = this.entries.get(key);
    if (entry && !entry.done && entry.token === token) this.entries.delete(key);
  }

  // Expired records are dropped in one pass at most once a minute (and only after 1024 claims), so the
  // cost stays O(1) amortised per claim whatever the retention holds.
  private maybeSweep(now: number): void {
    if (++this.opsSinceSweep < 1024 || now - this.lastSweep < 60_000) return;
    this.opsSinceSweep = 0;
    this.lastSweep = now;
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }
}
