// Refunds every demo must get right, through the real sandbox: the order page's refund form, a refund
// paid out by its (duplicated) notification, a refusal for insufficient balance (0018) and its retry
// under the next payout_cl_id, an unsupported bank (0012), a lost create answer resolved by query,
// double submissions that never send a second payout, and refusals naming the field.
import { DiamondPay, PayoutService } from '@diamondpay/core';
import { payoutFeeFor } from '@diamondpay/sandbox';
import { describe, expect, it } from 'vitest';
import { type StartDemo, useSandboxedDemo } from './fixture.js';

/** Bounds every request the tests make. */
const timeout = () => AbortSignal.timeout(15_000);
/** What the underpaid orders receive: ₩5,000 short of the ₩89,000 price, in cents. */
const SHORT_CENTS = 500_000;
const BENEFICIARY = {
  bank_code: 'KB',
  account_number: '1002-123-456789',
  account_holder: '홍길동',
  phone_number: '010-1234-5678',
};

interface RefundView {
  payoutClId: string;
  attempt: number;
  amount: number;
  state: string;
  payoutId?: string;
  errorCode?: string;
  errorMessage?: string;
}
interface OrderView {
  id: string;
  status: string;
  amount: number;
  real_amount: number | null;
  refund: RefundView | null;
}

/**
 * Registers `<name> refunds through the sandbox`. `refundNotificationPath` is where the demo has the
 * gateway POST payout notifications (its notify_url for refunds).
 */
