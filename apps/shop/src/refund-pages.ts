// The refund part of the order page: the "Refund to bank account" form for an underpaid order (or a
// cancelled one with money received), the refund's state once asked for, and its JSON. The amount is
// never typed by anyone: it is what the gateway said was received.
import { formatKrw } from '@diamondpay/core';
import type { ShopOrder } from './orders.js';
import { escapeHtml as esc } from './pages.js';
import { MAX_REFUND_ATTEMPTS, refundableAmount } from './refund-desk.js';
import type { Refund } from './refunds.js';

const STATE_TEXT: Record<Refund['state'], string> = {
  requested: '환불 요청 중 · requesting',
  unknown: '게이트웨이 확인 중 · checking with the gateway',
  accepted: '환불 접수됨 · accepted, in progress',
  refused: '환불 거절됨 · refused',
  paid_out: '환불 완료 · paid out',
  failed: '환불 실패 · failed',
};

/** True while the refund may still change by itself (the page keeps following it). */
export function refundInProgress(refund: Refund | undefined): boolean {
  return refund !== undefined && ['requested', 'unknown', 'accepted'].includes(refund.state);
}

/** The refund as the order's JSON carries it (`refund`), amounts in cents. */
export function refundJson(refund: Refund) {
  return {
    payoutClId: refund.payoutClId,
    attempt: refund.attempt,
    amount: refund.amount,
    state: refund.state,
    ...(refund.payoutId ? { payoutId: refund.payoutId } : {}),
    ...(refund.errorCode ? { errorCode: refund.errorCode } : {}),
    ...(refund.errorMessage ? { errorMessage: refund.errorMessage } : {}),
  };
}

function form(order: ShopOrder, amount: number, attempt: number): string {
  const field = (name: string, label: string, attrs: string) =>
    `<label>${esc(label)}<br><input name="${name}" data-testid="refund-${name}" ${attrs} required></label>`;
  return `<form method="post" action="/orders/${esc(encodeURIComponent(order.id))}/refund" class="refund-form" data-testid="refund-form">
  <h2>계좌로 환불 · Refund to bank account</h2>
  <p>환불 금액 · Amount: <strong data-testid="refund-amount">${esc(formatKrw(amount))}</strong> <span class="hint">(입금된 금액 · what was received)</span></p>
  <input type="hidden" name="attempt" value="${attempt}">
  ${field('bank_code', '은행 코드 · Bank code', 'maxlength="16" autocomplete="off"')}
  ${field('account_number', '계좌번호 · Account number', 'inputmode="numeric" maxlength="40" autocomplete="off"')}
  ${field('account_holder', '예금주 · Account holder', 'maxlength="16" autocomplete="name"')}
  ${field('phone_number', '휴대전화 · Mobile phone', 'inputmode="tel" maxlength="13" placeholder="01012345678" autocomplete="tel"')}
  <p><button type="submit" data-testid="refund-submit">환불 요청 · Request refund</button></p>
</form>`;
}

function status(refund: Refund): string {
  const rows: [string, string][] = [
    ['환불 금액 · Amount', esc(formatKrw(refund.amount))],
    ['환불 번호 · Payout', `<span class="id" data-testid="refund-id">${esc(refund.payoutClId)}</span>`],
    ['계좌 · Account', esc(`${refund.bankCode} ···${refund.accountNumber.slice(-4)}`)],
  ];
  let note = '';
  if (refund.state === 'refused' || refund.state === 'failed')
    note = `<p class="short" data-testid="refund-error">${esc(refund.errorCode ? `${refund.errorCode}: ` : '')}${esc(refund.errorMessage ?? '')}</p>`;
  if (refund.state === 'unknown')
    note = `<p class="hint">게이트웨이의 답을 받지 못했습니다. 다시 보내지 않고 확인합니다 · The gateway's answer was lost: the shop checks with it, and never sends the refund twice.</p>
<form method="post" action="/orders/${esc(encodeURIComponent(refund.orderId))}/refund"><input type="hidden" name="attempt" value="${refund.attempt}"><button type="submit" data-testid="refund-check">지금 확인 · Check now</button></form>`;
  return `<h2>환불 · Refund</h2>
<p class="status refund-${refund.state}" role="status" data-testid="refund-state" data-state="${refund.state}">${STATE_TEXT[refund.state]}</p>
<dl>${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl>${note}`;
}

/** The refund part of the order page ('' for orders that are not refunded: pending or paid). */
export function refundSection(order: ShopOrder, refund: Refund | undefined): string {
  if (order.status !== 'underpaid' && order.status !== 'cancelled') return '';
  const amount = refundableAmount(order);
  if (amount === undefined)
    return '<div class="card refund" data-testid="refund-none"><p>입금된 금액이 없어 환불할 것이 없습니다 · Nothing was received: there is nothing to refund.</p></div>';
  if (!refund) return `<div class="card refund">${form(order, amount, 1)}</div>`;
  // A refused refund created nothing at the gateway: a new attempt (a new payout_cl_id) may follow.
  const again =
    refund.state === 'refused' && refund.attempt < MAX_REFUND_ATTEMPTS
      ? form(order, amount, refund.attempt + 1)
      : '';
  return `<div class="card refund">${status(refund)}${again}</div>`;
}
