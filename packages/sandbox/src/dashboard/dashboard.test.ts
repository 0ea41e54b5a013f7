// The dashboard over real HTTP against a real sandbox: content negotiation on /, the list and its
// filters, an order's page, every action as a plain form post (303 back), faults, the event stream,
// and escaping of hostile values.
import { DiamondPay } from '@diamondpay/core';
import { independentSign } from '@diamondpay-internal/test-signer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MERCHANT, type Sandbox, startSandbox } from '../index.js';
import { startReceiver, type TestReceiver } from '../test-receiver.js';

const SECOND = { platformId: 'PF0009', platformKey: 'second-merchant-key', authorization: 'second-token' };
let sandbox: Sandbox;
let receiver: TestReceiver;
let dp: DiamondPay;
let dp2: DiamondPay;
let seq = 0;

/** Checks a notification body's signature with the independent signer (not the sandbox's, not core's). */
function signedCorrectly(body: string, key = DEFAULT_MERCHANT.platformKey): boolean {
  const { sign, ...fields } = JSON.parse(body) as Record<string, unknown>;
  return sign === independentSign(fields, key, 'HMAC-SHA256');
}

beforeAll(async () => {
  receiver = await startReceiver();
  sandbox = await startSandbox({ timeScale: 0.0001, merchants: [DEFAULT_MERCHANT, SECOND] });
  dp = new DiamondPay({ baseUrl: sandbox.url, ...DEFAULT_MERCHANT });
  dp2 = new DiamondPay({ baseUrl: sandbox.url, ...SECOND });
});
afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const timeout = () => AbortSignal.timeout(10_000);

