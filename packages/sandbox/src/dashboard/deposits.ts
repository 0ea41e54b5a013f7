// Deposits as a dashboard OrderKind: their fields, their actions (pay in full or another amount,
// cancel with status 3/4/5, resend the notification, send a stale status) and their deliveries.
import { formatKrw, KoreaService } from '@diamondpay/core';
import { wholeWonToCents } from '../cashier-page.js';
import { DEPOSIT_STATES, depositState } from '../deposit-state.js';
import { invalid, SandboxError } from '../errors.js';
import type { DeliveryFaults } from '../faults.js';
import type { DeliveryAttempt } from '../notifier.js';
import type { SandboxOrder } from '../orders.js';
import type { CancelOptions, PayOptions } from '../server.js';
import type { Journal } from './events.js';
import { actionForm, button, checkbox, numberInput, select } from './forms.js';
import type { DashboardOrder, OrderKind } from './kinds.js';

/** What the deposit kind needs from the sandbox. */
export interface DepositHost {
  orders(): SandboxOrder[];
  order(paymentClId: string, platformId?: string): SandboxOrder | undefined;
  pay(paymentClId: string, opts: PayOptions): Promise<SandboxOrder>;
  cancel(paymentClId: string, opts: CancelOptions): Promise<SandboxOrder>;
  deliveries(filter: { paymentClId?: string }): DeliveryAttempt[];
  /** Delivers the order's current (final) status again, without faults. */
  resend(order: SandboxOrder): void;
  /** Delivers a validly signed, stale earlier status (0 or 1) for a final order. */
  sendStale(order: SandboxOrder, status: 0 | 1): void;
  journal: Journal;
}

const SERVICE_NAMES: Record<string, string> = {
  [KoreaService.BANK_CARD]: 'bank card',
  [KoreaService.BANK_DIRECT]: 'bank transfer',
  [KoreaService.QR_CODE]: 'QR code',
};

/** "SVC0015 (bank card)", or the bare id for services the sandbox has no name for. */
export function serviceName(serviceId: string): string {
  const name = SERVICE_NAMES[serviceId];
  return name ? `${serviceId} (${name})` : serviceId;
}

const iso = (seconds: number) => (seconds ? new Date(seconds * 1000).toISOString() : '—');

/** The journal key of a deposit. */
export const depositKey = (order: Pick<SandboxOrder, 'paymentId'>) => `deposit:${order.paymentId}`;

function row(order: SandboxOrder): DashboardOrder {
  const state = depositState(order);
  return {
    kind: 'deposit',
    platformId: order.platformId,
    id: order.paymentClId,
    gatewayId: order.paymentId,
    method: serviceName(order.serviceId),
    amount: order.amount,
    realAmount: order.realAmount,
    status: order.status,
    state,
    final: state !== 'pending',
    createTime: order.createTime,
    updateTime: order.updateTime,
  };
}

/** Delivery faults from the pay form's fieldset (empty fields mean none). */
function deliveryFaults(form: URLSearchParams): DeliveryFaults | undefined {
  const faults: DeliveryFaults = {};
  const int = (name: string, max: number) => {
    const v = (form.get(name) ?? '').trim();
    if (v === '') return undefined;
    if (!/^\d+$/.test(v) || Number(v) > max) throw invalid(`${name} must be a whole number from 0 to ${max}`);
    return Number(v);
  };
  const duplicates = int('duplicates', 10);
  const failFirst = int('fail_first', 100);
  if (duplicates) faults.duplicates = duplicates;
  if (failFirst) {
    faults.failFirst = failFirst;
    faults.lose = form.get('lose') === 'request' ? 'request' : 'reply';
  }
  if (form.get('out_of_order') === '1') faults.outOfOrder = true;
  return Object.keys(faults).length > 0 ? faults : undefined;
}

