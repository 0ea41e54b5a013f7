// Refunding an order: the rules (which orders, which amount, which attempt), the payout create and
// every one of its outcomes, the check of an unknown outcome, and the payout notification. The demos
// only hand over their framework's Diamond Pay client; the shop kit does the rest.
import {
  type DiamondPay,
  DiamondPayApiError,
  DiamondPayOrderRefusedError,
  DiamondPayValidationError,
  GatewayErrorCode,
  isDiamondPayError,
  type LedgerTransaction,
  type PayoutNotification,
  PayoutService,
  validateCreatePayout,
} from '@diamondpay/core';
import type { OrderRepository, ShopOrder } from './orders.js';
import {
  FINAL_REFUND_STATES,
  type Refund,
  type RefundPatch,
  type RefundRepository,
  RefundRequestError,
  type RefundState,
  refundPayoutClId,
} from './refunds.js';
import { SqlRefundRepository } from './sql-refunds.js';

/** What the desk needs of a Diamond Pay client (each adapter's client fits). */
export interface RefundClient {
  payouts: Pick<DiamondPay['payouts'], 'create' | 'retrieve'>;
}

/** Refund attempts per order (each after the previous one was refused). */
export const MAX_REFUND_ATTEMPTS = 9;

// The form's field names, and the payout field each one becomes (core's validation names those).
const FORM_FIELD: Record<string, string> = {
  bank_name: 'bank_code',
  number: 'account_number',
  name: 'account_holder',
  phone_number: 'phone_number',
};

/** True when the order can be refunded at all: underpaid, or cancelled with money received. */
export function refundableAmount(order: ShopOrder): number | undefined {
  if (order.status !== 'underpaid' && order.status !== 'cancelled') return undefined;
  return order.realAmount !== undefined && order.realAmount > 0 ? order.realAmount : undefined;
}

const text = (v: unknown): string =>
  typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);

export class ShopRefunds {
  /** Counts handler runs of payout notifications (this process). */
  notificationsHandled = 0;

  constructor(
    readonly store: RefundRepository,
    private readonly orders: OrderRepository,
  ) {}

  /** With the SQL store the client has the ledger: an unknown outcome is checked through the outbox. */
  private get outbox(): boolean {
    return this.store instanceof SqlRefundRepository;
  }

  /** The order's current refund (its latest attempt). */
  forOrder(orderId: string): Promise<Refund | undefined> {
    return this.store.latestForOrder(orderId);
  }

  list(): Promise<Refund[]> {
    return this.store.list();
  }

  /**
   * POST /orders/{id}/refund. `input` is the form (or JSON): `bank_code`, `account_number`,
   * `account_holder`, `phone_number`, and `attempt` (default 1). An attempt that exists is answered
   * as it is (`created: false`), after checking with the gateway if its outcome is not known yet;
   * never a second payout. A new attempt is made only after the previous one was refused.
   */
  async request(
    orderId: string,
    input: Record<string, unknown>,
    client: RefundClient,
    notifyUrl: string,
  ): Promise<{ refund: Refund; created: boolean }> {
    const order = await this.orders.get(orderId);
    if (!order) throw new RefundRequestError(404, `No order ${orderId}`);
    const attemptText = text(input.attempt) || '1';
    const attempt = Number(attemptText);
    if (!/^[1-9]\d?$/.test(attemptText) || attempt > MAX_REFUND_ATTEMPTS) {
      throw new RefundRequestError(400, `attempt: must be a whole number from 1 to ${MAX_REFUND_ATTEMPTS}`, [
        {
          field: 'attempt',
          rule: 'range',
          message: `must be a whole number from 1 to ${MAX_REFUND_ATTEMPTS}`,
        },
      ]);
    }
    const payoutClId = refundPayoutClId(order.id, attempt);
    const existing = await this.store.get(payoutClId);
    if (existing) return { refund: await this.settle(existing, client, notifyUrl), created: false };
    const amount = refundableAmount(order);
    if (amount === undefined) {
      throw new RefundRequestError(
        409,
        order.status === 'cancelled'
          ? `Order ${order.id} was cancelled and nothing was received: there is nothing to refund`
          : `Order ${order.id} is ${order.status}: only an underpaid order, or a cancelled one with money received, is refunded`,
      );
    }
    if (attempt > 1) {
      const previous = await this.store.get(refundPayoutClId(order.id, attempt - 1));
      if (previous?.state !== 'refused') {
        throw new RefundRequestError(
          409,
          previous
            ? `Refund attempt ${attempt - 1} of order ${order.id} is ${previous.state}: a new attempt is made only after a refusal`
            : `Refund attempt ${attempt - 1} of order ${order.id} does not exist: attempts follow each other`,
        );
      }
    }
    const now = Date.now();
    const beneficiary = {
      bankCode: text(input.bank_code).trim(),
      accountNumber: text(input.account_number).replace(/[\s-]/g, ''),
      accountHolder: text(input.account_holder).trim(),
      phoneNumber: text(input.phone_number).replace(/[\s-]/g, ''),
    };
    const refund: Refund = {
      payoutClId,
      orderId: order.id,
      attempt,
      amount,
      state: 'requested',
      ...beneficiary,
      notificationsApplied: 0,
      finalNotificationsApplied: 0,
      createdAt: now,
      updatedAt: now,
    };
    const params = payoutParams(refund, notifyUrl);
    try {
      // Core's rules, before anything is stored or sent; problems named by the form's fields.
      validateCreatePayout(params as unknown as Record<string, unknown>);
    } catch (error) {
      if (!(error instanceof DiamondPayValidationError)) throw error;
      const issues = error.issues.map((i) => ({ ...i, field: FORM_FIELD[i.field] ?? i.field }));
      throw new RefundRequestError(
        400,
        `Invalid refund: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}`,
        issues,
      );
    }
    const inserted = await this.store.insert(refund);
    // A concurrent request (a double click) inserted it first: answer that one, send nothing.
    if (!inserted) return { refund: (await this.store.get(payoutClId))!, created: false };
    return { refund: await this.send(inserted, client, notifyUrl), created: true };
  }

