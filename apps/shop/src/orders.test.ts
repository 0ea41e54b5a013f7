import type { DepositNotification } from '@diamondpay/core';
import { describe, expect, it } from 'vitest';
import { loadShopConfig, notifyUrlFor } from './config.js';
import { Shop, UnknownOrderError } from './orders.js';
import { renderHome, renderOrder } from './pages.js';

function note(id: string, fields: Partial<DepositNotification>): DepositNotification {
  return {
    kind: 'deposit',
    payment_id: 'PM1',
    payment_cl_id: id,
    platform_id: 'PF0002',
    amount: 8_900_000,
    real_amount: 8_900_000,
    fee: 0,
    status: 2,
    create_time: 1,
    update_time: 2,
    sign: 'x',
    outcome: 'paid',
    extra: {},
    ...fields,
  };
}

describe('Shop', () => {
  it('prices the featured product in cents and renders it in won', async () => {
    const shop = new Shop();
    expect(shop.featured.priceCents).toBe(8_900_000);
    const html = renderHome(shop);
    expect(html).toContain('₩89,000');
    for (const id of ['SVC0015', 'SVC0016', 'SVC0017']) expect(html).toContain(`data-testid="pay-${id}"`);
  });

  it('pays a pending order once; later notifications change nothing', async () => {
    const shop = new Shop();
    const order = await shop.newOrder({ productId: 'red-ginseng', serviceId: 'SVC0015' });
    expect(order.status).toBe('pending');
    expect((await shop.applyNotification(note(order.id, {}))).changed).toBe(true);
    expect((await shop.applyNotification(note(order.id, { status: 3, outcome: 'not_paid' }))).changed).toBe(
      false,
    );
    expect((await shop.getOrder(order.id))?.status).toBe('paid');
    expect(renderOrder((await shop.getOrder(order.id))!)).toContain('data-testid="order-status"');
  });

  it('marks a short payment underpaid, against the shop price, not the notified amount', async () => {
    const shop = new Shop();
    const order = await shop.newOrder({ productId: 'red-ginseng', serviceId: 'SVC0016' });
    await shop.applyNotification(note(order.id, { amount: 100, real_amount: 100 }));
    expect(await shop.getOrder(order.id)).toMatchObject({ status: 'underpaid', realAmount: 100 });
  });

  it('cancels on a final not-paid status and ignores pending ones', async () => {
    const shop = new Shop();
    const order = await shop.newOrder({ productId: 'jeju-tea', serviceId: 'SVC0017' });
    expect((await shop.applyNotification(note(order.id, { status: 1, outcome: 'pending' }))).changed).toBe(
      false,
    );
    await shop.applyNotification(note(order.id, { status: 4, outcome: 'not_paid', real_amount: 0 }));
    expect((await shop.getOrder(order.id))?.status).toBe('cancelled');
  });

  it('refuses unknown orders (so the gateway retries) and unknown products or services', async () => {
    const shop = new Shop();
    await expect(shop.applyNotification(note('NOPE', {}))).rejects.toBeInstanceOf(UnknownOrderError);
    await expect(shop.newOrder({ productId: 'x', serviceId: 'SVC0015' })).rejects.toThrow(/unknown product/);
    await expect(shop.newOrder({ productId: 'kimchi', serviceId: 'SVC9999' })).rejects.toThrow(
      /unknown service/,
    );
  });

  it('reads configuration from the environment with sandbox defaults', () => {
    const c = loadShopConfig({ PORT: '0', DIAMONDPAY_BASE_URL: 'http://127.0.0.1:9' });
    expect(c.gateway).toMatchObject({ baseUrl: 'http://127.0.0.1:9', platformId: 'PF0002' });
    expect(() => notifyUrlFor(c, '/n')).toThrow(/publicUrl/);
    expect(notifyUrlFor({ ...c, publicUrl: 'http://127.0.0.1:5/' }, 'n')).toBe('http://127.0.0.1:5/n');
  });
});
