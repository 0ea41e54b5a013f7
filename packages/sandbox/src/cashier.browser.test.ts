// The cashier page in a real browser: Debian's headless Chromium driven by playwright-core, at a
// phone's 390×844 and a desktop's 1280×900. Screenshots go to screenshots/sandbox/.
import { createNotificationReceiver, type DepositNotification, DiamondPay } from '@diamondpay/core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshotPath } from './browser-testing.js';
import { DEFAULT_MERCHANT, type Sandbox, startSandbox } from './index.js';
import { startReceiver, type TestReceiver } from './test-receiver.js';

let browser: Browser;
let phone: BrowserContext;
let page: Page;
let sandbox: Sandbox;
let receiver: TestReceiver;
let dp: DiamondPay;
const handled: DepositNotification[] = [];
let seq = 0;

beforeAll(async () => {
  browser = await launchBrowser();
  // The merchant side: core's receiver, answering the sandbox exactly as a shop would.
  const merchant = createNotificationReceiver({
    platformId: DEFAULT_MERCHANT.platformId,
    platformKey: DEFAULT_MERCHANT.platformKey,
    onDeposit: (n) => {
      handled.push(n);
    },
  });
  receiver = await startReceiver(async (_n, req) => {
    const r = await merchant.receive(req.body, undefined);
    return { status: r.status, body: r.body };
  });
  sandbox = await startSandbox({ timeScale: 0.001 });
  dp = new DiamondPay({ baseUrl: sandbox.url, ...DEFAULT_MERCHANT });
  // One phone-sized page for most tests: opening a page costs seconds on a small machine.
  phone = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 1,
    hasTouch: true,
  });
  await phone.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: sandbox.url });
  page = await phone.newPage();
  page.setDefaultTimeout(15_000);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await sandbox?.close();
  await receiver?.close();
});

async function openCashier(service_id = 'SVC0015', amount = 50_000_000, on: Page = page) {
  // A long but realistic merchant order id, the kind that used to break mid-token at 390 px.
  const payment_cl_id = `ORDER-2026-12-01-${Date.now()}-${++seq}`;
  const d = await dp.deposits.create({ service_id, payment_cl_id, amount, notify_url: receiver.url });
  await on.goto(d.link);
  return d;
}

/** No horizontal scrolling, and every value on one line unless it wraps at a space. */
async function checkLayout(on: Page, withValues = true) {
  const widths = await on.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    inner: window.innerWidth,
  }));
  expect(widths.scroll).toBeLessThanOrEqual(widths.inner);
  const values = await on.locator('dd .value').evaluateAll((els) =>
    els.map((el) => {
      const style = getComputedStyle(el);
      const lines = Math.round(el.getBoundingClientRect().height / Number.parseFloat(style.lineHeight));
      return { text: el.textContent ?? '', lines };
    }),
  );
  if (withValues) expect(values.length).toBeGreaterThan(0);
  for (const v of values) if (v.lines > 1) expect(v.text, `"${v.text}" wraps`).toContain(' ');
}

