// The shop's refunds: an underpaid or cancelled order's received amount sent back to a bank account
// as a Diamond Pay payout. One refund per order and attempt, under a payout_cl_id derived from both
// (`${orderId}-R${attempt}`), so a repeated request can only find the refund it already made. A
// refund's state only moves forward (REFUND_TRANSITIONS); the storage enforces it in one statement.

export type RefundState = 'requested' | 'unknown' | 'accepted' | 'refused' | 'paid_out' | 'failed';

/** Final states: nothing changes them any more. */
export const FINAL_REFUND_STATES: readonly RefundState[] = ['refused', 'paid_out', 'failed'];

/**
 * The states a refund may come from, per state it moves to. `requested` → (`unknown`) → `accepted`
 * → `paid_out` | `failed`; `refused` (the gateway said no: nothing was created) only before acceptance.
 */
export const REFUND_TRANSITIONS: Readonly<Record<RefundState, readonly RefundState[]>> = {
  requested: [],
  unknown: ['requested'],
  accepted: ['requested', 'unknown'],
  refused: ['requested', 'unknown'],
  paid_out: ['requested', 'unknown', 'accepted'],
  failed: ['requested', 'unknown', 'accepted'],
};

export interface Refund {
  /** The payout's payout_cl_id: `${orderId}-R${attempt}`. */
  payoutClId: string;
  orderId: string;
  /** 1 for the first refund of an order; the next only after the previous one was refused. */
  attempt: number;
  /** Cents: what the gateway said was received for the order (`real_amount`). */
  amount: number;
  state: RefundState;
  /** The beneficiary as given (bank code ≤ 16, account digits, holder, Korean mobile). */
  bankCode: string;
  accountNumber: string;
  accountHolder: string;
  phoneNumber: string;
  /** The gateway's payout_id, once known. */
  payoutId?: string;
  /** Why it was refused (`0018`, `0012`…) or failed; a refusal without a gateway code has none. */
  errorCode?: string;
  errorMessage?: string;
  /** Payout notifications applied (handler runs, once per payout and status through the ledger's inbox). */
  notificationsApplied: number;
  /** Of those, final ones (paid out, failed): exactly 1 for a paid-out or failed refund. */
  finalNotificationsApplied: number;
  createdAt: number;
  updatedAt: number;
}

/** The fields a state change may set. */
export type RefundPatch = Partial<Pick<Refund, 'payoutId' | 'errorCode' | 'errorMessage'>>;

/** The payout_cl_id of an order's refund attempt. */
export function refundPayoutClId(orderId: string, attempt: number): string {
  return `${orderId}-R${attempt}`;
}

/** Storage for refunds. `advance` and `applyNotification` must be atomic (one statement in SQL). */
export interface RefundRepository {
  /** Inserts the refund unless its payout_cl_id (or its order and attempt) exists; undefined when it did. */
  insert(refund: Refund): Promise<Refund | undefined>;
  get(payoutClId: string): Promise<Refund | undefined>;
  /** The order's refund with the highest attempt. */
  latestForOrder(orderId: string): Promise<Refund | undefined>;
  list(): Promise<Refund[]>;
  /** Moves the refund to `to` (with `patch`) if REFUND_TRANSITIONS allows it from its current state. */
  advance(
    payoutClId: string,
    to: RefundState,
    patch: RefundPatch,
  ): Promise<{ refund?: Refund; changed: boolean }>;
  /**
   * A payout notification: counts it (and `final`) and advances to `to` where allowed, in one step.
   * Undefined for an unknown payout_cl_id.
   */
  applyNotification(
    payoutClId: string,
    to: RefundState,
    patch: RefundPatch,
    final: boolean,
  ): Promise<Refund | undefined>;
}

export class MemoryRefundRepository implements RefundRepository {
  private readonly refunds = new Map<string, Refund>();

  async insert(refund: Refund) {
    if (this.refunds.has(refund.payoutClId)) return undefined;
    for (const r of this.refunds.values())
      if (r.orderId === refund.orderId && r.attempt === refund.attempt) return undefined;
    this.refunds.set(refund.payoutClId, { ...refund });
    return { ...refund };
  }

  async get(payoutClId: string) {
    const r = this.refunds.get(payoutClId);
    return r && { ...r };
  }

  async latestForOrder(orderId: string) {
    let latest: Refund | undefined;
    for (const r of this.refunds.values())
      if (r.orderId === orderId && (!latest || r.attempt > latest.attempt)) latest = r;
    return latest && { ...latest };
  }

  async list() {
    return [...this.refunds.values()].map((r) => ({ ...r }));
  }

  async advance(payoutClId: string, to: RefundState, patch: RefundPatch) {
    const r = this.refunds.get(payoutClId);
    if (!r) return { changed: false };
    if (!REFUND_TRANSITIONS[to].includes(r.state)) return { refund: { ...r }, changed: false };
    Object.assign(r, defined(patch), { state: to, updatedAt: Date.now() });
    return { refund: { ...r }, changed: true };
  }

  async applyNotification(payoutClId: string, to: RefundState, patch: RefundPatch, final: boolean) {
    const r = this.refunds.get(payoutClId);
    if (!r) return undefined;
    r.notificationsApplied++;
    if (final) r.finalNotificationsApplied++;
    r.payoutId ??= patch.payoutId;
    if (REFUND_TRANSITIONS[to].includes(r.state)) {
      Object.assign(r, defined(patch), { state: to, updatedAt: Date.now() });
    }
    return { ...r };
  }
}

function defined(patch: RefundPatch): RefundPatch {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
}

/** A refund request the shop refuses (404 no order, 409 not refundable, 400 bad field…). */
export class RefundRequestError extends Error {
  constructor(
    readonly status: 400 | 404 | 409 | 502,
    message: string,
    /** For 400: each problem, naming the form field. */
    readonly issues: readonly { field: string; rule: string; message: string }[] = [],
  ) {
    super(message);
    this.name = 'RefundRequestError';
  }
}
