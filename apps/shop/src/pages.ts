// Server-rendered HTML for the demo shop (no external assets). Korean first, English beside it.
// The order page is the shopper's place after "pay": it links to the cashier page (a new tab), shows
// the QR for the QR service, and follows the order live until the notification makes it final.
import { formatKrw } from '@diamondpay/core';
import qrcode from 'qrcode-generator';
import type { ShopBadge } from './badge.js';
import { SERVICES } from './catalogue.js';
import type { Shop, ShopOrder } from './orders.js';
import { refundInProgress, refundJson, refundSection } from './refund-pages.js';
import type { Refund } from './refunds.js';

const STATUS_TEXT: Record<ShopOrder['status'], string> = {
  pending: '결제 대기 · pending',
  paid: '결제 완료 · paid',
  underpaid: '부분 입금 · underpaid',
  cancelled: '취소됨 · cancelled',
};

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The payment method's name ("카드 결제 · Bank card"), or the bare service id for an unknown one. */
export function serviceLabel(serviceId: string): string {
  const s = SERVICES.find((x) => x.id === serviceId);
  return s ? `${s.labelKo} · ${s.label}` : serviceId;
}

const FAVICON = `<link rel="icon" type="image/svg+xml" href="data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#2456d3"/><path d="M9 13h14l-2 11H11z" fill="#fff"/><path d="M12 13a4 4 0 0 1 8 0" stroke="#fff" stroke-width="2" fill="none"/></svg>',
)}">`;

function badgeHtml(badge: ShopBadge | undefined): string {
  if (!badge) return '';
  return `<p class="badge" data-testid="shop-badge"><span data-testid="badge-framework">${escapeHtml(badge.framework)}</span> · duplicates: <span data-testid="badge-duplicates">${escapeHtml(badge.duplicateStore)}</span> · orders: <span data-testid="badge-database">${escapeHtml(badge.database)}</span></p>`;
}

function page(title: string, body: string, badge: ShopBadge | undefined, head = ''): string {
  return `<!doctype html>
<html lang="ko">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
${FAVICON}
${head}
<style>
  * { box-sizing: border-box; }
  body { font-family: system-ui, 'Apple SD Gothic Neo', 'Malgun Gothic', 'NanumGothic', 'Nanum Gothic', 'Noto Sans CJK KR', 'Noto Sans KR', sans-serif; max-width: 40rem; margin: 1.5rem auto; padding: 0 1rem; color: #1d2433; line-height: 1.5; }
  header { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: center; gap: .5rem 1rem; margin-bottom: 1rem; }
  header a { color: inherit; text-decoration: none; font-weight: 700; font-size: 1.1rem; }
  .badge { margin: 0; font-size: .8rem; background: #eef1f8; color: #354058; border-radius: 99px; padding: .2rem .7rem; }
  h1 { font-size: 1.5rem; word-break: keep-all; }
  .card { border: 1px solid #d8dde8; border-radius: 12px; padding: 1.25rem; }
  .price { font-size: 1.8rem; font-weight: 700; margin: .25rem 0; }
  form { display: inline-block; margin: .25rem .25rem 0 0; }
  button, .button { font: inherit; font-size: 1rem; padding: .6rem 1rem; border-radius: 8px; border: 0; background: #2456d3; color: #fff; cursor: pointer; text-decoration: none; display: inline-block; }
  button:focus-visible, a:focus-visible { outline: 3px solid #2456d3; outline-offset: 2px; }
  .status { font-weight: 700; font-size: 1.2rem; margin: 0 0 .75rem; }
  .status-paid { color: #127a3a; } .status-underpaid { color: #8a5200; } .status-cancelled { color: #a32020; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; }
  dt { color: #5a6478; } dd { margin: 0; word-break: keep-all; overflow-wrap: normal; }
  .id { white-space: nowrap; font-variant-numeric: tabular-nums; }
  @media (max-width: 480px) { dl { grid-template-columns: 1fr; gap: 0; } dd { margin-bottom: .5rem; font-weight: 600; } }
  .qr { margin: 1rem 0; } .qr svg { width: 180px; height: 180px; }
  .hint { color: #5a6478; font-size: .9rem; }
  .short { color: #a32020; font-weight: 700; }
  .refund-paid_out { color: #127a3a; } .refund-refused, .refund-failed { color: #a32020; }
  .refund { margin-top: 1rem; } .refund h2 { font-size: 1.1rem; margin: 0 0 .5rem; }
  .refund-form label { display: block; margin: .4rem 0; } .refund-form input { font: inherit; padding: .4rem; width: 100%; max-width: 20rem; }
</style>
</head>
<body>
<header><a href="/">다이아몬드 상점 · Diamond shop</a>${badgeHtml(badge)}</header>
<main>
${body}
</main>
</body>
</html>`;
}

/** The home page: the featured product and one Pay button per Korea service. */
export function renderHome(shop: Shop, badge?: ShopBadge): string {
  const p = shop.featured;
  const buttons = shop.services
    .map(
      (s) => `<form method="post" action="/orders">
  <input type="hidden" name="product_id" value="${escapeHtml(p.id)}">
  <input type="hidden" name="service_id" value="${escapeHtml(s.id)}">
  <button type="submit" data-testid="pay-${escapeHtml(s.id)}">${escapeHtml(s.labelKo)} · ${escapeHtml(s.label)}</button>
</form>`,
    )
    .join('\n');
  return page(
    `${p.nameKo} — Diamond Pay demo`,
    `<div class="card">
  <h1>${escapeHtml(p.nameKo)} <small>${escapeHtml(p.name)}</small></h1>
  <p class="price" data-testid="price">${formatKrw(p.priceCents)}</p>
  <p>결제 수단을 선택하세요 · Choose how to pay:</p>
  ${buttons}
</div>
<p class="hint">Payments go to the local Diamond Pay sandbox: no real money moves.</p>`,
    badge,
  );
}

