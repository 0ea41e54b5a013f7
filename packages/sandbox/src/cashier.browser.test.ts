// The cashier page in a real browser: Debian's headless Chromium driven by playwright-core.
import { createNotificationReceiver, type DepositNotification, DiamondPay } from '@diamondpay/core';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MERCHANT, type Sandbox, startSandbox } from './index.js';
import { startReceiver, type TestReceiver } from './test-receiver.js';

let browser: Browser;
let page: Page;
let sandbox: Sandbox;
let receiver: TestReceiver;
let dp: DiamondPay;
const handled: DepositNotification[] = [];
let seq = 0;

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
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
  // One page for all tests: opening a page costs seconds on a small machine.
  page = await browser.newPage();
  page.setDefaultTimeout(15_000);
});

afterAll(async () => {
  await browser?.close();
  await sandbox?.close();
  await receiver?.close();
});

async function openCashier(service_id = 'SVC0015', amount = 50_000_000) {
  const payment_cl_id = `br-${Date.now()}-${++seq}`;
  const d = await dp.deposits.create({ service_id, payment_cl_id, amount, notify_url: receiver.url });
  await page.goto(d.link);
  return d;
}

describe('cashier page in Chromium', { timeout: 30_000 }, () => {
  it('pay in full: the page shows paid and the shop receives a verified notification', async () => {
    const d = await openCashier('SVC0017');
    expect(await page.getByTestId('status').textContent()).toContain('pending');
    expect(await page.getByTestId('amount').textContent()).toBe('₩500,000');
    expect(await page.getByTestId('qr').isVisible()).toBe(true);
    await page.getByTestId('pay-full').click();
    await page.getByTestId('status').filter({ hasText: 'paid' }).waitFor();
    expect(page.url()).toBe(d.link);
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

  it('pay a different amount: won typed in the input become cents', async () => {
    const d = await openCashier();
    await page.getByTestId('partial-amount').fill('1234.5');
    await page.getByTestId('pay-partial').click();
    await page.getByTestId('status').filter({ hasText: 'paid' }).waitFor();
    expect(await page.locator('main').textContent()).toContain('₩1,234.50');
    await sandbox.waitForDelivery(d.payment_cl_id);
    expect(handled.find((x) => x.payment_cl_id === d.payment_cl_id)).toMatchObject({
      amount: 50_000_000,
      real_amount: 123450,
    });
  });

  it('cancel: the page shows cancelled and the shop is told', async () => {
    const d = await openCashier();
    await page.getByTestId('cancel').click();
    await page.getByTestId('status').filter({ hasText: 'cancelled' }).waitFor();
    expect(await page.getByTestId('pay-full').count()).toBe(0);
    await sandbox.waitForDelivery(d.payment_cl_id);
    expect(handled.find((x) => x.payment_cl_id === d.payment_cl_id)).toMatchObject({
      status: 3,
      outcome: 'not_paid',
    });
  });
});