describe('cashier page in Chromium', { timeout: 30_000 }, () => {
  it('at 390×844: fits the width, the account number is one line, one tap copies it', async () => {
    const d = await openCashier();
    await checkLayout(page);
    const account = page.getByTestId('account-number');
    expect(await account.textContent()).toBe(d.card_number);
    const box = await account.evaluate((el) => ({
      height: el.getBoundingClientRect().height,
      lineHeight: Number.parseFloat(getComputedStyle(el).lineHeight),
    }));
    expect(box.height).toBeLessThan(box.lineHeight * 1.5);
    expect(await page.getByTestId('amount').textContent()).toBe('₩500,000');
    const amountSize = await page
      .getByTestId('amount')
      .evaluate((el) => Number.parseFloat(getComputedStyle(el).fontSize));
    expect(amountSize).toBeGreaterThanOrEqual(28); // the most prominent thing on the page
    await page.screenshot({ path: screenshotPath('cashier-390-pending'), fullPage: true });
    await page.getByTestId('copy-account-number').tap();
    await expect
      .poll(() => page.evaluate(() => navigator.clipboard.readText()), { timeout: 5_000 })
      .toBe(d.card_number);
    expect(await page.getByTestId('copy-account-number').textContent()).toContain('Copied');
  });

  it('pay in full: the page shows paid and the shop receives a verified notification', async () => {
    const d = await openCashier('SVC0017');
    expect(await page.getByTestId('status').textContent()).toContain('pending');
    expect(await page.getByTestId('qr').isVisible()).toBe(true);
    await checkLayout(page);
    await page.screenshot({ path: screenshotPath('cashier-390-qr'), fullPage: true });
    await page.getByTestId('pay-full').click();
    await page.getByTestId('status').filter({ hasText: 'paid' }).waitFor();
    expect(page.url()).toBe(d.link);
    expect(await page.getByTestId('reference-hint').count()).toBe(0);
    await checkLayout(page);
    await page.screenshot({ path: screenshotPath('cashier-390-paid'), fullPage: true });
    const delivery = await sandbox.waitForDelivery(d.payment_cl_id);
    expect(delivery.acked).toBe(true);
    const n = handled.find((x) => x.payment_cl_id === d.payment_cl_id);
    expect(n).toMatchObject({
      payment_id: d.payment_id,
      status: 2,
      outcome: 'paid',
      real_amount: 50_000_000,
      fee: 400_000,
    });
  });

  it('pay a different amount: whole won typed in the input, shown as underpaid with the shortfall', async () => {
    const d = await openCashier();
    await page.getByTestId('partial-amount').fill('1234');
    await page.getByTestId('pay-partial').click();
    await page.getByTestId('status').filter({ hasText: 'underpaid' }).waitFor();
    expect(await page.getByTestId('received').textContent()).toBe('₩1,234');
    expect(await page.getByTestId('shortfall').textContent()).toBe('₩498,766');
    await checkLayout(page);
    await page.screenshot({ path: screenshotPath('cashier-390-underpaid'), fullPage: true });
    await sandbox.waitForDelivery(d.payment_cl_id);
    expect(handled.find((x) => x.payment_cl_id === d.payment_cl_id)).toMatchObject({
      amount: 50_000_000,
      real_amount: 123400,
    });
  });

  it('cancel: the page shows cancelled and the shop is told', async () => {
    const d = await openCashier();
    await page.getByTestId('cancel').click();
    await page.getByTestId('status').filter({ hasText: 'cancelled' }).waitFor();
    expect(await page.getByTestId('pay-full').count()).toBe(0);
    expect(await page.getByTestId('reference-hint').count()).toBe(0);
    await page.screenshot({ path: screenshotPath('cashier-390-cancelled'), fullPage: true });
    await sandbox.waitForDelivery(d.payment_cl_id);
    expect(handled.find((x) => x.payment_cl_id === d.payment_cl_id)).toMatchObject({
      status: 3,
      outcome: 'not_paid',
    });
  });

  it('an unknown payment id gets a styled page', async () => {
    const res = await page.goto(`${sandbox.url}/cashier/PM00000000`);
    expect(res?.status()).toBe(404);
    expect(await page.getByTestId('not-found').isVisible()).toBe(true);
    await checkLayout(page, false);
    await page.screenshot({ path: screenshotPath('cashier-390-not-found'), fullPage: true });
  });

  it('at 1280×900: a centred card, no horizontal scrolling', async () => {
    const desktop = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await openCashier('SVC0017', 8_900_000, desktop);
      await checkLayout(desktop);
      const card = await desktop.locator('main').boundingBox();
      expect(card!.width).toBeLessThanOrEqual(460);
      expect(Math.abs(card!.x + card!.width / 2 - 640)).toBeLessThan(20);
      await desktop.screenshot({ path: screenshotPath('cashier-1280'), fullPage: true });
    } finally {
      await desktop.close();
    }
  });
});
