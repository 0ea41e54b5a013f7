// Hostile and malformed requests against the notification route of every adapter (through its demo
// app). Each gets a clear error status and body, no handler runs, and the server stays up.

import { type Sandbox, startSandbox } from '@diamondpay/sandbox';
import { loadShopConfig, type ShopConfig } from '@diamondpay-demo/shop';
import { depositFields, signedBody } from '@diamondpay-internal/test-signer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp as startHono } from '../apps/hono-demo/src/app.js';
import { startApp as startKoa } from '../apps/koa-demo/src/app.js';
import { startApp as startNest } from '../apps/nestjs-demo/src/app.js';

const PATH = '/diamondpay/notifications/deposit';
const JSON_TYPE = { 'content-type': 'application/json' };

interface Hostile {
  name: string;
  method?: string;
  headers?: Record<string, string>;
  /** A function for a body that can be sent only once (a stream). */
  body?: string | Uint8Array | (() => ReadableStream<Uint8Array>);
  /** Acceptable statuses. */
  status: number[];
}

const signed = (overrides: Record<string, unknown>, opts?: Parameters<typeof signedBody>[1]) =>
  signedBody(depositFields(overrides), opts);
/** Signed over the given text for one field, then sent as a raw JSON number with that text. */
const signedNumber = (field: string, text: string) =>
  signedBody(depositFields({ [field]: text })).replace(`"${field}":"${text}"`, `"${field}":${text}`);

const CASES: Hostile[] = [
  { name: 'broken JSON', body: '{"payment_id":', status: [400] },
  { name: 'empty body', body: '', status: [400] },
  { name: 'white space only', body: '   \n ', status: [400] },
  { name: 'JSON array', body: '[1,2,3]', status: [400] },
  { name: 'JSON string', body: '"paid"', status: [400] },
  { name: 'JSON null', body: 'null', status: [400] },
  { name: 'JSON number', body: '42', status: [400] },
  { name: 'trailing garbage', body: `${signed({})}xyz`, status: [400] },
  { name: 'duplicate keys', body: signed({}).replace('{', '{"status":3,'), status: [400] },
  { name: 'nested 1000 deep', body: `${'['.repeat(1000)}${']'.repeat(1000)}`, status: [400] },
  { name: 'raw control character', body: '{"payment_id":"PM\u0001"}', status: [400] },
  { name: 'leading-zero number', body: '{"amount":0123}', status: [400] },
  { name: 'invalid UTF-8', body: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), status: [400] },
  { name: 'missing sign', body: JSON.stringify(depositFields()), status: [401] },
  { name: 'empty sign', body: JSON.stringify({ ...depositFields(), sign: '' }), status: [401] },
  { name: 'numeric sign', body: JSON.stringify({ ...depositFields(), sign: 1234 }), status: [401] },
  {
    name: 'non-hex sign',
    body: JSON.stringify({ ...depositFields(), sign_type: 'HMAC-SHA256', sign: 'g'.repeat(64) }),
    status: [401],
  },
  {
    name: 'truncated sign',
    body: signed({}).replace(/"sign":"([0-9a-f]{63})[0-9a-f]"/, '"sign":"$1"'),
    status: [401],
  },
  {
    name: 'unknown sign_type',
    body: JSON.stringify({ ...depositFields(), sign_type: 'SHA1', sign: 'a'.repeat(40) }),
    status: [401],
  },
  {
    name: 'sign_type not a string',
    body: JSON.stringify({ ...depositFields(), sign_type: 7, sign: 'a'.repeat(32) }),
    status: [401],
  },
  { name: 'signed with another key', body: signed({}, { key: 'AnotherMerchantKey999' }), status: [401] },
  {
    name: 'HMAC signature labelled MD5',
    body: signed({}).replace('"sign_type":"HMAC-SHA256",', ''),
    status: [401],
  },
  {
    name: 'amount tampered after signing',
    body: signed({}).replace('"real_amount":50000000', '"real_amount":99999999'),
    status: [401],
  },
  { name: 'field added after signing', body: signed({}).replace('{', '{"bonus":"1",'), status: [401] },
  { name: 'another platform_id', body: signed({ platform_id: 'PF9999' }), status: [401] },
  {
    name: 'huge number (signed)',
    body: signedNumber('amount', '123456789012345678901234567890'),
    status: [400],
  },
  { name: 'non-integer amount (signed)', body: signedNumber('amount', '12.5'), status: [400] },
  { name: 'negative amount (signed)', body: signedNumber('real_amount', '-5'), status: [400] },
  { name: 'exponent amount (signed)', body: signedNumber('amount', '1e3'), status: [400] },
  { name: 'status as a word (signed)', body: signed({ status: 'paid' }), status: [400] },
  { name: 'missing payment_id (signed)', body: signed({ payment_id: undefined }), status: [400] },
  {
    name: 'replayed ancient notification (signed)',
    body: signed({ update_time: 1567614111, create_time: 1567614049 }),
    status: [400],
  },
  { name: 'oversized body (Content-Length)', body: `{"x":"${'a'.repeat(70_000)}"}`, status: [413] },
  {
    name: 'oversized chunked body',
    body: () =>
      new ReadableStream<Uint8Array>({
        start(c) {
          for (let i = 0; i < 12; i++) c.enqueue(new Uint8Array(8192).fill(0x20));
          c.close();
        },
      }),
    status: [413],
  },
  { name: 'GET', method: 'GET', body: undefined, status: [405] },
  { name: 'PUT', method: 'PUT', body: signed({}), status: [405] },
  {
    name: 'text/plain content type',
    headers: { 'content-type': 'text/plain' },
    body: signed({}),
    status: [415],
  },
  {
    name: 'form content type',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'payment_id=PM1&sign=x',
    status: [415],
  },
];

