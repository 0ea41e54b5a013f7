// The purchase as a shopper does it, in headless Chromium: shop → Pay → sandbox cashier → pay in
// full → the order page (open in another tab, reloading itself while pending) turns paid.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.js';
import { type StartDemo, useSandboxedDemo } from './fixture.js';

/** A test id's text, polled until it matches; bounded. '' while the page is between reloads. */
function pollText(page: Page, testId: string, timeout = 15_000) {
  return expect.poll(
    () =>
      page
        .getByTestId(testId)
        .textContent({ timeout: 1_000 })
        .catch(() => ''),
    { timeout, interval: 200 },
  );
}

/** Registers `<name> in Chromium`: one purchase of the featured product with a bank card. */
export function describeBrowserPurchase(name: string, start: StartDemo): void {
  describe(`${name} in Chromium`, () => {
    const demo = useSandboxedDemo(start);
    let browser: Browser | undefined;
    beforeAll(async () => {
      browser = await launchChromium();
    }, 120_000);
    afterAll(async () => {
      await browser?.close();
    });

    it('buys the featured product with the bank card service and sees the order turn paid', async () => {
      const { app, sandbox } = demo;
      const context = await browser!.newContext();
      try {
        const shopPage = await context.newPage();
        shopPage.setDefaultTimeout(15_000);
        await shopPage.goto(`${app.url}/`);
        await expect(shopPage.getByTestId('price').textContent()).resolves.toContain('₩89,000');

        // Pay → POST /orders → 303 to the sandbox cashier page.
        await Promise.all([
          shopPage.waitForURL((url) => url.href.startsWith(`${sandbox.url}/cashier/`)),
          shopPage.getByTestId('pay-SVC0015').click(),
        ]);
        await pollText(shopPage, 'status').toContain('pending');
        const cashierUrl = shopPage.url();
        const order = (await app.shop.listOrders()).find((o) => o.link === cashierUrl);
        expect(order?.status).toBe('pending');

        // The shopper's order page, open beside the cashier, shows pending until the notification.
        const orderPage = await context.newPage();
        orderPage.setDefaultTimeout(15_000);
        await orderPage.goto(`${app.url}/orders/${order!.id}`);
        await pollText(orderPage, 'order-status').toContain('pending');

        await shopPage.getByTestId('pay-full').click();
        await pollText(shopPage, 'status').toContain('paid');
        // The order page reloads every second; the sandbox notification arrives within milliseconds.
        await pollText(orderPage, 'order-status').toMatch(/\bpaid\b/);
        expect((await app.shop.getOrder(order!.id))?.status).toBe('paid');
        expect(sandbox.deliveries({ paymentClId: order!.id }).some((d) => d.acked)).toBe(true);
      } finally {
        await context.close();
      }
    }, 120_000);
  });
}
