// Payouts as a dashboard OrderKind: their fields, their actions (pay out, fail with status 4/5 and
// an error message, resend the final notification) and their deliveries.
import { formatKrw } from '@diamondpay/core';
import { invalid, SandboxError } from '../errors.js';
import type { DeliveryAttempt, PayoutDeliveryAttempt } from '../notifier.js';
import type { SandboxPayout } from '../payouts.js';
import type { CompletePayoutOptions, FailPayoutOptions } from '../server.js';
import type { Journal } from './events.js';
import { actionForm, button, select, textInput } from './forms.js';
import type { DashboardOrder, OrderKind } from './kinds.js';

/** What the payout kind needs from the sandbox. */
export interface PayoutHost {
  payouts(): SandboxPayout[];
  payout(payoutClId: string, platformId?: string): SandboxPayout | undefined;
  completePayout(payoutClId: string, opts: CompletePayoutOptions): Promise<SandboxPayout>;
  failPayout(payoutClId: string, opts: FailPayoutOptions): Promise<SandboxPayout>;
  payoutDeliveries(filter: { payoutClId?: string }): PayoutDeliveryAttempt[];
  /** Delivers the payout's current (final) status again, without faults. */
  resendPayout(payout: SandboxPayout): void;
  journal: Journal;
}

export type PayoutState = 'pending' | 'paid_out' | 'cancelled' | 'failed';
export const PAYOUT_STATES: readonly PayoutState[] = ['pending', 'paid_out', 'cancelled', 'failed'];

/** 3 paid out, 4 cancelled, 5 failed, anything else (1) still pending. */
export function payoutState(status: number): PayoutState {
  return status === 3 ? 'paid_out' : status === 4 ? 'cancelled' : status === 5 ? 'failed' : 'pending';
}

/** The journal key of a payout. */
export const payoutKey = (payout: Pick<SandboxPayout, 'payoutId'>) => `payout:${payout.payoutId}`;

const iso = (seconds: number) => (seconds ? new Date(seconds * 1000).toISOString() : '—');

function row(p: SandboxPayout): DashboardOrder {
  const state = payoutState(p.status);
  return {
    kind: 'payout',
    platformId: p.platformId,
    id: p.payoutClId,
    gatewayId: p.payoutId,
    method: `${p.serviceId} → ${p.bankName}`,
    amount: p.amount,
    realAmount: p.status === 3 ? p.amount : 0,
    status: p.status,
    state,
    final: state !== 'pending',
    createTime: p.createTime,
    updateTime: p.updateTime,
  };
}

export function payoutKind(host: PayoutHost): OrderKind {
  const payoutOf = (o: DashboardOrder): SandboxPayout => {
    const p = host.payout(o.id, o.platformId);
    if (!p)
      throw new SandboxError('payout_not_found', `No payout with payout_cl_id ${JSON.stringify(o.id)}.`);
    return p;
  };
  return {
    kind: 'payout',
    label: 'Payout',
    states: PAYOUT_STATES,
    list: () => host.payouts().map(row),
    find(id, platformId) {
      const p = host.payout(id, platformId);
      return p && row(p);
    },
    fields(o) {
      const p = payoutOf(o);
      const fields: [string, string][] = [
        ['merchant (platform_id)', p.platformId],
        ['payout_cl_id', p.payoutClId],
        ['payout_id', p.payoutId],
        ['service_id', p.serviceId],
        ['amount', `${formatKrw(p.amount)} (${p.amount} cents)`],
        ['fee', `${formatKrw(p.fee)} (${p.fee} cents)`],
        ['status', `${p.status} (${payoutState(p.status)})`],
        ['beneficiary (name)', p.name],
        ['bank (bank_name) and account (number)', `${p.bankName} ${p.number}`],
        ['currency', p.currency],
        ['notify_url', p.notifyUrl ?? '— (none: no notification)'],
        ['sign_type', p.signType],
        ['create_time', `${p.createTime} · ${iso(p.createTime)}`],
        ['update_time', `${p.updateTime} · ${iso(p.updateTime)}`],
        ['success_time', p.successTime ? `${p.successTime} · ${iso(p.successTime)}` : '—'],
      ];
      if (p.phoneNumber) fields.push(['phone_number', p.phoneNumber]);
      if (p.errorMsg) fields.push(['error_msg', p.errorMsg]);
      return fields;
    },
    actions(o) {
      if (o.final) {
        if (!payoutOf(o).notifyUrl)
          return '<p class="muted">This payout is final (no notify_url: nothing to resend).</p>';
        return actionForm(
          o,
          'resend',
          button(`Resend the last notification (status ${o.status})`, 'action-resend-payout'),
          'inline',
        );
      }
      return `${actionForm(o, 'complete', button(`Pay out (${formatKrw(o.amount)})`, 'action-complete-payout', 'class="primary"'), 'inline')}
${actionForm(
  o,
  'fail',
  `${select(`fail-${o.gatewayId}`, 'status', 'Final status', [
    ['5', '5 · failed'],
    ['4', '4 · cancelled'],
  ])}
${textInput(`fail-msg-${o.gatewayId}`, 'error_msg', 'Error message (error_msg, optional)', { maxLength: 256 })}
${button('Fail the payout', 'action-fail-payout', 'class="danger"')}`,
  'inline',
)}`;
    },
    async act(o, action, form) {
      const p = payoutOf(o);
      const ref = { platformId: p.platformId };
      switch (action) {
        case 'complete':
          await host.completePayout(p.payoutClId, ref);
          return { notice: `Paid out ${formatKrw(p.amount)}; the notification is on its way.` };
        case 'fail': {
          const status = Number(form.get('status') ?? '5');
          if (status !== 4 && status !== 5) throw invalid('status must be 4 (cancelled) or 5 (failed)');
          const errorMsg = (form.get('error_msg') ?? '').trim() || undefined;
          await host.failPayout(p.payoutClId, { ...ref, status: status as 4 | 5, errorMsg });
          return { notice: `Status ${status} set; the notification is on its way.` };
        }
        case 'resend':
          if (p.status === 1)
            throw invalid('nothing to resend: the payout is still pending, so no notification was sent');
          if (!p.notifyUrl) throw invalid('nothing to resend: the payout has no notify_url');
          host.resendPayout(p);
          return { notice: `Notification (status ${p.status}) sent again.` };
      }
      throw new SandboxError('payout_not_found', `Payouts have no action ${JSON.stringify(action)}.`);
    },
    deliveries(o): DeliveryAttempt[] {
      // The page shows one delivery shape; a payout's ids take the deposit ids' places.
      return host
        .payoutDeliveries({ payoutClId: o.id })
        .filter((d) => d.platformId === o.platformId)
        .map(({ payoutClId, payoutId, ...rest }) => ({
          ...rest,
          paymentClId: payoutClId,
          paymentId: payoutId,
        }));
    },
    history(o) {
      return host.journal.history(payoutKey(payoutOf(o)));
    },
  };
}
