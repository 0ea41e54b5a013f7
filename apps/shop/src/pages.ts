// Server-rendered HTML for the demo shop (no external assets). Korean first, English beside it.
import { formatKrw } from '@diamondpay/core';
import type { Shop, ShopOrder } from './orders.js';

const STATUS_TEXT: Record<ShopOrder['status'], string> = {
  pending: '결제 대기 · pending',
  paid: '결제 완료 · paid',
  underpaid: '부분 입금 · underpaid',
  cancelled: '취소됨 · cancelled',
};

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string, head = ''): string {
  return `<!doctype html>
<html lang="ko">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
${head}
<style>
  body { font-family: system-ui, 'Apple SD Gothic Neo', 'Noto Sans KR', sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; color: #1d2433; }
  .card { border: 1px solid #d8dde8; border-radius: 12px; padding: 1.25rem; }
  .price { font-size: 1.8rem; font-weight: 700; }
  form { display: inline-block; margin: .25rem .25rem 0 0; }
  button { font-size: 1rem; padding: .6rem 1rem; border-radius: 8px; border: 0; background: #2456d3; color: #fff; cursor: pointer; }
  .status { font-weight: 700; }
  .status-paid { color: #127a3a; } .status-underpaid { color: #b36b00; } .status-cancelled { color: #a32020; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; }
  dt { color: #5a6478; }
</style>
</head>
<body>
${body}
</body>
</html>`;
}

/** The home page: the featured product and one Pay button per Korea service. */
export function renderHome(shop: Shop): string {
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
    `<h1>다이아몬드 상점 · Diamond shop</h1>
<div class="card">
  <h2>${escapeHtml(p.nameKo)} <small>${escapeHtml(p.name)}</small></h2>
  <p class="price" data-testid="price">${formatKrw(p.priceCents)}</p>
  <p>결제 수단을 선택하세요 · Choose how to pay:</p>
  ${buttons}
</div>
<p><small>Payments go to the local Diamond Pay sandbox: no real money moves.</small></p>`,
  );
}

/** The order page; refreshes itself while the order is pending. */
export function renderOrder(order: ShopOrder): string {
  const head = order.status === 'pending' ? '<meta http-equiv="refresh" content="1">' : '';
  const rows: [string, string][] = [
    ['주문번호 · Order', order.id],
    ['금액 · Amount', formatKrw(order.amount)],
    ['결제 수단 · Service', order.serviceId],
  ];
  if (order.realAmount !== undefined) rows.push(['입금액 · Received', formatKrw(order.realAmount)]);
  if (order.paymentId) rows.push(['거래번호 · Payment', order.paymentId]);
  const link =
    order.status === 'pending' && order.link
      ? `<p><a href="${escapeHtml(order.link)}">결제하기 · Go to payment</a></p>`
      : '';
  return page(
    `Order ${order.id}`,
    `<h1>주문 · Order</h1>
<div class="card">
  <p class="status status-${order.status}" data-testid="order-status">${STATUS_TEXT[order.status]}</p>
  <dl>${rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>
  ${link}
</div>
<p><a href="/">← 상점 · Shop</a></p>`,
    head,
  );
}

export function orderJson(order: ShopOrder) {
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
  };
}