/** A scannable QR code (SVG) of `content`. */
function qrSvg(content: string): string {
  const qr = qrcode(0, 'M');
  qr.addData(content);
  qr.make();
  return qr
    .createSvgTag({ cellSize: 4, margin: 4, scalable: true })
    .replace('<svg ', '<svg role="img" aria-label="QR 코드 · QR code" data-testid="order-qr" ');
}

// While pending (or its refund is under way), the page asks for its own JSON every second and reloads
// once the status (or the refund's state) changes. Without JavaScript the <noscript> refresh does the
// same, more slowly.
function liveScript(order: ShopOrder, refund: Refund | undefined): string {
  const url = JSON.stringify(`/orders/${encodeURIComponent(order.id)}.json`);
  const refundState = JSON.stringify(refund?.state ?? null);
  return `<script>(function(){var tries=0;var t=setInterval(function(){if(++tries>1800){clearInterval(t);return;}
fetch(${url},{headers:{accept:'application/json'},cache:'no-store'}).then(function(r){return r.ok?r.json():null;}).then(function(o){
if(o&&(o.status!==${JSON.stringify(order.status)}||(o.refund?o.refund.state:null)!==${refundState})){clearInterval(t);location.reload();}}).catch(function(){});},1000);})();</script>`;
}

/** The order page (with its refund, if any); follows the order live while it is pending or refunding. */
export function renderOrder(order: ShopOrder, badge?: ShopBadge, refund?: Refund): string {
  const pending = order.status === 'pending';
  const live = pending || refundInProgress(refund);
  const head = live ? '<noscript><meta http-equiv="refresh" content="2"></noscript>' : '';
  const rows: [string, string][] = [
    ['주문번호 · Order', `<span class="id" data-testid="order-id">${escapeHtml(order.id)}</span>`],
    ['금액 · Amount', escapeHtml(formatKrw(order.amount))],
    [
      '결제 수단 · Payment method',
      `<span data-testid="order-method">${escapeHtml(serviceLabel(order.serviceId))}</span>`,
    ],
  ];
  if (order.realAmount !== undefined)
    rows.push([
      '입금액 · Received',
      `<span data-testid="order-received">${escapeHtml(formatKrw(order.realAmount))}</span>`,
    ]);
  if (order.status === 'underpaid' && order.realAmount !== undefined)
    rows.push([
      '부족액 · Shortfall',
      `<span class="short" data-testid="order-shortfall">${escapeHtml(formatKrw(order.amount - order.realAmount))}</span>`,
    ]);
  if (order.paymentId)
    rows.push(['거래번호 · Payment', `<span class="id">${escapeHtml(order.paymentId)}</span>`]);
  let pay = '';
  // Only an http(s) link is ever made clickable: the link comes from the gateway's answer.
  if (pending && order.link && /^https?:\/\//i.test(order.link)) {
    const qr = order.qrCodeContent
      ? `<div class="qr">${qrSvg(order.qrCodeContent)}<p class="hint">은행 앱으로 QR을 스캔하세요 · Scan with your banking app.</p></div>`
      : '';
    pay = `${qr}<p><a class="button" href="${escapeHtml(order.link)}" target="_blank" rel="noopener" data-testid="cashier-link">결제하기 · Pay on the cashier page ↗</a></p>
<p class="hint" data-testid="live-hint">결제 페이지가 새 탭에서 열립니다. 이 페이지는 결제가 확인되면 자동으로 바뀝니다 · The cashier opens in a new tab; this page updates by itself when the payment is confirmed.</p>`;
  }
  const outcome =
    order.status === 'underpaid'
      ? '<p class="hint">입금액이 부족합니다. 주문은 결제 완료로 처리되지 않았습니다 · Less than the price arrived: the order is not paid.</p>'
      : order.status === 'cancelled'
        ? '<p class="hint">결제가 취소되었습니다 · The payment was cancelled.</p>'
        : '';
  return page(
    `Order ${order.id}`,
    `<h1>주문 · Order</h1>
<div class="card">
  <p class="status status-${order.status}" role="status" data-testid="order-status">${STATUS_TEXT[order.status]}</p>
  <dl>${rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${v}</dd>`).join('')}</dl>
  ${outcome}${pay}
</div>
${refundSection(order, refund)}
<p><a href="/">← 상점 · Shop</a></p>${live ? liveScript(order, refund) : ''}`,
    badge,
    head,
  );
}

/** An error page (400, 404, 502…) in the shop's style. */
export function renderError(status: number, message: string, badge?: ShopBadge): string {
  const title = status === 404 ? '찾을 수 없음 · Not found' : '요청 실패 · Request failed';
  return page(
    title,
    `<h1>${escapeHtml(title)}</h1><div class="card"><p data-testid="error">${escapeHtml(message)}</p></div><p><a href="/">← 상점 · Shop</a></p>`,
    badge,
  );
}

/** The order as JSON (amounts in cents); `refund` is the order's latest refund, or null. */
export function orderJson(order: ShopOrder, refund?: Refund) {
  return {
    id: order.id,
    product_id: order.productId,
    service_id: order.serviceId,
    amount: order.amount,
    status: order.status,
    payment_id: order.paymentId ?? null,
    link: order.link ?? null,
    real_amount: order.realAmount ?? null,
    created_at: new Date(order.createdAt).toISOString(),
    updated_at: new Date(order.updatedAt).toISOString(),
    refund: refund ? refundJson(refund) : null,
  };
}
