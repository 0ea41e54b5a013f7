// In-memory payout book: accepted payouts per merchant and their state, with the balance moves each
// step makes (freeze on acceptance, debit on success, unfreeze on failure or cancellation).
import type { SignType } from '@diamondpay/core';
import type { Balances } from './balances.js';
import { invalid, SandboxError } from './errors.js';

export interface SandboxPayout {
  platformId: string;
  /** Gateway payout id, `PO` + 8 digits. */
  payoutId: string;
  payoutClId: string;
  serviceId: string;
  /** Cents sent to the beneficiary. */
  amount: number;
  /** Cents charged on top of `amount` when paid out (see `payoutFeeFor`); 0 once failed or cancelled. */
  fee: number;
  /** 1 pending, 3 paid out, 4 cancelled, 5 failed. */
  status: number;
  /** Where the notification goes; none without one. */
  notifyUrl?: string;
  /** Bank code, as sent. */
  bankName: string;
  /** Beneficiary. */
  name: string;
  /** Account number. */
  number: string;
  phoneNumber?: string;
  currency: string;
  signType: SignType;
  /** Why it failed (status 4 or 5). */
  errorMsg?: string;
  /** Unix seconds. */
  createTime: number;
  /** Unix seconds. */
  updateTime: number;
  /** Unix seconds; 0 until paid out. */
  successTime: number;
}

/** Payout status codes the sandbox produces (protocol reference §4). */
export type PayoutFailStatus = 4 | 5;

/** The sandbox's payout fee: 0.5 % of the amount, rounded down, charged only when paid out (the gateway's fee is not published). */
export function payoutFeeFor(amount: number): number {
  return Math.floor((amount * 5) / 1000);
}

export interface NewPayout {
  serviceId: string;
  payoutClId: string;
  amount: number;
  notifyUrl?: string | undefined;
  bankName: string;
  name: string;
  number: string;
  phoneNumber?: string | undefined;
  currency: string;
  signType: SignType;
}

// Process-wide and randomly started, so two sandboxes in one test run never hand out the same
// payout_id (receivers de-duplicate on it).
let nextPayoutNumber = 10_000_000 + Math.floor(Math.random() * 80_000_000);

function takePayoutNumber(): number {
  const n = nextPayoutNumber;
  nextPayoutNumber = n >= 99_999_999 ? 10_000_000 : n + 1;
  return n;
}

const isFinal = (status: number) => status === 3 || status === 4 || status === 5;

export class PayoutBook {
  readonly #byPlatform = new Map<string, Map<string, SandboxPayout>>();
  readonly #all: SandboxPayout[] = [];
  readonly #balances: Balances;
  /** Payouts accepted. */
  created = 0;
  /** Create requests for a payout_cl_id that already has an accepted payout: each one a payout a client tried to send twice. */
  duplicatePayouts = 0;

  constructor(platformIds: readonly string[], balances: Balances) {
    for (const id of platformIds) this.#byPlatform.set(id, new Map());
    this.#balances = balances;
  }

  has(platformId: string, payoutClId: string): boolean {
    return this.#byPlatform.get(platformId)?.has(payoutClId) ?? false;
  }

  get(platformId: string, payoutClId: string): SandboxPayout | undefined {
    return this.#byPlatform.get(platformId)?.get(payoutClId);
  }

  /** Finds a payout by merchant id; without `platformId`, merchants are searched in configured order. */
  find(payoutClId: string, platformId?: string): SandboxPayout | undefined {
    if (platformId !== undefined) return this.get(platformId, payoutClId);
    for (const payouts of this.#byPlatform.values()) {
      const payout = payouts.get(payoutClId);
      if (payout) return payout;
    }
    return undefined;
  }

  all(): SandboxPayout[] {
    return [...this.#all];
  }

  /**
   * Accepts a payout (status 1) and freezes amount + fee; undefined (nothing recorded) when the
   * available balance is short. The caller has checked that `payoutClId` is new for this merchant.
   */
  accept(platformId: string, input: NewPayout, nowSeconds: number): SandboxPayout | undefined {
    const payouts = this.#byPlatform.get(platformId);
    if (!payouts) throw invalid(`unknown platform_id ${platformId}`);
    const fee = payoutFeeFor(input.amount);
    if (!this.#balances.freeze(platformId, input.amount + fee)) return undefined;
    const payout: SandboxPayout = {
      platformId,
      payoutId: `PO${takePayoutNumber()}`,
      payoutClId: input.payoutClId,
      serviceId: input.serviceId,
      amount: input.amount,
      fee,
      status: 1,
      bankName: input.bankName,
      name: input.name,
      number: input.number,
      currency: input.currency,
      signType: input.signType,
      createTime: nowSeconds,
      updateTime: nowSeconds,
      successTime: 0,
    };
    if (input.notifyUrl) payout.notifyUrl = input.notifyUrl;
    if (input.phoneNumber) payout.phoneNumber = input.phoneNumber;
    payouts.set(input.payoutClId, payout);
    this.#all.push(payout);
    this.created++;
    return payout;
  }

  /** Looks a payout up for complete/fail, refusing unknown and already-final payouts. */
  open(payoutClId: string, platformId?: string): SandboxPayout {
    const payout = this.find(payoutClId, platformId);
    if (!payout) {
      throw new SandboxError(
        'payout_not_found',
        `No payout with payout_cl_id ${JSON.stringify(payoutClId)}${platformId ? ` for ${platformId}` : ''}.`,
      );
    }
    if (isFinal(payout.status)) {
      throw new SandboxError(
        'payout_final',
        `Payout ${payout.payoutId} (${payout.payoutClId}) is already final with status ${payout.status}; a final payout cannot be completed or failed again.`,
      );
    }
    return payout;
  }

  /** Pays the payout out (status 3): amount + fee leave the account. */
  complete(payout: SandboxPayout, nowSeconds: number): void {
    this.#balances.debitFrozen(payout.platformId, payout.amount + payout.fee);
    payout.status = 3;
    payout.updateTime = nowSeconds;
    payout.successTime = nowSeconds;
  }

  /** Fails (5, default) or cancels (4) the payout: the frozen amount is available again, no fee is charged. */
  fail(payout: SandboxPayout, status: number | undefined, errorMsg: string | undefined, nowSeconds: number) {
    const final = status ?? 5;
    if (final !== 4 && final !== 5) throw invalid('status must be 4 (cancelled) or 5 (failed)');
    if (errorMsg !== undefined && (typeof errorMsg !== 'string' || errorMsg.length > 256))
      throw invalid('errorMsg must be a string of at most 256 characters');
    this.#balances.unfreeze(payout.platformId, payout.amount + payout.fee);
    payout.status = final;
    payout.fee = 0;
    payout.errorMsg = errorMsg || (final === 4 ? 'Payout cancelled' : 'Payout failed');
    payout.updateTime = nowSeconds;
  }
}
