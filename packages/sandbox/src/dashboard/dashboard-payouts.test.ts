// The dashboard's payouts over real HTTP against a real sandbox: listed with deposits, filtered by
// kind, merchant and status; a payout's page; complete, fail (4/5 with a message) and resend as
// plain form posts (303 back); the merchant balances; escaping of a hostile payout id and name.
import { DiamondPay } from '@diamondpay/core';
import { independentSign } from '@diamondpay-internal/test-signer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, type SandboxMerchant, startSandbox } from '../index.js';
import { startReceiver, type TestReceiver } from '../test-receiver.js';

const SHOP: SandboxMerchant = {
  platformId: 'PF0701',
  platformKey: 'dash-payout-key',
  authorization: 'token-0701',
  balance: 1_000_000_000, // ₩10,000,000 in cents
};
const OTHER: SandboxMerchant = {
  platformId: 'PF0702',
  platformKey: 'dash-payout-key-2',
  authorization: 'token-0702',
  balance: 500_000_000,
};
let sandbox: Sandbox;
let receiver: TestReceiver;
let seq = 0;

beforeAll(async () => {
  receiver = await startReceiver();
  sandbox = await startSandbox({ timeScale: 0.0001, merchants: [SHOP, OTHER] });
});
afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const timeout = () => AbortSignal.timeout(10_000);

/** Checks a notification body's signature with the independent signer (not the sandbox's, not core's). */
function signedCorrectly(body: string, key = SHOP.platformKey): boolean {
  const { sign, ...fields } = JSON.parse(body) as Record<string, unknown>;
  return sign === independentSign(fields, key, 'HMAC-SHA256');
}

/** Creates a payout with a raw, independently signed request; returns its payout_cl_id and payout_id. */
async function createPayout(
  overrides: Record<string, unknown> = {},
  merchant: SandboxMerchant = SHOP,
): Promise<{ id: string; payoutId: string }> {
  const body: Record<string, unknown> = {
    platform_id: merchant.platformId,
    service_id: 'SVC0006',
    payout_cl_id: `dp-${Date.now()}-${++seq}`,
    amount: 1_000_000,
    notify_url: receiver.url,
    bank_name: 'KB',
    name: '홍길동',
    number: '43700100123456',
    phone_number: '01012345678',
    currency: 'krw',
    request_time: Math.floor(Date.now() / 1000),
    sign_type: 'HMAC-SHA256',
    ...overrides,
  };
  body.sign = independentSign(body, merchant.platformKey, 'HMAC-SHA256');
  const res = await fetch(`${sandbox.url}/gateway/api/v2/payouts`, {
    method: 'POST',
    body: JSON.stringify(body),
    signal: timeout(),
  });
  const answer = (await res.json()) as { error_code: string; data?: { payout_id: string } };
  expect(answer.error_code).toBe('0000');
  return { id: body.payout_cl_id as string, payoutId: answer.data!.payout_id };
}

async function html(path: string): Promise<string> {
  const res = await fetch(`${sandbox.url}${path}`, { headers: HTML, signal: timeout() });
  expect(res.headers.get('content-type')).toBe('text/html;charset=utf-8');
  return res.text();
}

