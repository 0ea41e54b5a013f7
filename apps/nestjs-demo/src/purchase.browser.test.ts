// The purchase as a shopper does it, in headless Chromium: shop → Pay → sandbox cashier → pay in
// full → the order page turns paid.

import { type Sandbox, startSandbox } from '@diamondpay/sandbox';
import { loadShopConfig, Shop } from '@diamondpay-demo/shop';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningApp, startApp } from './app.js';

let sb: Sandbox;
let shop: RunningApp;
let browser: Browser;

beforeAll(async () => {
  sb = await startSandbox({ timeScale: 0.001, seed: 1 });
  const config = loadShopConfig(
    {},
    { host: '127.0.0.1', port: 0, gateway: { baseUrl: sb.url, ...sb.merchant } },
  );
  shop = await startApp(config, new Shop(), false);
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
    timeout: 20_000,
  });
}, 40_000);

afterAll(async () => {
  await browser?.close();
  await shop?.close();
  await sb?.close();
});

it('buys the featured product with the bank card service in a real browser', async () => {
  const page = await browser.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(`${shop.url}/`);
  await page.getByTestId('pay-SVC0015').click();

  // The shop redirected (303) to the sandbox cashier page.
  await page.waitForURL((url) => url.href.startsWith(`${sb.url}/cashier/`));
  await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 5_000 }).toContain('pending');

  // The shopper's order page, open in another tab, refreshes itself while pending.
  const [order] = await shop.shop.listOrders();
  expect(order).toBeDefined();
  const orderPage = await browser.newPage();
  orderPage.setDefaultTimeout(10_000);
  await orderPage.goto(`${shop.url}/orders/${order!.id}`);
  await expect
    .poll(() => orderPage.getByTestId('order-status').textContent(), { timeout: 5_000 })
    .toContain('pending');

  await page.getByTestId('pay-full').click();
  await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 5_000 }).toContain('paid');
  // Bounded: the page reloads every second; the sandbox notification arrives within milliseconds.
  await expect
    .poll(
      () =>
        orderPage
          .getByTestId('order-status')
          .textContent()
          .catch(() => ''),
      { timeout: 10_000 },
    )
    .toContain('paid');
  expect((await shop.shop.getOrder(order!.id))?.status).toBe('paid');
  await orderPage.close();
  await page.close();
}, 40_000);
