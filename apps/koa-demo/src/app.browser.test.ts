// One purchase in headless Chromium: shop → Pay → sandbox cashier → pay in full → order page paid.

import { type Sandbox, startSandbox } from '@diamondpay/sandbox';
import { loadShopConfig } from '@diamondpay-demo/shop';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApp, startApp } from './app.js';

let sb: Sandbox;
let app: RunningApp;
let browser: Browser;

beforeAll(async () => {
  sb = await startSandbox({ timeScale: 0.001, seed: 11 });
  app = await startApp(
    loadShopConfig({}, { host: '127.0.0.1', port: 0, gateway: { baseUrl: sb.url, ...sb.merchant } }),
  );
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
    timeout: 30_000,
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await sb?.close();
});

/** Text of a test id, polled (the order page reloads itself while pending); bounded. */
async function waitForText(page: Page, testId: string, pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text =
      (await page
        .getByTestId(testId)
        .textContent({ timeout: 1_000 })
        .catch(() => '')) ?? '';
    if (pattern.test(text)) return text;
    await page.waitForTimeout(200);
  }
  throw new Error(
    `${testId} never matched ${pattern} within ${timeoutMs} ms (last: ${JSON.stringify(text)})`,
  );
}

describe('koa-demo in Chromium', () => {
  it('buys the featured product with a bank card and sees the order turn paid', async () => {
    const context = await browser.newContext();
    try {
      const shopPage = await context.newPage();
      shopPage.setDefaultTimeout(10_000);
      await shopPage.goto(app.url);
      await expect(shopPage.getByTestId('price').textContent()).resolves.toContain('₩89,000');

      // Pay → POST /orders → 303 to the sandbox cashier page.
      await Promise.all([
        shopPage.waitForURL(`${sb.url}/cashier/**`),
        shopPage.getByTestId('pay-SVC0015').click(),
      ]);
      const cashierUrl = shopPage.url();
      const order = (await app.shop.listOrders()).find((o) => o.link === cashierUrl);
      expect(order?.status).toBe('pending');

      // The order page, open beside the cashier, shows pending until the notification arrives.
      const orderPage = await context.newPage();
      orderPage.setDefaultTimeout(10_000);
      await orderPage.goto(`${app.url}/orders/${order!.id}`);
      await waitForText(orderPage, 'order-status', /pending/);

      await shopPage.getByTestId('pay-full').click();
      await waitForText(shopPage, 'status', /paid/);

      const status = await waitForText(orderPage, 'order-status', /paid/);
      expect(status).not.toMatch(/underpaid/);
      expect((await app.shop.getOrder(order!.id))?.status).toBe('paid');
      expect(sb.deliveries({ paymentClId: order!.id }).some((d) => d.acked)).toBe(true);
    } finally {
      await context.close();
    }
  }, 60_000);
});