/** Posts a form as a browser would (same origin) and returns the 303's location. */
async function post(path: string, form: Record<string, string>): Promise<string> {
  const res = await fetch(`${sandbox.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: sandbox.url },
    body: new URLSearchParams(form),
    redirect: 'manual',
    signal: timeout(),
  });
  expect(res.status).toBe(303);
  return res.headers.get('location')!;
}

const payoutPath = (id: string, platformId = SHOP.platformId) =>
  `/orders/${encodeURIComponent(id)}?kind=payout&platform_id=${platformId}`;
const form = (platformId = SHOP.platformId) => ({ kind: 'payout', platform_id: platformId });

/** Every row's test id on the list, in page order, e.g. "payout-dp-…" or "order-db-…". */
const rowIds = (page: string) =>
  [...page.matchAll(/data-testid="dashboard-(order|payout)-([^"]+)"/g)].map((m) => `${m[1]}-${m[2]}`);

const balanceRow = (page: string, platformId: string) => {
  const m = new RegExp(
    `data-testid="balance-${platformId}" data-total="(\\d+)" data-frozen="(\\d+)" data-available="(\\d+)"`,
  ).exec(page);
  expect(m).not.toBeNull();
  return { total: Number(m![1]), frozen: Number(m![2]), available: Number(m![3]) };
};

describe('payouts on the order list', () => {
  it('are listed with deposits newest first and filter by kind, merchant and status', async () => {
    const dp = new DiamondPay({ baseUrl: sandbox.url, ...SHOP });
    const a = await createPayout();
    const deposit = await dp.deposits.create({
      service_id: 'SVC0015',
      payment_cl_id: `db-${Date.now()}-${++seq}`,
      amount: 8_900_000,
      notify_url: receiver.url,
    });
    const b = await createPayout({}, OTHER);
    const c = await createPayout();
    await sandbox.completePayout(c.id);
    const all = rowIds(await html('/'));
    const at = (id: string) => all.indexOf(id);
    expect(at(`payout-${c.id}`)).toBeGreaterThanOrEqual(0);
    expect(at(`payout-${c.id}`)).toBeLessThan(at(`payout-${b.id}`));
    expect(at(`payout-${b.id}`)).toBeLessThan(at(`order-${deposit.payment_cl_id}`));
    expect(at(`order-${deposit.payment_cl_id}`)).toBeLessThan(at(`payout-${a.id}`));
    const payoutsOnly = rowIds(await html('/?kind=payout'));
    expect(payoutsOnly).toContain(`payout-${a.id}`);
    expect(payoutsOnly.some((id) => id.startsWith('order-'))).toBe(false);
    const other = rowIds(await html(`/?merchant=${OTHER.platformId}&kind=payout`));
    expect(other).toEqual([`payout-${b.id}`]);
    const paidOut = rowIds(await html('/?status=paid_out'));
    expect(paidOut).toContain(`payout-${c.id}`);
    expect(paidOut).not.toContain(`payout-${a.id}`);
    const page = await html('/');
    const row = new RegExp(`data-testid="dashboard-payout-${c.id}"[\\s\\S]*?</tr>`).exec(page)![0];
    expect(row).toMatch(/data-testid="order-status">paid_out</);
    expect(row).toContain('<td>Payout</td>');
    expect(row).toContain(`<code>${c.payoutId}</code>`);
    expect(page).toContain('<option value="paid_out">paid_out</option>');
    expect(page).toContain('<option value="payout">Payout</option>');
  });

  it('shows each merchant’s balance, which follows the payouts', async () => {
    const before = sandbox.balance(OTHER.platformId);
    expect(balanceRow(await html('/'), OTHER.platformId)).toEqual({
      total: before.total,
      frozen: before.frozen,
      available: before.available,
    });
    // ₩20,000 plus the sandbox's 0.5 % fee (₩100) is frozen on acceptance, debited when paid out.
    const p = await createPayout({ amount: 2_000_000 }, OTHER);
    expect(balanceRow(await html('/'), OTHER.platformId)).toEqual({
      total: before.total,
      frozen: before.frozen + 2_010_000,
      available: before.available - 2_010_000,
    });
    await post(`/orders/${p.id}/complete`, form(OTHER.platformId));
    expect(balanceRow(await html('/'), OTHER.platformId)).toEqual({
      total: before.total - 2_010_000,
      frozen: before.frozen,
      available: before.available - 2_010_000,
    });
    expect(await html('/')).toContain('data-testid="balances-table"');
  });
});

describe('a payout’s page', () => {
  it('shows the fields, the history and the complete and fail actions', async () => {
    const p = await createPayout({ amount: 1_234_500 });
    const page = await html(payoutPath(p.id));
    for (const text of [
      `<h1>Payout <code>${p.id}</code></h1>`,
      `<dt>payout_id</dt><dd>${p.payoutId}</dd>`,
      '<dt>amount</dt><dd>₩12,345 (1234500 cents)</dd>',
      '<dt>beneficiary (name)</dt><dd>홍길동</dd>',
      '<dt>bank (bank_name) and account (number)</dt><dd>KB 43700100123456</dd>',
      `<dt>notify_url</dt><dd>${receiver.url}</dd>`,
    ])
      expect(page).toContain(text);
    expect(page).toMatch(/data-testid="order-status">pending</);
    expect(page).toMatch(/status 1: created/);
    expect(page).toContain('data-testid="no-deliveries"');
    for (const id of ['action-complete-payout', 'action-fail-payout'])
      expect(page).toContain(`data-testid="${id}"`);
    expect(page).not.toContain('data-testid="action-resend-payout"');
    // An unknown payout_cl_id is a 404 page.
    const res = await fetch(`${sandbox.url}${payoutPath('no-such-payout')}`, {
      headers: HTML,
      signal: timeout(),
    });
    expect(res.status).toBe(404);
  });

  it('completes: 303 back with a notice, then the delivery row with the exact body and reply; resends', async () => {
    const p = await createPayout();
    const back = await post(`/orders/${p.id}/complete`, form());
    expect(back).toBe(
      `${payoutPath(p.id)}&notice=${encodeURIComponent('Paid out ₩10,000; the notification is on its way.')}`,
    );
    expect(sandbox.payout(p.id)?.status).toBe(3);
    const delivery = await sandbox.waitForPayoutDelivery(p.id);
    const page = await html(back);
    expect(page).toContain('data-testid="notice"');
    expect(page).toMatch(/data-testid="order-status">paid_out</);
    expect(page).toMatch(/status 1: created[\s\S]*status 3: paid out/);
    expect(page.match(/data-testid="delivery-row"/g) ?? []).toHaveLength(1);
    expect(page).toContain(delivery.body.replace(/&/g, '&amp;').replace(/"/g, '&quot;'));
    expect(signedCorrectly(delivery.body)).toBe(true);
    expect(JSON.parse(delivery.body)).toMatchObject({ payout_cl_id: p.id, payout_id: p.payoutId, status: 3 });
    expect(page).toContain('HTTP 200');
    expect(page).toContain('{&quot;error_code&quot;:&quot;0000&quot;}');
    expect(page).toContain('data-acked="true"');
    expect(page).toContain('data-testid="action-resend-payout"');
    expect(page).not.toContain('data-testid="action-complete-payout"');

    await post(`/orders/${p.id}/resend`, form());
    await sandbox.idle();
    const attempts = sandbox.payoutDeliveries({ payoutClId: p.id });
    expect(attempts.map((a) => a.status)).toEqual([3, 3]);
    expect(attempts[1]!.body).toBe(attempts[0]!.body);
    const after = await html(payoutPath(p.id));
    expect(after.match(/data-testid="delivery-row"/g) ?? []).toHaveLength(2);
    expect(after).toMatch(/status 3: notification resent/);
  });

  it('fails with status 4 and a message, refuses any other status, and refuses a final payout', async () => {
    const p = await createPayout();
    const refused = await post(`/orders/${p.id}/fail`, { ...form(), status: '3' });
    expect(await html(refused)).toMatch(/data-testid="error">status must be 4 \(cancelled\) or 5 \(failed\)/);
    expect(sandbox.payout(p.id)?.status).toBe(1);
    await post(`/orders/${p.id}/fail`, { ...form(), status: '4', error_msg: 'Account closed' });
    expect(sandbox.payout(p.id)).toMatchObject({ status: 4, errorMsg: 'Account closed', fee: 0 });
    const delivery = await sandbox.waitForPayoutDelivery(p.id);
    expect(JSON.parse(delivery.body)).toMatchObject({ status: 4, error_msg: 'Account closed' });
    expect(signedCorrectly(delivery.body)).toBe(true);
    const page = await html(payoutPath(p.id));
    expect(page).toMatch(/data-testid="order-status">cancelled</);
    expect(page).toContain('<dt>error_msg</dt><dd>Account closed</dd>');
    expect(page).toMatch(/status 4: cancelled: Account closed/);
    const again = await post(`/orders/${p.id}/fail`, { ...form(), status: '5' });
    expect(await html(again)).toMatch(/data-testid="error">[^<]*already final with status 4/);
    expect(sandbox.payout(p.id)?.status).toBe(4);

    const q = await createPayout();
    await post(`/orders/${q.id}/fail`, { ...form(), status: '5', error_msg: '' });
    expect(sandbox.payout(q.id)).toMatchObject({ status: 5, errorMsg: 'Payout failed' });
    expect(await html(payoutPath(q.id))).toMatch(/data-testid="order-status">failed</);
  });

  it('has nothing to resend without a notify_url', async () => {
    const p = await createPayout({ notify_url: undefined });
    await sandbox.completePayout(p.id);
    const page = await html(payoutPath(p.id));
    expect(page).toContain('nothing to resend');
    expect(page).not.toContain('data-testid="action-resend-payout"');
    const back = await post(`/orders/${p.id}/resend`, form());
    expect(await html(back)).toMatch(/data-testid="error">nothing to resend: the payout has no notify_url/);
    expect(sandbox.payoutDeliveries({ payoutClId: p.id })).toEqual([]);
  });
});

describe('escaping', () => {
  it('never lets a hostile payout id or beneficiary name into the markup', async () => {
    const hostile = `<img src=x onerror="alert(1)">'&`;
    await createPayout({ payout_cl_id: hostile, name: '<i>x</i>"\'&' });
    await sandbox.completePayout(hostile);
    await sandbox.waitForPayoutDelivery(hostile);
    const escaped = '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&amp;';
    const list = await html('/?kind=payout');
    const page = await html(payoutPath(hostile));
    for (const markup of [list, page]) {
      expect(markup).not.toContain('<img src=x');
      expect(markup).not.toContain('<i>x');
      expect(markup).toContain(escaped);
    }
    expect(list).toContain(`data-testid="dashboard-payout-${escaped}"`);
    expect(page).toContain('&lt;i&gt;x&lt;/i&gt;&quot;&#39;&amp;');
    expect(page).toContain('data-acked="true"');
  });
});
