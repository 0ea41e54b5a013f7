import { describe, expect, it } from 'vitest';
import { shopBadge } from './badge.js';
import { MemoryOrderRepository, type OrderRepository, type ShopOrder } from './orders.js';
import { renderError, renderOrder, serviceLabel } from './pages.js';
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
