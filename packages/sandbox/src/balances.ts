// Per-merchant balances in cents. `total` is every cent on the merchant's account, frozen ones
// included; `frozen` is what accepted, unfinished payouts hold; `available` = total − frozen is
// what a new payout may take. A paid deposit credits total; a payout freezes on acceptance, is
// debited (total and frozen) on success and unfrozen on failure or cancellation.
import { invalid } from './errors.js';

export interface SandboxBalance {
  platformId: string;
  /** Cents on the account, frozen ones included (the gateway's `total_balance`). */
  total: number;
  /** Cents held by accepted, unfinished payouts (the gateway's `total_frozen_balance`). */
  frozen: number;
  /** Cents a new payout may use: total − frozen. */
  available: number;
}

interface Account {
  total: number;
  frozen: number;
}

export class Balances {
  readonly #accounts = new Map<string, Account>();

  /** Opens one account per merchant with its opening balance in cents (default 0). */
  constructor(merchants: readonly { platformId: string; balance?: number | undefined }[]) {
    for (const m of merchants) this.#accounts.set(m.platformId, { total: m.balance ?? 0, frozen: 0 });
  }

  #account(platformId: string): Account {
    const account = this.#accounts.get(platformId);
    if (!account) throw invalid(`unknown platform_id ${platformId}`);
    return account;
  }

  /** A snapshot of one merchant's balance. */
  get(platformId: string): SandboxBalance {
    const { total, frozen } = this.#account(platformId);
    return { platformId, total, frozen, available: total - frozen };
  }

  /** Credits a paid deposit: `cents` = amount received − fee. */
  credit(platformId: string, cents: number): void {
    this.#account(platformId).total += cents;
  }

  /** Freezes `cents` for an accepted payout; false (nothing changed) when the available balance is short. */
  freeze(platformId: string, cents: number): boolean {
    const account = this.#account(platformId);
    if (account.total - account.frozen < cents) return false;
    account.frozen += cents;
    return true;
  }

  /** A frozen payout succeeded: the money leaves the account. */
  debitFrozen(platformId: string, cents: number): void {
    const account = this.#account(platformId);
    account.frozen -= cents;
    account.total -= cents;
  }

  /** A frozen payout failed or was cancelled: the money is available again. */
  unfreeze(platformId: string, cents: number): void {
    this.#account(platformId).frozen -= cents;
  }
}
