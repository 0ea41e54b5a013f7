// The payer-facing cashier page: self-contained HTML (no external assets), Korean with English
// labels, plain forms that POST and redirect back (303). The QR picture is a deterministic pattern
// derived from qr_code_content, not a scannable QR code.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { formatKrw, isDiamondPayError, toMinorUnits } from '@diamondpay/core';
import { readBody, redirect, segmentsAfter, send } from './http-util.js';
import type { SandboxOrder } from './orders.js';
import { hashString, mulberry32 } from './rng.js';

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function esc(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** Status label: Korean, then the English word tests and people look for (paid / cancelled / pending). */
export function statusLabel(status: number): string {
  switch (status) {
    case 0:
      return '결제 대기 · pending';
    case 1:
      return '처리 중 · pending (processing)';
    case 2:
      return '결제 완료 · paid';
    case 3:
      return '취소됨 · cancelled';
    case 4:
      return '실패 · cancelled (failed)';
    case 5:
      return '만료 · cancelled (expired)';
    default:
      return `상태 ${status} · unknown`;
  }
}

/** A QR-looking SVG: three finder squares and a pseudo-random module field seeded by `content`. */
export function qrSvg(content: string, size = 29): string {
  const random = mulberry32(hashString(content));
  const finder = (x: number, y: number) => x < 8 && y < 8;
  const inFinder = (x: number, y: number) =>
    finder(x, y) || finder(size - 1 - x, y) || finder(x, size - 1 - y);
  let path = '';
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (inFinder(x, y)) continue;
      if (random() < 0.5) path += `M${x} ${y}h1v1h-1z`;
    }
  }
  const eye = (x: number, y: number) =>
    `<path d="M${x} ${y}h7v7h-7zM${x + 1} ${y + 1}v5h5v-5z" fill-rule="evenodd"/><rect x="${x + 2}" y="${y + 2}" width="3" height="3"/>`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="-2 -2 ${size + 4} ${size + 4}" width="200" height="200" role="img" aria-label="QR code (sandbox picture, not scannable)" data-testid="qr">` +
    `<rect x="-2" y="-2" width="${size + 4}" height="${size + 4}" fill="#fff"/><g fill="#111">` +
    `${eye(0, 0)}${eye(size - 7, 0)}${eye(0, size - 7)}<path d="${path}"/></g></svg>`
  );
}

const STYLE = `
*{box-sizing:border-box}body{margin:0;font-family:system-ui,-apple-system,"Apple SD Gothic Neo","Malgun Gothic",sans-serif;background:#f3f4f8;color:#1c1f2a}
main{max-width:460px;margin:32px auto;background:#fff;border-radius:14px;box-shadow:0 2px 14px #0002;padding:24px}
h1{font-size:18px;margin:0 0 4px}.sub{color:#667;font-size:13px;margin:0 0 18px}
.amount{font-size:32px;font-weight:700;margin:8px 0}.status{display:inline-block;padding:4px 10px;border-radius:99px;background:#eef;font-weight:600}
.s2{background:#dff5e3;color:#176b2c}.s3,.s4,.s5{background:#fde2e2;color:#8a1c1c}
dl{display:grid;grid-template-columns:auto 1fr;gap:6px 14px;margin:18px 0}dt{color:#667}dd{margin:0;font-weight:600;word-break:break-all}
form{margin:10px 0}button{width:100%;padding:12px;border:0;border-radius:10px;font-size:15px;font-weight:600;cursor:pointer}
.pay{background:#2451d6;color:#fff}.alt{background:#e8ecf8;color:#1c1f2a}.cancel{background:#fff;color:#8a1c1c;border:1px solid #e3b4b4}
label{display:block;font-size:13px;color:#445;margin-bottom:6px}input{width:100%;padding:10px;border:1px solid #ccd;border-radius:8px;font-size:15px;margin-bottom:8px}
.qr{text-align:center;margin:12px 0}.qr code{display:block;font-size:11px;color:#667;word-break:break-all}
.error{background:#fde2e2;color:#8a1c1c;padding:10px;border-radius:8px}.note{font-size:12px;color:#889;margin-top:18px}`;

/** The cashier page for one order (`error`: a message from a refused form post). */
export function renderCashierPage(order: SandboxOrder, error?: string): string {
  const base = `/cashier/${encodeURIComponent(order.paymentId)}`;
  const pending = order.status === 0 || order.status === 1;
  const rows: [string, string][] = [
    ['주문번호 · Order', order.paymentClId],
    ['결제번호 · Payment', order.paymentId],
  ];
  if (pending) {
    rows.push(
      ['은행 · Bank', `${order.bankName} (${order.bankCode})`],
      ['계좌번호 · Account', order.cardNumber],
      ['예금주 · Account holder', order.cardName],
      ['입금 참조 · Transfer reference', order.token],
    );
  } else if (order.status === 2) {
    rows.push(['입금액 · Received', formatKrw(order.realAmount)], ['수수료 · Fee', formatKrw(order.fee)]);
  }
  const qr =
    pending && order.qrCodeContent
      ? `<div class="qr">${qrSvg(order.qrCodeContent)}<code data-testid="qr-content">${esc(order.qrCodeContent)}</code></div>`
      : '';
  const actions = pending
    ? `<form method="post" action="${base}/pay"><button class="pay" type="submit" data-testid="pay-full">전액 결제 · Pay in full (${esc(formatKrw(order.amount))})</button></form>
<form method="post" action="${base}/pay"><label for="partial-amount">다른 금액 (원) · Different amount (won)</label>
<input id="partial-amount" name="amount" type="number" min="0.01" step="0.01" inputmode="decimal" required data-testid="partial-amount">
<button class="alt" type="submit" data-testid="pay-partial">이 금액으로 결제 · Pay this amount</button></form>
<form method="post" action="${base}/cancel"><button class="cancel" type="submit" data-testid="cancel">결제 취소 · Cancel payment</button></form>`
    : '<p class="sub">이 주문은 완료되었습니다 · This order is final.</p>';
  return `<!doctype html>
<html lang="ko"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Diamond Pay 결제 · Checkout ${esc(order.paymentId)}</title><style>${STYLE}</style></head>
<body><main>
<h1>Diamond Pay 결제 · Checkout</h1><p class="sub">샌드박스 · Sandbox: no real money moves.</p>
${error ? `<p class="error" role="alert" data-testid="error">${esc(error)}</p>` : ''}
<div class="amount" data-testid="amount">${esc(formatKrw(order.amount))}</div>
<span class="status s${order.status}" data-testid="status">${esc(statusLabel(order.status))}</span>
<dl>${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>
${qr}${actions}
<p class="note">입금 시 참조 번호를 입력하세요 · Quote the transfer reference with your transfer.</p>
</main></body></html>`;
}

function notFoundPage(paymentId: string): string {
  return `<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>주문 없음 · Order not found</title></head><body><main><h1>주문 없음 · Order not found</h1><p>${esc(paymentId)}</p></main></body></html>`;
}

export interface CashierActions {
  byPaymentId(paymentId: string): SandboxOrder | undefined;
  /** Pays the order (`realAmount` cents, default the full amount). Throws a SandboxError when refused. */
  pay(order: SandboxOrder, realAmount: number | undefined): Promise<unknown>;
  cancel(order: SandboxOrder): Promise<unknown>;
}

const HTML = 'text/html;charset=utf-8';

/** Serves GET /cashier/{payment_id} and the POST forms /cashier/{payment_id}/pay|cancel. */
export async function handleCashier(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: string,
  actions: CashierActions,
): Promise<void> {
  const segments = segmentsAfter(path, '/cashier/');
  const paymentId = segments?.[0] ?? '';
  const action = segments?.[1];
  const order = actions.byPaymentId(paymentId);
  if (!segments || segments.length > 2 || !order) {
    send(res, 404, HTML, notFoundPage(paymentId));
    return;
  }
  const page = `/cashier/${encodeURIComponent(order.paymentId)}`;
  if (action === undefined) {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'text/plain;charset=utf-8', 'Method Not Allowed', { allow: 'GET' });
      return;
    }
    const error = new URLSearchParams(query).get('error') ?? undefined;
    send(res, 200, HTML, renderCashierPage(order, error), { 'cache-control': 'no-store' });
    return;
  }
  if ((action !== 'pay' && action !== 'cancel') || req.method !== 'POST') {
    send(res, action === 'pay' || action === 'cancel' ? 405 : 404, 'text/plain;charset=utf-8', 'Not Found');
    return;
  }
  const form = new URLSearchParams(await readBody(req, 16 * 1024));
  try {
    if (action === 'cancel') await actions.cancel(order);
    else {
      const won = form.get('amount');
      await actions.pay(order, won ? toMinorUnits(won) : undefined);
    }
    redirect(res, page);
  } catch (error) {
    const message = isDiamondPayError(error) || error instanceof Error ? error.message : String(error);
    redirect(res, `${page}?error=${encodeURIComponent(message.split('\n').join(' '))}`);
  }
}
