// The purchase as a shopper does it, in headless Chromium, through the shop's own pages: shop →
// Pay → the shop's order page → its cashier link opens the sandbox cashier in a new tab → pay
// there → the order page (left open in the first tab) turns paid, underpaid or cancelled by itself;
// an underpaid order is then refunded through the page's form, and the page follows the refund.
// Screenshots of every step go to screenshots/<demo>/.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshotPath } from './chromium.js';
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

/** The refund's state (`data-state`), polled; '' while the page is between reloads. */
function pollRefundState(page: Page, timeout = 15_000) {
  return expect.poll(
    () =>
      page
        .getByTestId('refund-state')
        .getAttribute('data-state', { timeout: 1_000 })
        .catch(() => ''),
    { timeout, interval: 200 },
  );
}

/** No horizontal scrolling at this viewport. */
async function fitsWidth(page: Page): Promise<void> {
  const [scroll, inner] = await page.evaluate(() => [
    document.documentElement.scrollWidth,
    window.innerWidth,
  ]);
  expect(scroll).toBeLessThanOrEqual(inner!);
}

/** Registers `<name> in Chromium`: whole purchases through the shop's pages, at phone and desktop sizes. */
export function describeBrowserPurchase(name: string, start: StartDemo): void {
  describe(`${name} in Chromium`, () => {
    const demo = useSandboxedDemo(start);
    let browser: Browser | undefined;
    const shot = (step: string) => screenshotPath(name, step);
    beforeAll(async () => {
      browser = await launchChromium();
    }, 120_000);
    afterAll(async () => {
      await browser?.close();
    });

    /** Home → Pay with `serviceId` → the shop's order page; returns it and the order id. */
    async function startPurchase(context: BrowserContext, serviceId: string) {
      const { app } = demo;
      const shopPage = await context.newPage();
      shopPage.setDefaultTimeout(15_000);
      await shopPage.goto(`${app.url}/`);
      await expect(shopPage.getByTestId('price').textContent()).resolves.toContain('₩89,000');
      await Promise.all([
        shopPage.waitForURL((url) => url.pathname.startsWith('/orders/')),
        shopPage.getByTestId(`pay-${serviceId}`).click(),
      ]);
      expect(shopPage.url().startsWith(app.url)).toBe(true);
      await pollText(shopPage, 'order-status').toContain('pending');
      const id = decodeURIComponent(new URL(shopPage.url()).pathname.slice('/orders/'.length));
      return { shopPage, id };
    }

    /** Clicks the order page's cashier link; the cashier opens in a new tab. */
    async function openCashier(context: BrowserContext, shopPage: Page): Promise<Page> {
      const [cashier] = await Promise.all([
        context.waitForEvent('page'),
        shopPage.getByTestId('cashier-link').click(),
      ]);
      cashier.setDefaultTimeout(15_000);
      await cashier.waitForLoadState();
      expect(cashier.url().startsWith(`${demo.sandbox.url}/cashier/`)).toBe(true);
      await pollText(cashier, 'status').toContain('pending');
      return cashier;
    }

    it('on a phone: pay in full at the cashier; the order page turns paid by itself', async () => {
      const { app, sandbox } = demo;
      const context = await browser!.newContext({ viewport: { width: 390, height: 844 } });
      try {
        const { shopPage, id } = await startPurchase(context, 'SVC0015');
        const badge = (await shopPage.getByTestId('badge-framework').textContent()) ?? '';
        expect(badge.toLowerCase()).toBe(name.replace(/-demo$/, ''));
        expect(await shopPage.getByTestId('order-method').textContent()).toBe('카드 결제 · Bank card');
        await fitsWidth(shopPage);
        const idBox = await shopPage.getByTestId('order-id').evaluate((el) => ({
          height: el.getBoundingClientRect().height,
          lineHeight: Number.parseFloat(getComputedStyle(el).lineHeight),
        }));
        expect(idBox.height).toBeLessThan(idBox.lineHeight * 1.5); // the order id is never broken
        await shopPage.screenshot({ path: shot('390-1-order-pending'), fullPage: true });
        const cashier = await openCashier(context, shopPage);
        await fitsWidth(cashier);
        await cashier.screenshot({ path: shot('390-2-cashier'), fullPage: true });
        await cashier.getByTestId('pay-full').click();
        await pollText(cashier, 'status').toMatch(/\bpaid\b/);
        // Nobody touches the first tab: it follows the order until the notification lands.
        await pollText(shopPage, 'order-status').toMatch(/\bpaid\b/);
        expect(await shopPage.getByTestId('cashier-link').count()).toBe(0);
        await shopPage.screenshot({ path: shot('390-3-order-paid'), fullPage: true });
        expect((await app.shop.getOrder(id))?.status).toBe('paid');
        expect(sandbox.deliveries({ paymentClId: id }).some((d) => d.acked)).toBe(true);
      } finally {
        await context.close();
      }
    }, 60_000);

    it('underpaid at the cashier: the order page says underpaid, never paid', async () => {
      const context = await browser!.newContext({ viewport: { width: 390, height: 844 } });
      try {
        const { shopPage, id } = await startPurchase(context, 'SVC0016');
        const cashier = await openCashier(context, shopPage);
        await cashier.getByTestId('partial-amount').fill('80000');
        await cashier.getByTestId('pay-partial').click();
        await pollText(cashier, 'status').toContain('underpaid');
        await pollText(shopPage, 'order-status').toContain('underpaid');
        expect(await shopPage.getByTestId('order-status').textContent()).not.toMatch(/\bpaid\b/);
        expect(await shopPage.getByTestId('order-shortfall').textContent()).toBe('₩9,000');
        await shopPage.screenshot({ path: shot('390-4-order-underpaid'), fullPage: true });
        expect((await demo.app.shop.getOrder(id))?.status).toBe('underpaid');
        // The refund form: what was received goes back to the shopper's account.
        expect(await shopPage.getByTestId('refund-amount').textContent()).toBe('₩80,000');
        await shopPage.getByTestId('refund-bank_code').fill('KB');
        await shopPage.getByTestId('refund-account_number').fill('1002-123-456789');
        await shopPage.getByTestId('refund-account_holder').fill('홍길동');
        await shopPage.getByTestId('refund-phone_number').fill('010-1234-5678');
        await fitsWidth(shopPage);
        await Promise.all([shopPage.waitForLoadState('load'), shopPage.getByTestId('refund-submit').click()]);
        await pollRefundState(shopPage).toBe('accepted');
        expect(await shopPage.getByTestId('refund-state').textContent()).toContain('accepted');
        expect(new URL(shopPage.url()).pathname).toBe(`/orders/${encodeURIComponent(id)}`);
        await shopPage.screenshot({ path: shot('390-5-refund-accepted'), fullPage: true });
        // The gateway pays it out; the page, left alone, follows the refund until it is paid out.
        await demo.sandbox.completePayout(`${id}-R1`);
        await pollRefundState(shopPage).toBe('paid_out');
        expect(await shopPage.getByTestId('refund-state').textContent()).toBe('환불 완료 · paid out');
        await shopPage.screenshot({ path: shot('390-6-refund-paid-out'), fullPage: true });
      } finally {
        await context.close();
      }
    }, 60_000);

    it('on a desktop: the QR service shows a QR; cancelling at the cashier turns the order cancelled', async () => {
      const context = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
      try {
        const { shopPage, id } = await startPurchase(context, 'SVC0017');
        expect(await shopPage.getByTestId('order-qr').isVisible()).toBe(true);
        await fitsWidth(shopPage);
        await shopPage.screenshot({ path: shot('1280-1-order-qr'), fullPage: true });
        const cashier = await openCashier(context, shopPage);
        await cashier.getByTestId('cancel').click();
        await pollText(cashier, 'status').toContain('cancelled');
        await pollText(shopPage, 'order-status').toContain('cancelled');
        await shopPage.screenshot({ path: shot('1280-2-order-cancelled'), fullPage: true });
        expect((await demo.app.shop.getOrder(id))?.status).toBe('cancelled');
        const home = await context.newPage();
        await home.goto(`${demo.app.url}/`);
        await home.screenshot({ path: shot('1280-0-home'), fullPage: true });
        await home.close();
      } finally {
        await context.close();
      }
    }, 120_000);
  });
}
