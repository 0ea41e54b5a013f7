// The dashboard in headless Chromium: the list updates live as orders are created, and the order
// page's actions (pay, cancel, resend; fail a payout) work with a click, their delivery rows
// appearing without a reload. Screenshots go to screenshots/sandbox/.
import { DiamondPay, PayoutService } from '@diamondpay/core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshotPath } from '../browser-testing.js';
import { DEFAULT_MERCHANT, type Sandbox, startSandbox } from '../index.js';
import { startReceiver, type TestReceiver } from '../test-receiver.js';

let browser: Browser;
let page: Page;
let sandbox: Sandbox;
let receiver: TestReceiver;
let dp: DiamondPay;
let seq = 0;

beforeAll(async () => {
  browser = await launchBrowser();
  receiver = await startReceiver();
  // A balance to pay out from (₩10,000,000 in cents).
  sandbox = await startSandbox({
    timeScale: 0.001,
    merchants: [{ ...DEFAULT_MERCHANT, balance: 1_000_000_000 }],
  });
  dp = new DiamondPay({ baseUrl: sandbox.url, ...DEFAULT_MERCHANT });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(15_000);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await sandbox?.close();
  await receiver?.close();
});

async function create(service_id = 'SVC0015') {
  const payment_cl_id = `ORD-${Date.now().toString(36).toUpperCase()}-${++seq}`;
  return dp.deposits.create({
    service_id,
    payment_cl_id,
    amount: 8_900_000,
    notify_url: receiver.url,
    name: '김민준',
  });
}

const rows = (on: Page) => on.getByTestId('delivery-row');