export function describeDemoRefunds(name: string, start: StartDemo, refundNotificationPath: string): void {
  describe(`${name} refunds through the sandbox`, () => {
    const demo = useSandboxedDemo(start);

    async function order(fate: 'pay' | 'underpay' | 'cancel' | 'pending'): Promise<OrderView> {
      const res = await fetch(`${demo.app.url}/orders`, {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/json' },
        body: JSON.stringify({ product_id: demo.app.shop.featured.id, service_id: 'SVC0016' }),
        signal: timeout(),
      });
      expect(res.status).toBe(201);
      const created = (await res.json()) as OrderView;
      if (fate === 'pending') return created;
      if (fate === 'cancel') await demo.sandbox.cancel(created.id);
      else
        await demo.sandbox.pay(created.id, {
          realAmount: fate === 'underpay' ? created.amount - SHORT_CENTS : created.amount,
        });
      await demo.sandbox.waitForDelivery(created.id, { timeoutMs: 10_000 });
      return orderJson(created.id);
    }

    async function orderJson(id: string): Promise<OrderView> {
      const res = await fetch(`${demo.app.url}/orders/${id}`, {
        headers: { accept: 'application/json' },
        signal: timeout(),
      });
      expect(res.status).toBe(200);
      return (await res.json()) as OrderView;
    }

    async function orderPage(id: string): Promise<string> {
      const res = await fetch(`${demo.app.url}/orders/${id}`, { signal: timeout() });
      expect(res.status).toBe(200);
      return res.text();
    }

    /** POST /orders/:id/refund as a JSON client. */
    async function refundJson(id: string, body: object = BENEFICIARY) {
      const res = await fetch(`${demo.app.url}/orders/${encodeURIComponent(id)}/refund`, {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: timeout(),
      });
      return {
        status: res.status,
        body: (await res.json()) as RefundView & { error?: string; issues?: { field: string }[] },
      };
    }

    /** POST /orders/:id/refund as the page's form does (no redirect following). */
    const refundForm = (id: string, fields: Record<string, string> = { ...BENEFICIARY, attempt: '1' }) =>
      fetch(`${demo.app.url}/orders/${encodeURIComponent(id)}/refund`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
        redirect: 'manual',
        signal: timeout(),
      });

    const creates = () => demo.sandbox.stats().requests.createPayout;

    it('offers the refund form for what an underpaid order received; a paid order none; a cancelled one with nothing received says so', async () => {
      const underpaid = await order('underpay');
      expect(underpaid).toMatchObject({ status: 'underpaid', refund: null });
      const page = await orderPage(underpaid.id);
      expect(page).toContain('data-testid="refund-form"');
      expect(page).toContain(`action="/orders/${underpaid.id}/refund"`);
      // The amount is the gateway's real_amount (₩84,000), never a field anyone types.
      expect(page).toContain('data-testid="refund-amount">₩84,000<');
      expect(page).not.toMatch(/name="amount"/);
      for (const field of ['bank_code', 'account_number', 'account_holder', 'phone_number'])
        expect(page).toContain(`name="${field}"`);
      const paid = await order('pay');
      expect(await orderPage(paid.id)).not.toContain('data-testid="refund-form"');
      const cancelled = await order('cancel');
      // The sandbox notifies a cancellation with real_amount 0: nothing to send back.
      expect(cancelled).toMatchObject({ status: 'cancelled', real_amount: 0 });
      const cancelledPage = await orderPage(cancelled.id);
      expect(cancelledPage).toContain('data-testid="refund-none"');
      expect(cancelledPage).toContain('Nothing was received');
      expect(cancelledPage).not.toContain('data-testid="refund-form"');
    });

    it('refunds the received amount once, however often the form is posted, and its notification marks it paid out once', async () => {
      const { app, sandbox } = demo;
      await order('pay'); // the merchant's balance: a paid order
      const underpaid = await order('underpay');
      const before = creates();
      const res = await refundForm(underpaid.id);
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe(`/orders/${underpaid.id}`);
      const payoutClId = `${underpaid.id}-R1`;
      const payout = sandbox.payout(payoutClId);
      expect(payout).toMatchObject({
        amount: underpaid.amount - SHORT_CENTS,
        status: 1,
        serviceId: PayoutService.BANK_CARD,
        bankName: 'KB',
        number: '1002123456789',
        phoneNumber: '01012345678',
        notifyUrl: `${app.url}${refundNotificationPath}`,
      });
      // The same form posted again, and the same refund asked for as JSON: answered, never sent again.
      expect((await refundForm(underpaid.id)).status).toBe(303);
      const again = await refundJson(underpaid.id);
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ payoutClId, state: 'accepted', payoutId: payout!.payoutId });
      expect(creates() - before).toBe(1);
      expect((await orderJson(underpaid.id)).refund).toMatchObject({
        payoutClId,
        amount: underpaid.amount - SHORT_CENTS,
        state: 'accepted',
      });
      expect(await orderPage(underpaid.id)).toMatch(/data-testid="refund-state" data-state="accepted"/);

      await sandbox.completePayout(payoutClId, { delivery: { duplicates: 3 } });
      await sandbox.waitForPayoutDelivery(payoutClId, { timeoutMs: 10_000 });
      await sandbox.idle();
      expect((await orderJson(underpaid.id)).refund).toMatchObject({ payoutClId, state: 'paid_out' });
      expect(await orderPage(underpaid.id)).toMatch(/data-state="paid_out"[^>]*>[^<]*paid out/);
      const stored = await app.shop.refunds.store.get(payoutClId);
      expect(stored).toMatchObject({ state: 'paid_out', finalNotificationsApplied: 1 });
      expect(sandbox.payoutDeliveries({ payoutClId }).length).toBeGreaterThanOrEqual(4);
      expect(sandbox.stats().duplicatePayouts).toBe(0);
    });

    it('two refund requests at once (a double click) send one payout', async () => {
      await order('pay');
      const underpaid = await order('underpay');
      const before = creates();
      const both = await Promise.all([refundJson(underpaid.id), refundJson(underpaid.id)]);
      expect(both.map((r) => r.status).sort()).toEqual([200, 201]);
      expect(new Set(both.map((r) => r.body.payoutClId))).toEqual(new Set([`${underpaid.id}-R1`]));
      expect(creates() - before).toBe(1);
      expect(demo.sandbox.stats().duplicatePayouts).toBe(0);
    });

    it('a refund refused for insufficient balance (0018) shows why; a new attempt goes under the next payout_cl_id, never resending the first', async () => {
      const { sandbox } = demo;
      const underpaid = await order('underpay');
      const amount = underpaid.amount - SHORT_CENTS;
      // The merchant withdraws all but ₩1,000 of its available balance to its own account first.
      const treasury = new DiamondPay({ baseUrl: sandbox.url, ...sandbox.merchant });
      const available = sandbox.balance().available;
      const sweep = Math.floor(((available - 100_000) * 1000) / 1005);
      const sweepId = `SWEEP-${underpaid.id}`;
      await treasury.payouts.create({
        service_id: PayoutService.BANK_CARD,
        payout_cl_id: sweepId,
        amount: sweep,
        bank_name: 'SHINHAN',
        name: 'Diamond shop',
        number: '110123456789',
        phone_number: '01099998888',
        currency: 'krw',
      });
      expect(sandbox.balance().available).toBeLessThan(amount + payoutFeeFor(amount));

      const refused = await refundJson(underpaid.id);
      expect(refused.status).toBe(201);
      expect(refused.body).toMatchObject({
        payoutClId: `${underpaid.id}-R1`,
        state: 'refused',
        errorCode: '0018',
      });
      expect(refused.body.errorMessage).toMatch(/balance/);
      const page = await orderPage(underpaid.id);
      expect(page).toMatch(/data-testid="refund-error">0018: /);
      // The page offers a new attempt: attempt 2.
      expect(page).toContain('name="attempt" value="2"');
      // Asking for attempt 1 again answers the refusal; nothing is sent.
      const before = creates();
      expect(await refundJson(underpaid.id, { ...BENEFICIARY, attempt: 1 })).toMatchObject({
        status: 200,
        body: { state: 'refused', errorCode: '0018' },
      });
      expect(creates()).toBe(before);
      // Attempts follow each other: no attempt 3 while there is no refused attempt 2.
      const skipped = await refundJson(underpaid.id, { ...BENEFICIARY, attempt: 3 });
      expect(skipped.status).toBe(409);

      // The withdrawal is cancelled: the balance is there again, and attempt 2 goes through.
      await sandbox.failPayout(sweepId, { status: 4 });
      const retried = await refundJson(underpaid.id, { ...BENEFICIARY, attempt: 2 });
      expect(retried).toMatchObject({
        status: 201,
        body: { payoutClId: `${underpaid.id}-R2`, state: 'accepted' },
      });
      expect(sandbox.payout(`${underpaid.id}-R1`)).toBeUndefined();
      expect((await orderJson(underpaid.id)).refund).toMatchObject({ attempt: 2, state: 'accepted' });
      // Only after a refusal: attempt 3 is refused now that attempt 2 was accepted.
      expect((await refundJson(underpaid.id, { ...BENEFICIARY, attempt: 3 })).status).toBe(409);
      expect(sandbox.stats().duplicatePayouts).toBe(0);
    });

    it('a bank the gateway does not pay out to (0012) is refused with its message', async () => {
      await order('pay');
      const underpaid = await order('underpay');
      const res = await refundJson(underpaid.id, { ...BENEFICIARY, bank_code: 'UNSUPPORTED' });
      expect(res).toMatchObject({ status: 201, body: { state: 'refused', errorCode: '0012' } });
      expect(res.body.errorMessage).toContain('UNSUPPORTED');
      expect(await orderPage(underpaid.id)).toMatch(/data-testid="refund-error">0012: /);
      expect(demo.sandbox.payout(`${underpaid.id}-R1`)).toBeUndefined();
    });

    it('a lost create answer is resolved by query, never by sending the payout again', async () => {
      const { sandbox } = demo;
      await order('pay');
      // Only the answer is lost: the client asks the gateway after settling and finds the payout.
      const first = await order('underpay');
      sandbox.injectFault('createPayout', 'resetAfter');
      const resolved = await refundJson(first.id);
      expect(resolved).toMatchObject({ status: 201, body: { state: 'accepted' } });
      expect(resolved.body.payoutId).toBe(sandbox.payout(`${first.id}-R1`)?.payoutId);

      // The answer is lost and the query fails too: the refund is unknown until checked.
      const second = await order('underpay');
      const before = creates();
      sandbox.injectFault('createPayout', 'resetAfter');
      sandbox.setFaults({ queryPayout: { error5xxRate: 1 } });
      const unknown = await refundJson(second.id);
      sandbox.setFaults({});
      expect(unknown).toMatchObject({
        status: 201,
        body: { payoutClId: `${second.id}-R1`, state: 'unknown' },
      });
      const page = await orderPage(second.id);
      expect(page).toContain('checking with the gateway');
      expect(page).toContain('data-testid="refund-check"');
      // "Check now" (the same attempt posted again) asks the gateway; the payout was there all along.
      const checked = await refundForm(second.id, { attempt: '1' });
      expect(checked.status).toBe(303);
      const payoutClId = `${second.id}-R1`;
      expect((await orderJson(second.id)).refund).toMatchObject({
        payoutClId,
        state: 'accepted',
        payoutId: sandbox.payout(payoutClId)?.payoutId,
      });
      expect(creates() - before).toBe(1);
      await sandbox.completePayout(payoutClId);
      await sandbox.waitForPayoutDelivery(payoutClId, { timeoutMs: 10_000 });
      expect((await orderJson(second.id)).refund).toMatchObject({ state: 'paid_out' });
      expect(sandbox.stats().duplicatePayouts).toBe(0);
    });

    it('refuses bad refund requests, naming the field, and orders that are not refunded', async () => {
      const underpaid = await order('underpay');
      const bad = await refundJson(underpaid.id, {
        bank_code: 'A-VERY-LONG-BANK-CODE',
        account_number: '12ab',
        account_holder: '',
        phone_number: '02-123-4567',
      });
      expect(bad.status).toBe(400);
      expect(bad.body.issues?.map((i) => i.field).sort()).toEqual([
        'account_holder',
        'account_number',
        'bank_code',
        'phone_number',
      ]);
      expect(bad.body.error).toMatch(/bank_code .*16/);
      const page = await refundForm(underpaid.id, { ...BENEFICIARY, phone_number: '12345' });
      expect(page.status).toBe(400);
      expect(await page.text()).toMatch(
        /data-testid="error">Invalid refund: phone_number must be a Korean mobile/,
      );
      expect(await refundJson(underpaid.id, { ...BENEFICIARY, attempt: 'two' })).toMatchObject({
        status: 400,
        body: { issues: [{ field: 'attempt' }] },
      });
      // Nothing was stored or sent for any of them.
      expect((await orderJson(underpaid.id)).refund).toBeNull();
      expect(demo.sandbox.payout(`${underpaid.id}-R1`)).toBeUndefined();

      const paid = await order('pay');
      expect((await refundJson(paid.id)).status).toBe(409);
      const pending = await order('pending');
      expect((await refundJson(pending.id)).status).toBe(409);
      const cancelled = await order('cancel');
      const nothing = await refundJson(cancelled.id);
      expect(nothing.status).toBe(409);
      expect(nothing.body.error).toMatch(/nothing to refund/);
      const missing = await refundJson('NO-SUCH-ORDER');
      expect(missing).toMatchObject({ status: 404, body: { error: 'No order NO-SUCH-ORDER' } });
    });
  });
}