export function depositKind(host: DepositHost): OrderKind {
  const orderOf = (o: DashboardOrder): SandboxOrder => {
    const order = host.order(o.id, o.platformId);
    if (!order)
      throw new SandboxError('order_not_found', `No deposit with payment_cl_id ${JSON.stringify(o.id)}.`);
    return order;
  };
  return {
    kind: 'deposit',
    label: 'Deposit',
    states: DEPOSIT_STATES,
    list: () => host.orders().map(row),
    find(id, platformId) {
      const order = host.order(id, platformId);
      return order && row(order);
    },
    fields(o) {
      const order = orderOf(o);
      const fields: [string, string][] = [
        ['merchant (platform_id)', order.platformId],
        ['payment_cl_id', order.paymentClId],
        ['payment_id', order.paymentId],
        ['service_id', serviceName(order.serviceId)],
        ['amount', `${formatKrw(order.amount)} (${order.amount} cents)`],
        ['real_amount', `${formatKrw(order.realAmount)} (${order.realAmount} cents)`],
      ];
      if (order.status === 2 && order.realAmount < order.amount)
        fields.push(['shortfall', formatKrw(order.amount - order.realAmount)]);
      fields.push(
        ['fee', `${formatKrw(order.fee)} (${order.fee} cents)`],
        ['status', `${order.status} (${depositState(order)})`],
        ['notify_url', order.notifyUrl],
        ['sign_type', order.signType],
        ['create_time', `${order.createTime} · ${iso(order.createTime)}`],
        ['update_time', `${order.updateTime} · ${iso(order.updateTime)}`],
        ['success_time', order.successTime ? `${order.successTime} · ${iso(order.successTime)}` : '—'],
        ['token (transfer reference)', order.token],
        [
          'receiving account',
          `${order.bankName} (${order.bankCode}) ${order.cardNumber} · ${order.cardName}`,
        ],
      );
      if (order.payerName) fields.push(['payer (name)', order.payerName]);
      if (order.payerBankName) fields.push(['payer bank (bank_name)', order.payerBankName]);
      if (order.qrCodeContent) fields.push(['qr_code_content', order.qrCodeContent]);
      return fields;
    },
    link: (o) => ({ href: orderOf(o).link, text: 'Open the cashier page (as the payer sees it)' }),
    actions(o) {
      if (!o.final) {
        // Two forms, so Enter in the amount field pays that amount, never the full one.
        const faults = (
          prefix: string,
        ) => `<details><summary>Deliver the notification with faults (optional)</summary><fieldset><legend class="sr-only">Delivery faults</legend>
${numberInput(`${prefix}-dup-${o.gatewayId}`, 'duplicates', 'Duplicate copies', { min: 0, max: 10 })}
${numberInput(`${prefix}-fail-${o.gatewayId}`, 'fail_first', 'Lose the first N attempts', { min: 0, max: 100 })}
${select(`${prefix}-lose-${o.gatewayId}`, 'lose', 'What is lost', [
  ['reply', 'the reply (sent, reply discarded)'],
  ['request', 'the request (never sent)'],
])}
${checkbox(`${prefix}-ooo-${o.gatewayId}`, 'out_of_order', 'Also send a stale status 1 after it (out of order)')}
</fieldset></details>`;
        return `${actionForm(
          o,
          'pay',
          `<input type="hidden" name="mode" value="full">
<div class="buttons">${button(`Pay in full (${formatKrw(o.amount)})`, 'action-pay', 'class="primary"')}</div>
${faults('full')}`,
          'stack',
        )}
${actionForm(
  o,
  'pay',
  `<input type="hidden" name="mode" value="amount">
${numberInput(`amount-${o.gatewayId}`, 'amount', 'Different amount (whole won)', {
  min: 1,
  testId: 'action-pay-amount-input',
  required: true,
})}
<div class="buttons">${button('Pay this amount', 'action-pay-amount')}</div>
${faults('amount')}`,
  'stack',
)}
${actionForm(
  o,
  'cancel',
  `${select(`cancel-${o.gatewayId}`, 'status', 'Final status', [
    ['3', '3 · cancelled'],
    ['4', '4 · failed'],
    ['5', '5 · expired'],
  ])}
${button('Cancel the order', 'action-cancel', 'class="danger"')}`,
  'inline',
)}`;
      }
      return `${actionForm(o, 'resend', button(`Resend the last notification (status ${o.status})`, 'action-resend'), 'inline')}
${actionForm(
  o,
  'stale',
  `${select(`stale-${o.gatewayId}`, 'status', 'Stale status', [
    ['1', '1 · processing'],
    ['0', '0 · pending'],
  ])}
${button('Send a stale (out-of-order) status', 'action-stale')}`,
  'inline',
)}`;
    },
    async act(o, action, form) {
      const order = orderOf(o);
      const ref = { platformId: order.platformId };
      switch (action) {
        case 'pay': {
          const full = form.get('mode') !== 'amount';
          const realAmount = full ? undefined : wholeWonToCents(form.get('amount') ?? '');
          const delivery = deliveryFaults(form);
          const paid = await host.pay(order.paymentClId, { ...ref, realAmount, delivery });
          return {
            notice: `Paid ${formatKrw(paid.realAmount)}${paid.realAmount < paid.amount ? ' (underpaid)' : ''}; the notification is on its way.`,
          };
        }
        case 'cancel': {
          const status = Number(form.get('status') ?? '3');
          if (status !== 3 && status !== 4 && status !== 5) throw invalid('status must be 3, 4 or 5');
          await host.cancel(order.paymentClId, { ...ref, status });
          return { notice: `Status ${status} set; the notification is on its way.` };
        }
        case 'resend':
          if (order.status === 0 || order.status === 1)
            throw invalid('nothing to resend: the order is still pending, so no notification was sent');
          host.resend(order);
          return { notice: `Notification (status ${order.status}) sent again.` };
        case 'stale': {
          const status = Number(form.get('status') ?? '1');
          if (status !== 0 && status !== 1) throw invalid('a stale status must be 0 or 1');
          if (order.status === 0 || order.status === 1)
            throw invalid('the order is still pending: a stale status only makes sense after a final one');
          host.sendStale(order, status);
          return { notice: `Stale status ${status} sent.` };
        }
      }
      throw new SandboxError('order_not_found', `Deposits have no action ${JSON.stringify(action)}.`);
    },
    deliveries(o) {
      return host.deliveries({ paymentClId: o.id }).filter((d) => d.platformId === o.platformId);
    },
    history(o) {
      return host.journal.history(depositKey(orderOf(o)));
    },
  };
}
