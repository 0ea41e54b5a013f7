import { describe, expect, it } from 'vitest';
import { shopBadge } from './badge.js';
import { MemoryOrderRepository, type OrderRepository, type ShopOrder } from './orders.js';
import { orderJson, renderError, renderOrder, serviceLabel } from './pages.js';
import type { Refund } from './refunds.js';
import { orderCreatedResponse, orderResponse, wantsJson } from './responses.js';

const order = (fields: Partial<ShopOrder> = {}): ShopOrder => ({
  id: 'ORD-1',
  productId: 'red-ginseng',
  serviceId: 'SVC0015',
  amount: 8_900_000,
  status: 'pending',
  link: 'http://127.0.0.1:4010/cashier/PM1',
  createdAt: 0,
  updatedAt: 0,
  ...fields,
});

describe('shop pages', () => {
  it('names the payment method instead of its service id', () => {
    expect(serviceLabel('SVC0016')).toBe('계좌 이체 · Bank transfer');
    expect(serviceLabel('SVC0099')).toBe('SVC0099');
    expect(renderOrder(order())).toContain('data-testid="order-method">카드 결제 · Bank card<');
  });

  it('follows a pending order live and stops once it is final', () => {
    const pending = renderOrder(order());
    expect(pending).toContain('/orders/ORD-1.json');
    expect(pending).toContain('<noscript><meta http-equiv="refresh"');
    expect(pending).toContain('target="_blank"');
    const paid = renderOrder(order({ status: 'paid', realAmount: 8_900_000 }));
    expect(paid).not.toContain('<script>');
    expect(paid).not.toContain('data-testid="cashier-link"');
  });

  it('shows underpaid with the shortfall, never as paid', () => {
    const html = renderOrder(order({ status: 'underpaid', realAmount: 8_000_000 }));
    expect(/data-testid="order-status"[^>]*>([^<]*)</.exec(html)?.[1]).toBe('부분 입금 · underpaid');
    expect(html).toContain('data-testid="order-shortfall">₩9,000<');
  });

  it('escapes every value, including a hostile link and error message', () => {
    const html = renderOrder(order({ id: '<b>x</b>', link: 'javascript:"><script>alert(1)</script>' }));
    expect(html).not.toContain('<b>x');
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('href="javascript:');
    expect(renderError(400, '<img src=x>')).not.toContain('<img');
  });

  it('badges the framework, the duplicate store and the database', () => {
    expect(shopBadge('Koa', {}, new MemoryOrderRepository())).toEqual({
      framework: 'Koa',
      duplicateStore: 'memory',
      database: 'memory',
    });
    expect(shopBadge('Koa', { store: {} }, new MemoryOrderRepository())).toMatchObject({
      duplicateStore: 'Redis',
      database: 'memory',
    });
    const labelled = Object.assign(new MemoryOrderRepository() as OrderRepository, { label: 'SQLite' });
    expect(shopBadge('Hono', {}, labelled).database).toBe('SQLite');
    expect(shopBadge('Hono', { ledger: {}, database: { kind: 'pglite' } }, labelled)).toMatchObject({
      duplicateStore: 'ledger inbox',
      database: 'PostgreSQL (PGlite)',
    });
    expect(shopBadge('Hono', { ledger: {}, database: { kind: 'postgres' } }, labelled).database).toBe(
      'PostgreSQL',
    );
    const html = renderOrder(order(), shopBadge('NestJS', {}, new MemoryOrderRepository()));
    expect(html).toContain('data-testid="badge-framework">NestJS<');
  });

  it('answers JSON only when Accept names it', () => {
    expect(wantsJson('application/json')).toBe(true);
    expect(wantsJson('text/html,*/*')).toBe(false);
    expect(wantsJson(undefined)).toBe(false);
    expect(orderCreatedResponse(order(), undefined)).toMatchObject({
      status: 303,
      headers: { location: '/orders/ORD-1' },
    });
    expect(orderCreatedResponse(order(), 'application/json').status).toBe(201);
    expect(orderResponse('ORD-1.json', order(), undefined).headers['content-type']).toMatch(
      /^application\/json/,
    );
    expect(orderResponse('ORD-1', undefined, 'text/html').status).toBe(404);
  });
});

describe('the refund part of the order page', () => {
  const refund = (fields: Partial<Refund> = {}): Refund => ({
    payoutClId: 'ORD-1-R1',
    orderId: 'ORD-1',
    attempt: 1,
    amount: 8_000_000,
    state: 'accepted',
    bankCode: 'KB',
    accountNumber: '1002123456789',
    accountHolder: '<b>홍</b>',
    phoneNumber: '01012345678',
    notificationsApplied: 0,
    finalNotificationsApplied: 0,
    createdAt: 0,
    updatedAt: 0,
    ...fields,
  });

  it('offers the form for a cancelled order only when money was received, for that amount', () => {
    const received = renderOrder(order({ status: 'cancelled', realAmount: 3_000_000 }));
    expect(received).toContain('data-testid="refund-form"');
    expect(received).toContain('data-testid="refund-amount">₩30,000<');
    const nothing = renderOrder(order({ status: 'cancelled', realAmount: 0 }));
    expect(nothing).not.toContain('data-testid="refund-form"');
    expect(nothing).toContain('data-testid="refund-none"');
    expect(renderOrder(order({ status: 'paid', realAmount: 8_900_000 }))).not.toContain(
      'data-testid="refund',
    );
    expect(renderOrder(order())).not.toContain('data-testid="refund');
  });

  it('shows a refused refund with its code and offers the next attempt; an unknown one a check; escapes what was typed', () => {
    const underpaid = order({ status: 'underpaid', realAmount: 8_000_000 });
    const refused = renderOrder(
      underpaid,
      undefined,
      refund({ state: 'refused', errorCode: '0018', errorMessage: 'balance <short>' }),
    );
    expect(refused).toContain('data-testid="refund-error">0018: balance &#60;short&#62;<');
    expect(refused).toContain('name="attempt" value="2"');
    const unknown = renderOrder(underpaid, undefined, refund({ state: 'unknown' }));
    expect(unknown).toContain('checking with the gateway');
    expect(unknown).toContain('data-testid="refund-check"');
    expect(unknown).toContain('<script>'); // follows the refund live
    expect(unknown).not.toContain('data-testid="refund-form"');
    const paidOut = renderOrder(underpaid, undefined, refund({ state: 'paid_out' }));
    expect(paidOut).not.toContain('<script>');
    expect(paidOut).not.toContain('<b>');
    expect(paidOut).toContain('KB ···6789');
  });

  it('carries the refund in the order JSON', () => {
    const underpaid = order({ status: 'underpaid', realAmount: 8_000_000 });
    expect(orderJson(underpaid).refund).toBeNull();
    expect(orderJson(underpaid, refund({ state: 'refused', errorCode: '0012' })).refund).toEqual({
      payoutClId: 'ORD-1-R1',
      attempt: 1,
      amount: 8_000_000,
      state: 'refused',
      errorCode: '0012',
    });
  });
});