// Nest's logger off: every refusal would be a WARN line; the test prints one summary per adapter instead.
const APPS = {
  hono: startHono,
  koa: startKoa,
  nestjs: (config: ShopConfig) => startNest(config, undefined, false),
};

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ timeScale: 0.001 });
});
afterAll(async () => {
  await sandbox?.close();
});

describe.each(Object.entries(APPS))('%s notification route under hostile input', (_name, start) => {
  let app: Awaited<ReturnType<typeof start>>;
  // The demo's own shop (its orders in the shop database, beside the ledger).
  const shop = {
    stats: () => app.shop.stats(),
    getOrder: (id: string) => app.shop.getOrder(id),
  };
  beforeAll(async () => {
    const config = loadShopConfig(
      {},
      { host: '127.0.0.1', port: 0, gateway: { ...loadShopConfig({}).gateway, baseUrl: sandbox.url } },
    );
    app = await start(config);
  });
  afterAll(async () => {
    await app?.close();
  });

  it(`refuses all ${CASES.length} requests clearly, runs no handler, and stays up`, async () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
    const statuses: number[] = [];
    for (const c of CASES) {
      const res = await fetch(app.url + PATH, {
        method: c.method ?? 'POST',
        headers: c.headers ?? JSON_TYPE,
        body: typeof c.body === 'function' ? c.body() : c.body,
        duplex: 'half',
      } as RequestInit);
      const text = await res.text();
      statuses.push(res.status);
      if (res.status === 405) expect(res.headers.get('allow'), `${c.name} Allow`).toBe('POST');
      expect(c.status, `${c.name} answered ${res.status} ${text.slice(0, 200)}`).toContain(res.status);
      expect(text, `${c.name} must not be acknowledged`).not.toBe('{"error_code":"0000"}');
      expect(text.length, `${c.name} must explain itself`).toBeGreaterThan(0);
      if (res.status !== 404) {
        const body = JSON.parse(text) as { error_code?: string; error_msg?: string; message?: string };
        expect(body.error_code ?? body.message, `${c.name} body`).toBeTruthy();
      }
    }
    expect(shop.stats().notificationsHandled).toBe(0);
    // Still up: a genuine order and its notification go through.
    const created = await fetch(`${app.url}/orders`, {
      method: 'POST',
      headers: { ...JSON_TYPE, accept: 'application/json' },
      body: JSON.stringify({ product_id: 'kimchi', service_id: 'SVC0015' }),
    });
    const order = (await created.json()) as { id: string };
    await sandbox.pay(order.id);
    await sandbox.waitForDelivery(order.id, { timeoutMs: 10_000 });
    expect(shop.stats().notificationsHandled).toBe(1);
    expect((await shop.getOrder(order.id))?.status).toBe('paid');
    const byStatus = new Map<number, number>();
    for (const st of statuses) byStatus.set(st, (byStatus.get(st) ?? 0) + 1);
    const counts = [...byStatus].sort(([a], [b]) => a - b).map(([st, n]) => `${st} ×${n}`);
    console.log(
      `${_name}: ${CASES.length} hostile requests refused (${counts.join(', ')}), handler runs 0, then a genuine order paid`,
    );
  });
});