  /** Creates the payout and records what the gateway said (or that nobody knows yet). */
  private async send(refund: Refund, client: RefundClient, notifyUrl: string): Promise<Refund> {
    try {
      const created = await client.payouts.create(payoutParams(refund, notifyUrl));
      return this.advance(refund, 'accepted', { payoutId: created.payout_id });
    } catch (error) {
      return this.outcomeOf(refund, error);
    }
  }

  /**
   * An existing refund, as it stands. One whose outcome is not known is checked with the gateway:
   * with the ledger by repeating the create through its outbox (which queries, never resends),
   * without one by querying payout_cl_id.
   */
  private async settle(refund: Refund, client: RefundClient, notifyUrl: string): Promise<Refund> {
    if (refund.state !== 'unknown' && refund.state !== 'requested') return refund;
    try {
      if (this.outbox) {
        const found = await client.payouts.create(payoutParams(refund, notifyUrl));
        return this.advance(refund, 'accepted', { payoutId: found.payout_id });
      }
      const record = await client.payouts.retrieve(refund.payoutClId);
      if (record.amount !== refund.amount) {
        throw new RefundRequestError(
          409,
          `The gateway holds payout ${refund.payoutClId} for ${record.amount} cents, not ${refund.amount}: check it by hand`,
        );
      }
      return this.advance(refund, 'accepted', { payoutId: record.payout_id });
    } catch (error) {
      // Without the ledger, "not found" is no refusal: the create may still arrive. It stays unknown.
      if (
        !this.outbox &&
        error instanceof DiamondPayApiError &&
        error.errorCode === GatewayErrorCode.ORDER_NOT_FOUND
      )
        return this.advance(refund, 'unknown', {});
      return this.outcomeOf(refund, error);
    }
  }

  /** The refund's state after a create (or check) threw. */
  private async outcomeOf(refund: Refund, error: unknown): Promise<Refund> {
    if (error instanceof RefundRequestError) throw error;
    // Refused: the gateway created nothing under this payout_cl_id (0018 balance, 0012 bank…), or
    // the ledger recorded that it never had it.
    if (error instanceof DiamondPayApiError && error.errorCode) {
      return this.advance(refund, 'refused', { errorCode: error.errorCode, errorMessage: error.message });
    }
    if (error instanceof DiamondPayOrderRefusedError) {
      return this.advance(refund, 'refused', {
        ...(error.errorCode ? { errorCode: error.errorCode } : {}),
        errorMessage: error.message,
      });
    }
    if (isDiamondPayError(error) && (error.code === 'payout_conflict' || error.code === 'ledger_conflict')) {
      // Another payout under this id: never "refused" (which would allow a new attempt). A person looks.
      await this.advance(refund, 'unknown', {});
      throw new RefundRequestError(409, error.message);
    }
    // Unknown (timeout, reset, 5xx, or anything else after the request may have left): resolved by
    // the reconciler or the next check, never by sending again.
    return this.advance(refund, 'unknown', {});
  }

  private async advance(refund: Refund, to: RefundState, patch: RefundPatch): Promise<Refund> {
    const { refund: after } = await this.store.advance(refund.payoutClId, to, patch);
    return after ?? refund;
  }

  /**
   * Applies a verified payout notification (or a status the reconciler queried). With `ledger` it is
   * one UPDATE on the notification's transaction. Throws for an unknown payout, so the gateway retries.
   */
  async applyNotification(n: PayoutNotification, ledger?: { tx: LedgerTransaction }): Promise<Refund> {
    this.notificationsHandled++;
    const store =
      ledger && this.store instanceof SqlRefundRepository ? this.store.within(ledger.tx) : this.store;
    const to: RefundState =
      n.outcome === 'paid_out' ? 'paid_out' : n.outcome === 'failed' ? 'failed' : 'accepted';
    const patch: RefundPatch = { payoutId: n.payout_id };
    if (to === 'failed') patch.errorMessage = n.error_msg || `Payout failed (status ${n.status})`;
    const refund = await store.applyNotification(n.payout_cl_id, to, patch, FINAL_REFUND_STATES.includes(to));
    if (!refund) throw new Error(`payout notification for unknown refund ${n.payout_cl_id}`);
    return refund;
  }
}

/** The create-payout params of a refund: the received amount to the given account, in KRW. */
function payoutParams(refund: Refund, notifyUrl: string) {
  return {
    service_id: PayoutService.BANK_CARD,
    payout_cl_id: refund.payoutClId,
    amount: refund.amount,
    bank_name: refund.bankCode,
    name: refund.accountHolder,
    number: refund.accountNumber,
    phone_number: refund.phoneNumber,
    currency: 'krw',
    notify_url: notifyUrl,
  };
}