describe('dashboard in Chromium', { timeout: 45_000 }, () => {
  it('lists orders live: a new order appears without a reload', async () => {
    const first = await create();
    await page.goto(`${sandbox.url}/`);
    await page.getByTestId(`dashboard-order-${first.payment_cl_id}`).waitFor();
    await page.getByTestId('live-indicator').filter({ hasText: 'Live' }).waitFor();
    const second = await create('SVC0017');
    await page.getByTestId(`dashboard-order-${second.payment_cl_id}`).waitFor();
    // Newest first.
    const ids = await page
      .locator('[data-testid^="dashboard-order-"]')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-testid')));
    expect(ids.indexOf(`dashboard-order-${second.payment_cl_id}`)).toBeLessThan(
      ids.indexOf(`dashboard-order-${first.payment_cl_id}`),
    );
    await sandbox.pay(first.payment_cl_id, { realAmount: 100_000 });
    await page
      .getByTestId(`dashboard-order-${first.payment_cl_id}`)
      .getByTestId('order-status')
      .filter({ hasText: 'underpaid' })
      .waitFor();
    await page.screenshot({ path: screenshotPath('dashboard-1280-list'), fullPage: true });
  });

  it('pays from the order page, then resends; each delivery row appears live', async () => {
    const d = await create();
    await page.goto(`${sandbox.url}/`);
    await page.getByTestId(`dashboard-order-${d.payment_cl_id}`).getByRole('link').click();
    await page.getByTestId('order-status').filter({ hasText: 'pending' }).waitFor();
    await page.getByTestId('action-pay').click();
    await page.getByTestId('order-status').filter({ hasText: 'paid' }).waitFor();
    expect(await page.getByTestId('notice').textContent()).toContain('Paid ₩89,000');
    await expect.poll(() => rows(page).count(), { timeout: 10_000 }).toBe(1);
    expect(await rows(page).first().getAttribute('data-acked')).toBe('true');
    await page.getByTestId('action-resend').click();
    await expect.poll(() => rows(page).count(), { timeout: 10_000 }).toBe(2);
    await rows(page).first().locator('summary').first().click(); // open the request body
    expect(await rows(page).first().getByTestId('delivery-body').textContent()).toContain(
      `"payment_cl_id":"${d.payment_cl_id}"`,
    );
    await page.screenshot({ path: screenshotPath('dashboard-1280-order-paid'), fullPage: true });
  });

  it('cancels with a chosen status from the order page', async () => {
    const d = await create();
    await page.goto(`${sandbox.url}/orders/${d.payment_cl_id}`);
    await page.getByLabel('Final status').selectOption('5');
    await page.getByTestId('action-cancel').click();
    await page.getByTestId('order-status').filter({ hasText: 'expired' }).waitFor();
    await expect.poll(() => rows(page).count(), { timeout: 10_000 }).toBe(1);
    expect(sandbox.order(d.payment_cl_id)?.status).toBe(5);
    expect(await page.getByTestId('action-cancel').count()).toBe(0);
  });

  it('fails a payout with a status and a message from its page; the balance is on the list', async () => {
    const payout_cl_id = `PO-${Date.now().toString(36).toUpperCase()}-${++seq}`;
    await dp.payouts.create({
      service_id: PayoutService.BANK_CARD,
      payout_cl_id,
      amount: 1_000_000,
      notify_url: receiver.url,
      bank_name: 'KB',
      name: '홍길동',
      number: '43700100123456',
      phone_number: '01012345678',
      currency: 'krw',
    });
    await page.goto(`${sandbox.url}/?kind=payout`);
    await page.getByTestId(`balance-${DEFAULT_MERCHANT.platformId}`).waitFor();
    await page.getByTestId(`dashboard-payout-${payout_cl_id}`).getByRole('link').click();
    await page.getByTestId('order-status').filter({ hasText: 'pending' }).waitFor();
    await page.getByLabel('Final status').selectOption('4');
    await page.getByLabel('Error message (error_msg, optional)').fill('Account closed');
    await page.getByTestId('action-fail-payout').click();
    await page.getByTestId('order-status').filter({ hasText: 'cancelled' }).waitFor();
    await expect.poll(() => rows(page).count(), { timeout: 10_000 }).toBe(1);
    expect(sandbox.payout(payout_cl_id)).toMatchObject({ status: 4, errorMsg: 'Account closed' });
    expect(await page.getByTestId('action-fail-payout').count()).toBe(0);
    await page.screenshot({ path: screenshotPath('dashboard-1280-payout-failed'), fullPage: true });
  });

  it('keeps what is typed in a form while live updates arrive', async () => {
    const d = await create();
    await page.goto(`${sandbox.url}/orders/${d.payment_cl_id}`);
    await page.getByTestId('live-indicator').filter({ hasText: 'Live' }).waitFor();
    await page.getByTestId('action-pay-amount-input').fill('45000');
    await create(); // a change elsewhere: the page refreshes its live regions
    await new Promise((r) => setTimeout(r, 800));
    expect(await page.getByTestId('action-pay-amount-input').inputValue()).toBe('45000');
    await page.getByTestId('action-pay-amount').click();
    await page.getByTestId('order-status').filter({ hasText: 'underpaid' }).waitFor();
    expect(sandbox.order(d.payment_cl_id)?.realAmount).toBe(4_500_000);
  });

  it('works at 390 px too, and the faults page turns a fault on', async () => {
    const narrow = await browser.newPage({ viewport: { width: 390, height: 844 } });
    try {
      await narrow.goto(`${sandbox.url}/faults`);
      await narrow.getByLabel('Latency (ms, before every answer)').first().fill('5');
      await narrow.getByTestId('faults-createDeposit-save').click();
      await narrow.getByTestId('faults-createDeposit-state').filter({ hasText: 'faults on' }).waitFor();
      expect(sandbox.faults().createDeposit).toEqual({ latencyMs: 5 });
      await narrow.screenshot({ path: screenshotPath('dashboard-390-faults'), fullPage: false });
      await narrow.getByTestId('faults-createDeposit-off').click();
      await narrow.getByTestId('faults-createDeposit-state').filter({ hasText: 'off' }).waitFor();
      expect(sandbox.faults().createDeposit).toBeUndefined();
      const d = await create();
      await narrow.goto(`${sandbox.url}/orders/${d.payment_cl_id}`);
      const widths = await narrow.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      expect(widths[0]).toBeLessThanOrEqual(widths[1]!);
      await narrow.screenshot({ path: screenshotPath('dashboard-390-order'), fullPage: true });
    } finally {
      await narrow.close();
    }
  });
});
