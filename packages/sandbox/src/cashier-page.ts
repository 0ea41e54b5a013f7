// The payer-facing cashier page: self-contained HTML (no external assets), Korean with English
// labels, plain forms that POST and redirect back (303), laid out for a 390 px phone first. The QR
// picture is a deterministic pattern derived from qr_code_content, not a scannable QR code.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { formatKrw, isDiamondPayError, toMinorUnits } from '@diamondpay/core';
import { DEPOSIT_STATE_LABEL, depositState } from './deposit-state.js';
import { invalid } from './errors.js';
import { esc, FAVICON_LINK, FONT_STACK, HTML_TYPE } from './html.js';
import { readBody, redirect, segmentsAfter, send } from './http-util.js';
import type { SandboxOrder } from './orders.js';
import { hashString, mulberry32 } from './rng.js';

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
*{box-sizing:border-box}html{-webkit-text-size-adjust:100%}
body{margin:0;font-family:${FONT_STACK};background:#f3f4f8;color:#1c1f2a;line-height:1.45}
main{max-width:460px;margin:32px auto;background:#fff;border-radius:14px;box-shadow:0 2px 14px #0002;padding:24px}
@media (max-width:500px){main{margin:0;border-radius:0;box-shadow:none;padding:20px 16px;min-height:100vh}}
h1{font-size:18px;margin:0 0 4px;word-break:keep-all}.sub{color:#5b6170;font-size:13px;margin:0 0 18px;word-break:keep-all}
.due{font-size:13px;color:#5b6170;margin:0}
.amount{font-size:36px;font-weight:800;margin:2px 0 10px;white-space:nowrap;letter-spacing:-.5px}
.status{display:inline-block;padding:4px 12px;border-radius:99px;background:#e6e9f7;color:#23306b;font-weight:600;white-space:nowrap}
.paid{background:#dff5e3;color:#176b2c}.underpaid{background:#fff1d6;color:#6b4100}
.cancelled,.failed,.expired{background:#fde2e2;color:#8a1c1c}
dl{margin:18px 0;padding:0}
.row{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:center;gap:2px 12px;padding:9px 0;border-bottom:1px solid #eceef3}
dt{color:#5b6170;font-size:13px;word-break:keep-all}
dd{margin:0 0 0 auto;font-weight:600;word-break:keep-all;overflow-wrap:normal;text-align:right;max-width:100%}
.mono{font-family:ui-monospace,"NanumGothicCoding","DejaVu Sans Mono",monospace;white-space:nowrap;display:inline-block;max-width:100%;overflow-x:auto;vertical-align:middle}
.account{display:flex;align-items:center;justify-content:flex-end;gap:8px;flex-wrap:nowrap}
.account .mono{font-size:17px;letter-spacing:.5px}
.short{color:#8a1c1c}
form{margin:10px 0}button{width:100%;padding:12px;border:0;border-radius:10px;font-size:15px;font-weight:600;cursor:pointer;font-family:inherit}
button.copy{width:auto;padding:6px 10px;font-size:13px;background:#e8ecf8;color:#1c1f2a;border-radius:8px;white-space:nowrap;flex:none}
.pay{background:#2451d6;color:#fff}.alt{background:#e8ecf8;color:#1c1f2a}.cancel{background:#fff;color:#8a1c1c;border:1px solid #d9a0a0}
label{display:block;font-size:13px;color:#3f4656;margin-bottom:6px;word-break:keep-all}
input{width:100%;padding:10px;border:1px solid #aab;border-radius:8px;font-size:16px;margin-bottom:8px;font-family:inherit}
button:focus-visible,input:focus-visible{outline:3px solid #2451d6;outline-offset:2px}
.qr{text-align:center;margin:12px 0}.qr svg{max-width:100%;height:auto}
.qr code{display:block;font-size:11px;color:#5b6170;word-break:break-all}
.error{background:#fde2e2;color:#8a1c1c;padding:10px;border-radius:8px;overflow-wrap:anywhere}
.note{font-size:13px;color:#5b6170;margin-top:18px;word-break:keep-all}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}`;

// Reveals the copy buttons (useless without JS) and copies with the Clipboard API, falling back to
// selecting the text and execCommand for browsers that refuse the API.
const COPY_SCRIPT = `(function(){
var status=document.getElementById('copy-status');
document.querySelectorAll('[data-copy]').forEach(function(b){b.hidden=false;b.addEventListener('click',function(){
var text=b.getAttribute('data-copy');
function done(){b.textContent='복사됨 · Copied';if(status)status.textContent='계좌번호를 복사했습니다 · Account number copied';}
function fallback(){var el=document.getElementById(b.getAttribute('aria-controls'));if(!el)return;var r=document.createRange();r.selectNodeContents(el);var s=getSelection();s.removeAllRanges();s.addRange(r);try{if(document.execCommand('copy'))done();}catch(e){}}
if(navigator.clipboard&&navigator.clipboard.writeText)navigator.clipboard.writeText(text).then(done,fallback);else fallback();
});});})();`;

type Row = [label: string, valueHtml: string];

const text = (value: string | number, className = '') =>
  `<span class="value${className ? ` ${className}` : ''}">${esc(value)}</span>`;

function accountNumber(number: string): string {
  return `<span class="account"><span class="value mono" id="account-number" data-testid="account-number">${esc(number)}</span><button type="button" class="copy" hidden data-copy="${esc(number)}" aria-controls="account-number" data-testid="copy-account-number" aria-label="계좌번호 복사 · Copy account number">복사 · Copy</button></span>`;
}

/** The cashier page for one order (`error`: a message from a refused form post). The fee is the merchant's business and is never shown. */
export function renderCashierPage(order: SandboxOrder, error?: string): string {
  const base = `/cashier/${encodeURIComponent(order.paymentId)}`;
  const state = depositState(order);
  const pending = state === 'pending';
  const rows: Row[] = [
    ['주문번호 · Order', text(order.paymentClId, 'mono')],
    ['결제번호 · Payment', text(order.paymentId, 'mono')],
  ];
  if (pending) {
    rows.push(
      ['은행 · Bank', text(`${order.bankName} (${order.bankCode})`)],
      ['계좌번호 · Account', accountNumber(order.cardNumber)],
      ['예금주 · Account holder', text(order.cardName)],
      ['입금 참조 · Transfer reference', text(order.token, 'mono')],
    );
  } else if (state === 'paid' || state === 'underpaid') {
    rows.push([
      '입금액 · Received',
      `<span class="value" data-testid="received">${esc(formatKrw(order.realAmount))}</span>`,
    ]);
    if (state === 'underpaid')
      rows.push([
        '부족액 · Shortfall',
        `<span class="value short" data-testid="shortfall">${esc(formatKrw(order.amount - order.realAmount))}</span>`,
      ]);
  }
  const qr =
    pending && order.qrCodeContent
      ? `<div class="qr">${qrSvg(order.qrCodeContent)}<code data-testid="qr-content">${esc(order.qrCodeContent)}</code></div>`
      : '';
  const finalNote =
    state === 'paid'
      ? '결제가 완료되었습니다 · This payment is complete.'
      : state === 'underpaid'
        ? '입금액이 결제 금액보다 적습니다 · Less than the amount due was received.'
        : '이 결제는 종료되었습니다 · This payment is closed and cannot be paid.';
  const actions = pending
    ? `<form method="post" action="${base}/pay"><button class="pay" type="submit" data-testid="pay-full">전액 결제 · Pay in full (${esc(formatKrw(order.amount))})</button></form>
<form method="post" action="${base}/pay"><label for="partial-amount">다른 금액 (원 단위) · Different amount (whole won)</label>
<input id="partial-amount" name="amount" type="number" min="1" step="1" inputmode="numeric" pattern="[0-9]*" required data-testid="partial-amount">
<button class="alt" type="submit" data-testid="pay-partial">이 금액으로 결제 · Pay this amount</button></form>
<form method="post" action="${base}/cancel"><button class="cancel" type="submit" data-testid="cancel">결제 취소 · Cancel payment</button></form>
<p class="note" data-testid="reference-hint">입금 시 입금 참조를 입력하세요 · Quote the transfer reference with your transfer.</p>`
    : `<p class="note" data-testid="final-note">${esc(finalNote)}</p>`;
  return `<!doctype html>
<html lang="ko"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Diamond Pay 결제 · Checkout ${esc(order.paymentId)}</title>${FAVICON_LINK}<style>${STYLE}</style></head>
<body><main>
<h1>Diamond Pay 결제 · Checkout</h1><p class="sub">샌드박스 · Sandbox: no real money moves.</p>
${error ? `<p class="error" role="alert" data-testid="error">${esc(error)}</p>` : ''}
<p class="due">결제 금액 · Amount due</p>
<div class="amount" data-testid="amount">${esc(formatKrw(order.amount))}</div>
<span class="status ${state}" role="status" data-testid="status">${esc(DEPOSIT_STATE_LABEL[state])}</span>
<dl>${rows.map(([k, v]) => `<div class="row"><dt>${esc(k)}</dt><dd>${v}</dd></div>`).join('')}</dl>
<p id="copy-status" class="sr-only" aria-live="polite"></p>
${qr}${actions}
<p class="note">결제 후 이 창을 닫고 상점으로 돌아가세요 · When done, close this tab and return to the shop.</p>
</main>${pending ? `<script>${COPY_SCRIPT}</script>` : ''}</body></html>`;
}

function notFoundPage(paymentId: string): string {
  return `<!doctype html>
<html lang="ko"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>주문 없음 · Payment not found</title>${FAVICON_LINK}<style>${STYLE}</style></head>
<body><main>
<h1>주문 없음 · Payment not found</h1>
<p class="sub">샌드박스 · Sandbox</p>
<p class="error" role="alert" data-testid="not-found">결제번호 <span class="mono">${esc(paymentId)}</span>을(를) 찾을 수 없습니다 · There is no payment with this id. It may belong to another sandbox run: a sandbox forgets every order when it stops.</p>
</main></body></html>`;
}

/** Whole won typed by the payer (digits, optional thousands commas) → cents. */
export function wholeWonToCents(input: string): number {
  const digits = input.trim().replace(/,/g, '');
  if (!/^\d{1,11}$/.test(digits))
    throw invalid(
      `amount must be a whole number of won, e.g. 45000 (got ${JSON.stringify(input.slice(0, 20))})`,
    );
  return toMinorUnits(digits);
}

export interface CashierActions {
  byPaymentId(paymentId: string): SandboxOrder | undefined;
  /** Pays the order (`realAmount` cents, default the full amount). Throws a SandboxError when refused. */
  pay(order: SandboxOrder, realAmount: number | undefined): Promise<unknown>;
  cancel(order: SandboxOrder): Promise<unknown>;
}

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
    send(res, 404, HTML_TYPE, notFoundPage(paymentId), { 'cache-control': 'no-store' });
    return;
  }
  const page = `/cashier/${encodeURIComponent(order.paymentId)}`;
  if (action === undefined) {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'text/plain;charset=utf-8', 'Method Not Allowed', { allow: 'GET' });
      return;
    }
    const error = new URLSearchParams(query).get('error') ?? undefined;
    send(res, 200, HTML_TYPE, renderCashierPage(order, error), { 'cache-control': 'no-store' });
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
      await actions.pay(order, won === null ? undefined : wholeWonToCents(won));
    }
    redirect(res, page);
  } catch (error) {
    const message = isDiamondPayError(error) || error instanceof Error ? error.message : String(error);
    redirect(res, `${page}?error=${encodeURIComponent(message.split('\n').join(' '))}`);
  }
}