async function create(client = dp, amount = 8_900_000, service_id = 'SVC0015') {
  const payment_cl_id = `db-${Date.now()}-${++seq}`;
  return client.deposits.create({ service_id, payment_cl_id, amount, notify_url: receiver.url });
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

const orderPath = (id: string, platformId = 'PF0002') =>
  `/orders/${encodeURIComponent(id)}?kind=deposit&platform_id=${platformId}`;

const testIdOrder = (page: string) =>
  [...page.matchAll(/data-testid="dashboard-order-([^"]+)"/g)].map((m) => m[1]);

describe('GET /', () => {
  it('stays JSON for JSON clients and for clients that send no Accept', async () => {
    const variants: Record<string, string>[] = [{}, { accept: 'application/json' }, { accept: '*/*' }];
    for (const headers of variants) {
      const res = await fetch(`${sandbox.url}/`, { headers, signal: timeout() });
      expect(res.headers.get('content-type')).toBe('application/json;charset=utf-8');
      expect(await res.json()).toMatchObject({ name: 'Diamond Pay sandbox' });
    }
  });

  it('is the dashboard for a browser: self-contained, in English, with a favicon', async () => {
    const page = await html('/');
    expect(page).toMatch(/^<!doctype html>\s*<html lang="en">/);
    expect(page).toContain('<link rel="icon"');
    expect(page).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
    expect(page).toContain('data-testid="live-indicator"');
    expect(page).toMatch(/<body data-version="\d+">/); // compared with the event stream's first event
  });
});

describe('the order list', () => {
  it('lists orders newest first and filters by merchant and status', async () => {
    const a = await create();
    const b = await create(dp2);
    const c = await create();
    await sandbox.pay(c.payment_cl_id, { realAmount: 100 });
    const all = testIdOrder(await html('/'));
    expect(all.indexOf(c.payment_cl_id)).toBeLessThan(all.indexOf(b.payment_cl_id));
    expect(all.indexOf(b.payment_cl_id)).toBeLessThan(all.indexOf(a.payment_cl_id));
    const second = testIdOrder(await html('/?merchant=PF0009'));
    expect(second).toContain(b.payment_cl_id);
    expect(second).not.toContain(a.payment_cl_id);
    const underpaid = testIdOrder(await html('/?status=underpaid'));
    expect(underpaid).toContain(c.payment_cl_id);
    expect(underpaid).not.toContain(a.payment_cl_id);
    expect(testIdOrder(await html('/?status=paid'))).not.toContain(c.payment_cl_id);
    const row = new RegExp(`data-testid="dashboard-order-${c.payment_cl_id}"[\\s\\S]*?</tr>`).exec(
      await html('/'),
    )![0];
    expect(row).toMatch(/data-testid="order-status">underpaid</);
  });

  it('says so when nothing matches', async () => {
    expect(await html('/?status=expired&merchant=PF0009')).toContain('data-testid="orders-empty"');
  });
});

describe('an order page', () => {
  it('shows the fields, the history, and the cashier link', async () => {
    const d = await create(dp, 8_900_000, 'SVC0017');
    const page = await html(orderPath(d.payment_cl_id));
    for (const text of [d.payment_id, 'SVC0017 (QR code)', '₩89,000', receiver.url, d.token!])
      expect(page).toContain(text);
    expect(page).toMatch(/data-testid="order-status">pending</);
    expect(page).toMatch(/status 0: created/);
    expect(page).toContain(`href="${d.link}"`);
    expect(page).toContain('data-testid="no-deliveries"');
    for (const id of ['action-pay', 'action-pay-amount', 'action-cancel'])
      expect(page).toContain(`data-testid="${id}"`);
    expect(page).not.toContain('data-testid="action-resend"');
  });

  it('pays in full: 303 back with a notice, then the delivery row with the exact body and reply', async () => {
    const d = await create();
    const back = await post(`/orders/${d.payment_cl_id}/pay`, {
      kind: 'deposit',
      platform_id: 'PF0002',
      mode: 'full',
    });
    expect(back).toBe(
      `${orderPath(d.payment_cl_id)}&notice=${encodeURIComponent('Paid ₩89,000; the notification is on its way.')}`,
    );
    const delivery = await sandbox.waitForDelivery(d.payment_cl_id);
    const page = await html(back);
    expect(page).toContain('data-testid="notice"');
    expect(page).toMatch(/data-testid="order-status">paid</);
    expect(page).toMatch(/status 2: paid in full/);
    const rows = page.match(/data-testid="delivery-row"/g) ?? [];
    expect(rows).toHaveLength(1);
    // The body is shown exactly as sent (escaped), and it is the signed notification.
    const escapedBody = delivery.body.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
    expect(page).toContain(escapedBody);
    expect(signedCorrectly(delivery.body)).toBe(true);
    expect(page).toContain('HTTP 200');
    expect(page).toContain('{&quot;error_code&quot;:&quot;0000&quot;}');
    expect(page).toContain('data-acked="true"');
    expect(delivery.durationMs).toBeGreaterThanOrEqual(0);
    expect(page).toContain('data-testid="action-resend"');
    expect(page).not.toContain('data-testid="action-pay"');
  });

  it('pays a different amount in whole won, with delivery faults, and refuses a fraction', async () => {
    const d = await create();
    const refused = await post(`/orders/${d.payment_cl_id}/pay`, {
      kind: 'deposit',
      platform_id: 'PF0002',
      mode: 'amount',
      amount: '12.5',
    });
    expect(refused).toContain('error=');
    expect(await html(refused)).toMatch(/data-testid="error">amount must be a whole number of won/);
    expect(sandbox.order(d.payment_cl_id)?.status).toBe(0);
    await post(`/orders/${d.payment_cl_id}/pay`, {
      kind: 'deposit',
      platform_id: 'PF0002',
      mode: 'amount',
      amount: '45000',
      duplicates: '2',
      fail_first: '',
    });
    expect(sandbox.order(d.payment_cl_id)).toMatchObject({ status: 2, realAmount: 4_500_000 });
    await sandbox.waitForDelivery(d.payment_cl_id);
    await sandbox.idle();
    expect(sandbox.deliveries({ paymentClId: d.payment_cl_id })).toHaveLength(3);
    const page = await html(orderPath(d.payment_cl_id));
    expect(page).toMatch(/data-testid="order-status">underpaid</);
    expect(page).toContain('<dt>shortfall</dt><dd>₩44,000</dd>');
  });

  it('cancels with status 4, resends, and sends a stale status, each as a new delivery', async () => {
    const d = await create();
    await post(`/orders/${d.payment_cl_id}/cancel`, { kind: 'deposit', platform_id: 'PF0002', status: '4' });
    expect(sandbox.order(d.payment_cl_id)?.status).toBe(4);
    await sandbox.waitForDelivery(d.payment_cl_id, { status: 4 });
    await post(`/orders/${d.payment_cl_id}/resend`, { kind: 'deposit', platform_id: 'PF0002' });
    await post(`/orders/${d.payment_cl_id}/stale`, { kind: 'deposit', platform_id: 'PF0002', status: '1' });
    await sandbox.idle();
    const attempts = sandbox.deliveries({ paymentClId: d.payment_cl_id });
    expect(attempts.map((a) => a.status)).toEqual([4, 4, 1]);
    expect(attempts[1]!.body).toBe(attempts[0]!.body);
    const stale = JSON.parse(attempts[2]!.body) as Record<string, unknown>;
    expect(stale).toMatchObject({ status: 1, real_amount: 0 });
    expect(signedCorrectly(attempts[2]!.body)).toBe(true);
    const page = await html(orderPath(d.payment_cl_id));
    expect(page.match(/data-testid="delivery-row"/g)).toHaveLength(3);
    expect(page).toMatch(
      /status 4: failed[\s\S]*status 4: notification resent[\s\S]*status 1: stale status 1 sent/,
    );
  });

  it('refuses what makes no sense with a message on the page', async () => {
    const d = await create();
    const resend = await post(`/orders/${d.payment_cl_id}/resend`, {
      kind: 'deposit',
      platform_id: 'PF0002',
    });
    expect(await html(resend)).toMatch(/data-testid="error">nothing to resend/);
    await sandbox.cancel(d.payment_cl_id);
    const again = await post(`/orders/${d.payment_cl_id}/pay`, { kind: 'deposit', platform_id: 'PF0002' });
    expect(await html(again)).toMatch(/already final/);
  });

  it('keeps two merchants’ equal order ids apart', async () => {
    const id = `same-${Date.now()}`;
    await dp.deposits.create({
      service_id: 'SVC0015',
      payment_cl_id: id,
      amount: 100,
      notify_url: receiver.url,
    });
    await dp2.deposits.create({
      service_id: 'SVC0015',
      payment_cl_id: id,
      amount: 200,
      notify_url: receiver.url,
    });
    await post(`/orders/${id}/pay`, { kind: 'deposit', platform_id: 'PF0009' });
    expect(sandbox.order(id, 'PF0009')?.status).toBe(2);
    expect(sandbox.order(id, 'PF0002')?.status).toBe(0);
    expect(await html(orderPath(id, 'PF0009'))).toContain('₩2');
  });

  it('answers 404 pages for unknown orders, 405 for a GET on an action, 403 for a cross-site post', async () => {
    const missing = await fetch(`${sandbox.url}/orders/nope`, { headers: HTML, signal: timeout() });
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('data-testid="not-found"');
    const d = await create();
    expect((await fetch(`${sandbox.url}/orders/${d.payment_cl_id}/pay`, { signal: timeout() })).status).toBe(
      405,
    );
    const forged = await fetch(`${sandbox.url}/orders/${d.payment_cl_id}/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example' },
      body: 'kind=deposit&platform_id=PF0002',
      redirect: 'manual',
      signal: timeout(),
    });
    expect(forged.status).toBe(403);
    expect(sandbox.order(d.payment_cl_id)?.status).toBe(0);
  });
});

describe('escaping', () => {
  it('never lets a hostile order id, payer name or notice into the markup', async () => {
    const hostile = `<img src=x onerror="alert(1)">'&`;
    const body: Record<string, unknown> = {
      platform_id: 'PF0002',
      service_id: 'SVC0015',
      payment_cl_id: hostile,
      amount: 100,
      notify_url: receiver.url,
      request_time: Math.floor(Date.now() / 1000),
      sign_type: 'HMAC-SHA256',
      name: '<i>x</i>"\'&',
    };
    body.sign = independentSign(body, DEFAULT_MERCHANT.platformKey, 'HMAC-SHA256');
    const res = await fetch(`${sandbox.url}/gateway/api/v2/payments`, {
      method: 'POST',
      body: JSON.stringify(body),
      signal: timeout(),
    });
    expect(((await res.json()) as { error_code: string }).error_code).toBe('0000');
    await sandbox.pay(hostile);
    await sandbox.waitForDelivery(hostile);
    const escaped = '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&amp;';
    for (const page of [
      await html('/'),
      await html(`${orderPath(hostile)}&notice=${encodeURIComponent('<b onmouseover=alert(2)>')}`),
    ]) {
      expect(page).not.toContain('<img src=x');
      expect(page).not.toContain('<i>x');
      expect(page).not.toContain('<b onmouseover');
      expect(page).toContain(escaped);
    }
    expect(await html('/')).toContain(`data-testid="dashboard-order-${escaped}"`);
    expect(await html(orderPath(hostile))).toContain('&lt;i&gt;x&lt;/i&gt;&quot;&#39;&amp;');
  });
});

describe('the faults page', () => {
  it('turns an endpoint’s faults on and off, sets delivery faults and queues a one-shot', async () => {
    expect(await html('/faults')).toContain('data-testid="faults-createDeposit-state">off<');
    await post('/faults', { endpoint: 'queryDeposit', op: 'save', latencyMs: '5', error5xxRate: '0.25' });
    expect(sandbox.faults().queryDeposit).toEqual({ latencyMs: 5, error5xxRate: 0.25 });
    expect(await html('/faults')).toContain('data-testid="faults-queryDeposit-state">faults on<');
    const bad = await post('/faults', { endpoint: 'queryDeposit', op: 'save', hangRate: '2' });
    expect(await html(bad)).toMatch(/data-testid="error">faults\.queryDeposit\.hangRate must be/);
    await post('/faults', { endpoint: 'queryDeposit', op: 'off' });
    expect(sandbox.faults().queryDeposit).toBeUndefined();
    await post('/faults', {
      endpoint: 'delivery',
      op: 'save',
      duplicates: '1',
      failFirst: '',
      latencyMs: '',
    });
    expect(sandbox.faults().delivery).toEqual({ duplicates: 1 });
    await post('/faults', { endpoint: 'delivery', op: 'off' });
    expect(sandbox.faults().delivery).toBeUndefined();
    await post('/faults/inject', { endpoint: 'balance', fault: 'error503', times: '1' });
    const res = await fetch(`${sandbox.url}/gateway/api/v2/platforms/balance`, {
      headers: { authorization: DEFAULT_MERCHANT.authorization },
      signal: timeout(),
    });
    expect(res.status).toBe(503);
  });
});

describe('GET /events', () => {
  it('streams a change event when an order is created or paid', async () => {
    const abort = new AbortController();
    const res = await fetch(`${sandbox.url}/events`, { signal: abort.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream;charset=utf-8');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const nextEvent = async () => {
      const deadline = Date.now() + 5_000;
      while (Date.now() < deadline) {
        const end = text.indexOf('\n\n');
        if (end >= 0) {
          const frame = text.slice(0, end);
          text = text.slice(end + 2);
          if (frame.includes('event: change')) return frame;
          continue;
        }
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
      throw new Error('no change event within 5 s');
    };
    try {
      const first = await nextEvent();
      expect(first).toMatch(/^retry: 2000\nevent: change\ndata: \d+$/);
      const d = await create();
      const second = await nextEvent();
      expect(Number(/data: (\d+)/.exec(second)![1])).toBeGreaterThan(Number(/data: (\d+)/.exec(first)![1]));
      await sandbox.pay(d.payment_cl_id);
      await nextEvent();
    } finally {
      abort.abort();
    }
  });
});
