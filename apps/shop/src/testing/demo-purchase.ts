// The purchase every demo must get right, driven through the sandbox's HTTP control API: order
// (form or JSON), pay / underpay / cancel, the notification (also duplicated, or with a lost reply),
// the order page; and what the shop refuses. Every demo answers the same request the same way: JSON
// when the client sends Accept: application/json, HTML otherwise.
import { describe, expect, it } from 'vitest';
import { NOTIFICATION_PATH, type StartDemo, useSandboxedDemo } from './fixture.js';

const ACK = '{"error_code":"0000"}';
/** The featured product (red ginseng), ₩89,000 in cents. */
const FEATURED_PRICE_CENTS = 8_900_000;
const SERVICES = ['SVC0015', 'SVC0016', 'SVC0017'];

interface OrderView {
  id: string;
  status: string;
  amount: number;
  link: string | null;
  payment_id: string | null;
  real_amount: number | null;
}

/** Bounds every request the tests make. */
const timeout = () => AbortSignal.timeout(10_000);

/** Registers `<name> purchase through the sandbox`: the tests every demo shares. */
export function describeDemoPurchase(name: string, start: StartDemo): void {
  describe(`${name} purchase through the sandbox`, () => {
    const demo = useSandboxedDemo(start);

    /** Submits the home page's form for a service, as a browser would (no redirect following). */
    const orderViaForm = (serviceId: string) =>
      fetch(`${demo.app.url}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          product_id: demo.app.shop.featured.id,
          service_id: serviceId,
        }).toString(),
        redirect: 'manual',
        signal: timeout(),
      });

    /** Orders the featured product as a JSON client: 201 and the pending order. */
    async function orderViaJson(serviceId = 'SVC0015'): Promise<OrderView> {
      const res = await fetch(`${demo.app.url}/orders`, {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/json' },
        body: JSON.stringify({ product_id: demo.app.shop.featured.id, service_id: serviceId }),
        signal: timeout(),
      });
      expect(res.status).toBe(201);
      const created = (await res.json()) as OrderView;
      expect(res.headers.get('location')).toBe(`/orders/${created.id}`);
      expect(created.status).toBe('pending');
      return created;
    }

    /** The order as JSON (accept: application/json). */
    async function orderJson(id: string): Promise<OrderView> {
      const res = await fetch(`${demo.app.url}/orders/${id}`, {
        headers: { accept: 'application/json' },
        signal: timeout(),
      });
      expect(res.status).toBe(200);
      return (await res.json()) as OrderView;
    }

    /** The order page as a browser gets it (HTML). */
    async function orderPage(id: string): Promise<string> {
      const res = await fetch(`${demo.app.url}/orders/${id}`, {
        headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
        signal: timeout(),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      return res.text();
    }

    /** The status the order page shows. */
    async function orderPageStatus(id: string): Promise<string> {
      const shown = /data-testid="order-status"[^>]*>([^<]*)</.exec(await orderPage(id));
      expect(shown).not.toBeNull();
      return shown![1]!;
    }

    /** The same order at /orders/:id.json. */
    async function orderJsonSuffix(id: string): Promise<OrderView> {
      const res = await fetch(`${demo.app.url}/orders/${id}.json`, { signal: timeout() });
      expect(res.status).toBe(200);
      return (await res.json()) as OrderView;
    }

    /** Pays or cancels at the sandbox, through its HTTP control API. */
    async function control(paymentClId: string, action: 'pay' | 'cancel', body: object = {}) {
      const res = await fetch(
        `${demo.sandbox.url}/_sandbox/orders/${encodeURIComponent(paymentClId)}/${action}`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: timeout(),
        },
      );
      expect(res.status).toBe(200);
    }

    it('serves the home page with one Pay button per Korea service and the badge', async () => {
      const res = await fetch(`${demo.app.url}/`, { signal: timeout() });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      const html = await res.text();
      for (const svc of SERVICES) expect(html).toContain(`data-testid="pay-${svc}"`);
      expect(html).toContain('action="/orders"');
      expect(html).toContain('₩89,000');
      const framework = /data-testid="badge-framework">([^<]+)</.exec(html)?.[1] ?? '';
      expect(framework.toLowerCase()).toBe(name.replace(/-demo$/, ''));
      // The demos run on the ledger (PostgreSQL: PGlite here) unless REDIS_URL is set.
      const ledger = demo.app.storage?.ledger !== undefined;
      expect(html).toContain(`data-testid="badge-duplicates">${ledger ? 'ledger inbox' : 'memory'}<`);
      expect(html).toContain(`data-testid="badge-database">${ledger ? 'PostgreSQL (PGlite)' : 'memory'}<`);
    });

    it('a form post redirects (303) to the shop’s own order page, which links to the cashier in a new tab', async () => {
      const { app, sandbox } = demo;
      const res = await orderViaForm('SVC0015');
      expect(res.status).toBe(303);
      const location = res.headers.get('location') ?? '';
      expect(location).toMatch(/^\/orders\/[^/]+$/);
      const id = decodeURIComponent(location.slice('/orders/'.length));
      const order = await app.shop.getOrder(id);
      expect(order?.status).toBe('pending');
      expect(order?.link?.startsWith(`${sandbox.url}/cashier/`)).toBe(true);
      expect(sandbox.order(id)?.notifyUrl).toBe(`${app.url}${NOTIFICATION_PATH}`);
      const page = await orderPage(id);
      expect(/data-testid="order-status"[^>]*>([^<]*)</.exec(page)?.[1]).toContain('pending');
      const link = /<a [^>]*data-testid="cashier-link"[^>]*>/.exec(page)?.[0] ?? '';
      expect(link).toContain(`href="${order!.link}"`);
      expect(link).toContain('target="_blank"');
      expect(link).toContain('rel="noopener"');
      // The method by name, not its service id.
      expect(page).toMatch(/data-testid="order-method">카드 결제 · Bank card</);
      expect(page).not.toContain('data-testid="order-qr"');
      expect(await orderJsonSuffix(id)).toMatchObject({ id, status: 'pending' });
    });

    it('the QR service’s order page shows a QR code of the gateway’s qr_code_content', async () => {
      const res = await orderViaForm('SVC0017');
      const page = await orderPage(decodeURIComponent(res.headers.get('location')!.slice('/orders/'.length)));
      expect(page).toContain('data-testid="order-qr"');
      expect(page).toMatch(/data-testid="order-method">QR 결제 · QR code</);
    });

    it('answers JSON only for Accept: application/json, whatever the request body is', async () => {
      const { app } = demo;
      // A JSON body without Accept: application/json is answered as a browser would want it.
      const res = await fetch(`${app.url}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ product_id: app.shop.featured.id, service_id: 'SVC0016' }),
        redirect: 'manual',
        signal: timeout(),
      });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toMatch(/^\/orders\//);
      // And a form post that asks for JSON gets JSON.
      const json = await fetch(`${app.url}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ product_id: app.shop.featured.id, service_id: 'SVC0016' }).toString(),
        signal: timeout(),
      });
      expect(json.status).toBe(201);
      expect(json.headers.get('content-type')).toMatch(/^application\/json/);
      expect(((await json.json()) as OrderView).status).toBe('pending');
    });

    it('a paid order turns paid after the sandbox notification', async () => {
      const { app, sandbox } = demo;
      const created = await orderViaJson();
      expect(created.link).toMatch(/\/cashier\//);
      expect(created.amount).toBe(FEATURED_PRICE_CENTS);
      await control(created.id, 'pay');
      const delivered = await sandbox.waitForDelivery(created.id, { timeoutMs: 10_000 });
      expect(delivered.reply).toBe(ACK);
      expect(delivered.url).toBe(`${app.url}${NOTIFICATION_PATH}`);
      expect(sandbox.deliveries({ paymentClId: created.id })[0]?.url).toBe(`${app.url}${NOTIFICATION_PATH}`);
      expect(await orderJson(created.id)).toMatchObject({
        id: created.id,
        status: 'paid',
        amount: FEATURED_PRICE_CENTS,
        real_amount: FEATURED_PRICE_CENTS,
      });
      expect(await orderPageStatus(created.id)).toMatch(/\bpaid\b/);
      expect(await orderJsonSuffix(created.id)).toMatchObject({ id: created.id, status: 'paid' });
    });

    it('an underpaid order turns underpaid, and its page never says paid', async () => {
      const created = await orderViaJson('SVC0016');
      await control(created.id, 'pay', { real_amount: created.amount - 500_000 });
      await demo.sandbox.waitForDelivery(created.id, { timeoutMs: 10_000 });
      expect(await orderJson(created.id)).toMatchObject({
        status: 'underpaid',
        real_amount: created.amount - 500_000,
      });
      const page = await orderPage(created.id);
      const status = /data-testid="order-status"[^>]*>([^<]*)</.exec(page)?.[1] ?? '';
      expect(status).toContain('underpaid');
      expect(status).not.toMatch(/\bpaid\b/);
      expect(page).toContain('data-testid="order-shortfall">₩5,000<');
      expect(page).not.toContain('data-testid="cashier-link"');
    });

    it('a cancelled order turns cancelled', async () => {
      const created = await orderViaJson('SVC0017');
      await control(created.id, 'cancel');
      await demo.sandbox.waitForDelivery(created.id, { timeoutMs: 10_000 });
      expect(await orderJson(created.id)).toMatchObject({ status: 'cancelled' });
      expect(await orderPageStatus(created.id)).toContain('cancelled');
    });

    it('duplicate deliveries change the order once and are all acknowledged', async () => {
      const { app, sandbox } = demo;
      const created = await orderViaJson();
      const before = app.shop.stats();
      await control(created.id, 'pay', { delivery: { duplicates: 4 } });
      await sandbox.waitForDelivery(created.id, { timeoutMs: 10_000 });
      await sandbox.idle();
      const attempts = sandbox.deliveries({ paymentClId: created.id });
      expect(attempts).toHaveLength(5);
      expect(attempts.every((a) => a.acked)).toBe(true);
      const after = app.shop.stats();
      expect(after.ordersUpdated - before.ordersUpdated).toBe(1);
      expect(after.notificationsHandled - before.notificationsHandled).toBe(1);
      expect(after.deliveries.duplicate - before.deliveries.duplicate).toBe(4);
      expect(await orderJson(created.id)).toMatchObject({ status: 'paid' });
    });

    it('duplicates and a lost reply (so the sandbox retries) change the order once', async () => {
      const { app, sandbox } = demo;
      const created = await orderViaJson();
      const before = app.shop.stats();
      // 4 extra concurrent copies, and the first attempt's reply is lost so the sandbox retries.
      await control(created.id, 'pay', { delivery: { duplicates: 4, failFirst: 1, lose: 'reply' } });
      await sandbox.waitForDelivery(created.id, { timeoutMs: 10_000 });
      await sandbox.idle();
      expect(await orderJson(created.id)).toMatchObject({ status: 'paid' });
      const attempts = sandbox.deliveries({ paymentClId: created.id });
      expect(attempts.length).toBeGreaterThanOrEqual(6);
      expect(attempts.filter((a) => a.acked).length).toBeGreaterThanOrEqual(1);
      const after = app.shop.stats();
      expect(after.notificationsHandled - before.notificationsHandled).toBe(1);
      expect(after.ordersUpdated - before.ordersUpdated).toBe(1);
      expect(after.deliveries.processed - before.deliveries.processed).toBe(1);
      expect(after.deliveries.duplicate - before.deliveries.duplicate).toBeGreaterThanOrEqual(5);
    });

    it('refuses an unknown service or product (400) and answers 404 for an unknown order, as JSON or a page', async () => {
      const { app } = demo;
      const unknownService = await fetch(`${app.url}/orders`, {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/json' },
        body: JSON.stringify({ product_id: app.shop.featured.id, service_id: 'SVC9999' }),
        signal: timeout(),
      });
      expect(unknownService.status).toBe(400);
      expect(await unknownService.json()).toEqual({ error: 'unknown service "SVC9999"' });
      const unknownProduct = await fetch(`${app.url}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ product_id: '<nope>', service_id: 'SVC0015' }).toString(),
        signal: timeout(),
      });
      expect(unknownProduct.status).toBe(400);
      expect(unknownProduct.headers.get('content-type')).toMatch(/^text\/html/);
      const refusal = await unknownProduct.text();
      expect(refusal).toContain('data-testid="error">unknown product &#34;&#60;nope&#62;&#34;<');
      const missingJson = await fetch(`${app.url}/orders/NO-SUCH-ORDER`, {
        headers: { accept: 'application/json' },
        signal: timeout(),
      });
      expect(missingJson.status).toBe(404);
      expect(await missingJson.json()).toEqual({ error: 'No order NO-SUCH-ORDER' });
      const missingSuffix = await fetch(`${app.url}/orders/NO-SUCH-ORDER.json`, { signal: timeout() });
      expect(missingSuffix.status).toBe(404);
      expect(await missingSuffix.json()).toEqual({ error: 'No order NO-SUCH-ORDER' });
      const missingPage = await fetch(`${app.url}/orders/NO-SUCH-ORDER`, { signal: timeout() });
      expect(missingPage.status).toBe(404);
      expect(missingPage.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await missingPage.text()).toContain('data-testid="error">No order NO-SUCH-ORDER<');
    });

    it('refuses a forged notification (401) and leaves the order pending', async () => {
      const { app } = demo;
      const notify = (body: object) =>
        fetch(`${app.url}${NOTIFICATION_PATH}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: timeout(),
        });
      const created = await orderViaJson();
      const now = Math.floor(Date.now() / 1000);
      const forged = await notify({
        payment_id: created.payment_id,
        payment_cl_id: created.id,
        platform_id: 'PF0002',
        amount: created.amount,
        real_amount: created.amount,
        fee: 0,
        status: 2,
        create_time: now,
        update_time: now,
        sign_type: 'HMAC-SHA256',
        sign: '0'.repeat(64),
      });
      expect(forged.status).toBe(401);
      expect(await forged.text()).not.toBe(ACK);
      // A bare one, signed with nothing but a guess, fares no better.
      const bare = await notify({
        payment_cl_id: 'x',
        platform_id: 'PF0002',
        sign: 'f'.repeat(64),
        sign_type: 'HMAC-SHA256',
      });
      expect(bare.status).toBe(401);
      expect(await bare.text()).not.toBe(ACK);
      expect(await orderJson(created.id)).toMatchObject({ status: 'pending' });
    });
  });
}
