import { DiamondPay, formatKrw, sign } from '@diamondpay/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qrSvg, renderCashierPage, statusLabel, wholeWonToCents } from './cashier-page.js';
import { DEFAULT_MERCHANT, type Sandbox, startSandbox } from './index.js';
import { startReceiver, type TestReceiver } from './test-receiver.js';

let sandbox: Sandbox;
let receiver: TestReceiver;
let dp: DiamondPay;
let seq = 0;

beforeAll(async () => {
  receiver = await startReceiver();
  sandbox = await startSandbox({ timeScale: 0.0001 });
  dp = new DiamondPay({ baseUrl: sandbox.url, ...DEFAULT_MERCHANT });
});
afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});

async function create(service_id = 'SVC0015', amount = 50_000_000) {
  const payment_cl_id = `cp-${Date.now()}-${++seq}`;
  return dp.deposits.create({ service_id, payment_cl_id, amount, notify_url: receiver.url });
}

const post = (url: string, form: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', body: new URLSearchParams(form), redirect: 'manual' });

describe('cashier page', () => {
  it('is a self-contained page with amount in won, bank details, reference and stable test ids', async () => {
    const d = await create();
    const res = await fetch(d.link);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html;charset=utf-8');
    const html = await res.text();
    expect(html).toContain(formatKrw(50_000_000)); // ₩500,000
    for (const text of [d.bank_name!, d.card_number!, d.card_name!, d.token!, d.payment_cl_id, d.payment_id])
      expect(html).toContain(text);
    for (const testId of ['pay-full', 'pay-partial', 'partial-amount', 'cancel', 'status', 'account-number'])
      expect(html).toContain(`data-testid="${testId}"`);
    expect(html).toMatch(/data-testid="status">[^<]*pending/);
    expect(html).toContain('Transfer reference');
    expect(html).toContain('data-testid="reference-hint"');
    expect(html).toContain(`data-copy="${d.card_number}"`); // the copy button
    expect(html).toContain('<link rel="icon"');
    expect(html).toMatch(/<html lang="ko">/);
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
    expect(html).not.toContain('<svg');
  });

  it('shows a deterministic QR picture for the QR service', async () => {
    const d = await create('SVC0017');
    const html = await (await fetch(d.link)).text();
    expect(html).toContain('data-testid="qr"');
    expect(html).toContain(qrSvg(d.qr_code_content!));
    expect(qrSvg('a')).toBe(qrSvg('a'));
    expect(qrSvg('a')).not.toBe(qrSvg('b'));
  });

  it('pays in full through the form: 303 back to the page, which shows paid', async () => {
    const d = await create();
    const res = await post(`${d.link}/pay`);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/cashier/${d.payment_id}`);
    expect(sandbox.order(d.payment_cl_id)).toMatchObject({ status: 2, realAmount: 50_000_000 });
    const html = await (await fetch(d.link)).text();
    expect(html).toMatch(/data-testid="status">결제 완료 · paid</);
    expect(html).not.toContain('data-testid="pay-full"');
    // Once final: no transfer-reference hint, no account to pay into, and never the merchant's fee.
    expect(html).not.toContain('data-testid="reference-hint"');
    expect(html).not.toContain('data-testid="account-number"');
    expect(html).not.toContain(formatKrw(400_000));
    expect(html).not.toMatch(/fee|수수료/i);
    await sandbox.waitForDelivery(d.payment_cl_id);
  });

  it('pays a different amount in whole won (→ cents): underpaid, with received and shortfall', async () => {
    const partial = await create();
    const fraction = await post(`${partial.link}/pay`, { amount: '1234.5' });
    const refused = await (await fetch(new URL(fraction.headers.get('location')!, sandbox.url))).text();
    expect(refused).toMatch(/data-testid="error">amount must be a whole number of won/);
    expect(sandbox.order(partial.payment_cl_id)?.status).toBe(0);
    await post(`${partial.link}/pay`, { amount: '1,234' });
    expect(sandbox.order(partial.payment_cl_id)).toMatchObject({ status: 2, realAmount: 123400 });
    const html = await (await fetch(partial.link)).text();
    expect(html).toMatch(/data-testid="status">부분 입금 · underpaid</);
    expect(html).not.toMatch(/data-testid="status">[^<]*\bpaid\b/);
    expect(html).toContain(`data-testid="received">${formatKrw(123400)}<`);
    expect(html).toContain(`data-testid="shortfall">${formatKrw(50_000_000 - 123400)}<`);
    expect(html).not.toContain('data-testid="reference-hint"');
  });

  it('cancels: the page shows cancelled, without the account or the reference hint', async () => {
    const cancelled = await create();
    await post(`${cancelled.link}/cancel`);
    expect(sandbox.order(cancelled.payment_cl_id)?.status).toBe(3);
    const html = await (await fetch(cancelled.link)).text();
    expect(html).toMatch(/data-testid="status">취소됨 · cancelled</);
    expect(html).not.toContain('data-testid="reference-hint"');
    expect(html).not.toContain('data-testid="account-number"');
    expect(html).toContain('data-testid="final-note"');
  });

  it('takes whole won only', () => {
    expect(wholeWonToCents('45000')).toBe(4_500_000);
    expect(wholeWonToCents(' 1,000 ')).toBe(100_000);
    for (const bad of ['', '12.5', '-5', '1e3', '₩5', 'abc'])
      expect(() => wholeWonToCents(bad)).toThrow(/whole number of won/);
  });

  it('shows refusals on the page instead of failing', async () => {
    const d = await create();
    const bad = await post(`${d.link}/pay`, { amount: '-5' });
    expect(bad.status).toBe(303);
    const html = await (await fetch(new URL(bad.headers.get('location')!, sandbox.url))).text();
    expect(html).toContain('data-testid="error"');
    expect(sandbox.order(d.payment_cl_id)?.status).toBe(0);
    await post(`${d.link}/cancel`);
    const again = await post(`${d.link}/pay`);
    const page = await (await fetch(new URL(again.headers.get('location')!, sandbox.url))).text();
    expect(page).toMatch(/already final/);
  });

  it('escapes every value it shows', async () => {
    const body: Record<string, unknown> = {
      platform_id: 'PF0002',
      service_id: 'SVC0015',
      payment_cl_id: '<script>alert(1)</script>',
      amount: 100,
      notify_url: receiver.url,
      request_time: Math.floor(Date.now() / 1000),
      sign_type: 'HMAC-SHA256',
    };
    body.sign = await sign(body, DEFAULT_MERCHANT.platformKey);
    const res = await fetch(`${sandbox.url}/gateway/api/v2/payments`, {
      method: 'POST',
      body: JSON.stringify(body),
    });
    const { data } = (await res.json()) as { data: { link: string } };
    const html = await (await fetch(data.link)).text();
    expect(html).not.toContain('<script>alert'); // the page's own copy-button script is the only one
    expect(html.match(/<script>/g)).toHaveLength(1);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('answers a styled 404 page for an unknown payment and 405 for a GET on a form action', async () => {
    const missing = await fetch(`${sandbox.url}/cashier/PM00000000%3Cb%3E`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('text/html;charset=utf-8');
    const page = await missing.text();
    expect(page).toContain('<style>');
    expect(page).toContain('<link rel="icon"');
    expect(page).toContain('data-testid="not-found"');
    expect(page).toContain('PM00000000&lt;b&gt;');
    const d = await create();
    expect((await fetch(`${d.link}/pay`)).status).toBe(405);
  });

  it('labels every status with an English word', () => {
    expect(statusLabel(0)).toContain('pending');
    expect(statusLabel(2)).toContain('paid');
    for (const s of [3, 4, 5]) expect(statusLabel(s)).toContain('cancelled');
    expect(renderCashierPage({ ...sandbox.orders()[0]!, status: 9 })).toContain('unknown');
  });
});
