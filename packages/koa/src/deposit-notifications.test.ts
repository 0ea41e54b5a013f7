// The notification middleware on a real Koa server, with notifications signed like the gateway's
// (the sandbox-driven flows are in sandbox.test.ts).
import { request as httpRequest } from 'node:http';
import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { type DepositNotification, depositNotifications, type ReceiveResult } from './index.js';
import { ACK, listen, post, type Running, signedNotification, TEST_MERCHANT } from './test-support.js';

const PATH = '/diamondpay/notifications/deposit';

type Setup = 'none' | 'bodyparser' | 'consuming-parser' | 'unparsed-symbol';

interface Harness extends Running {
  calls: DepositNotification[];
  appErrors: unknown[];
  reported: ReceiveResult[];
  results: string[];
  bodies: unknown[];
  endpoint: string;
}

const running: Running[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
});

/** A Koa app with the notification route at PATH behind the given body-parsing setup. */
async function start(
  setup: Setup,
  options: { onDeposit?: (n: DepositNotification) => unknown; maxBodyBytes?: number } = {},
): Promise<Harness> {
  const calls: DepositNotification[] = [];
  const appErrors: unknown[] = [];
  const reported: ReceiveResult[] = [];
  const results: string[] = [];
  const bodies: unknown[] = [];
  const app = new Koa();
  app.on('error', (error) => appErrors.push(error));
  if (setup === 'bodyparser') app.use(bodyParser());
  if (setup === 'consuming-parser' || setup === 'unparsed-symbol') {
    // A parser that reads the stream and keeps only the parsed object (like koa-body by default),
    // or also the text under koa-body's `includeUnparsed` symbol.
    app.use(async (ctx, next) => {
      let text = '';
      for await (const chunk of ctx.req) text += chunk;
      const parsed = JSON.parse(text);
      if (setup === 'unparsed-symbol') parsed[Symbol.for('unparsedBody')] = text;
      (ctx.request as { body?: unknown }).body = parsed;
      await next();
    });
  }
  app.use(async (ctx, next) => {
    if (ctx.path === '/other') {
      ctx.body = 'other route';
      return;
    }
    await next();
  });
  app.use(
    depositNotifications({
      ...TEST_MERCHANT,
      path: PATH,
      maxBodyBytes: options.maxBodyBytes,
      onError: (_error, result) => reported.push(result),
      // The Koa context comes along (an assertion here would be swallowed: onResult must not throw).
      onResult: (result, ctx) => results.push(ctx.path === PATH ? result.outcome : 'no-koa-context'),
      async onDeposit(notification, ctx) {
        calls.push(notification);
        bodies.push((ctx.request as { body?: unknown }).body);
        await options.onDeposit?.(notification);
      },
    }),
  );
  const server = await listen(app);
  running.push(server);
  return { ...server, calls, appErrors, reported, results, bodies, endpoint: `${server.url}${PATH}` };
}

describe('depositNotifications: obtaining the raw body', () => {
  it('without a body parser reads the stream itself, verifies, runs onDeposit once and acks', async () => {
    const h = await start('none');
    const { body, fields } = await signedNotification();
    const res = await post(h.endpoint, body);
    expect(res.status).toBe(200);
    expect(res.text).toBe(ACK);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(h.calls).toHaveLength(1);
    expect(h.calls[0]).toMatchObject({
      kind: 'deposit',
      payment_cl_id: fields.payment_cl_id,
      platform_id: 'PF0002',
      amount: 8_900_000,
      real_amount: 8_900_000,
      status: 2,
      outcome: 'paid',
    });
  });

  it('after @koa/bodyparser uses ctx.request.rawBody: digits the parsed body lost still verify', async () => {
    const h = await start('bodyparser');
    // 12345678901234567890 does not survive JSON.parse: only the raw text verifies.
    const { body, fields } = await signedNotification({ bank_ref: '12345678901234567890' });
    const raw = body.replace('"bank_ref":"12345678901234567890"', '"bank_ref":12345678901234567890');
    expect(raw).not.toBe(body);
    const res = await post(h.endpoint, raw);
    expect(res.text).toBe(ACK);
    expect(res.status).toBe(200);
    expect(h.calls).toHaveLength(1);
    expect(h.calls[0]?.payment_cl_id).toBe(fields.payment_cl_id);
    expect(h.calls[0]?.extra.bank_ref).toBe('12345678901234567890');
    // The parser did run: its re-serialised body differs from what was signed.
    const parsed = h.bodies[0] as Record<string, unknown>;
    expect(parsed.payment_cl_id).toBe(fields.payment_cl_id);
    expect(String(parsed.bank_ref)).not.toBe('12345678901234567890');
  });

  it('after a parser that kept no raw body answers 500 with how to fix the setup, and never verifies', async () => {
    const h = await start('consuming-parser');
    const { body } = await signedNotification();
    const res = await post(h.endpoint, body);
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toContain('application/json');
    const reply = JSON.parse(res.text) as { error_code: string; error_msg: string };
    expect(reply.error_code).toBe('configuration_error');
    expect(reply.error_msg).toContain('before the body parser');
    expect(reply.error_msg).toContain('rawBody');
    expect(h.calls).toHaveLength(0);
    expect(h.appErrors).toHaveLength(1);
    expect(h.appErrors[0]).toMatchObject({ code: 'configuration_error' });
    expect(h.reported.map((r) => r.status)).toEqual([500]);
    expect(h.results).toEqual(['rejected']);
  });

  it("uses koa-body's unparsed text (includeUnparsed) when the parser kept it", async () => {
    const h = await start('unparsed-symbol');
    const { body } = await signedNotification();
    const res = await post(h.endpoint, body);
    expect(res.text).toBe(ACK);
    expect(h.calls).toHaveLength(1);
  });

  it('passes requests for other paths on (path option)', async () => {
    const h = await start('none');
    const res = await fetch(`${h.url}/other`);
    expect(await res.text()).toBe('other route');
    const missing = await fetch(`${h.url}/nothing-here`, { method: 'POST', body: '{}' });
    expect(missing.status).toBe(404);
    expect(h.calls).toHaveLength(0);
  });
});

describe('depositNotifications: refusals come from core, written unchanged', () => {
  it('bad signature → 401, no handler run', async () => {
    const h = await start('none');
    const { body } = await signedNotification({}, 'SomeOtherKey999');
    const res = await post(h.endpoint, body);
    expect(res.status).toBe(401);
    expect(res.text).not.toBe(ACK);
    expect(h.calls).toHaveLength(0);
  });

  it('wrong platform_id → 401', async () => {
    const h = await start('bodyparser');
    const { body } = await signedNotification({ platform_id: 'PF9999' });
    const res = await post(h.endpoint, body);
    expect(res.status).toBe(401);
    expect(h.calls).toHaveLength(0);
  });

  it('malformed JSON → 400; empty body → 400', async () => {
    const h = await start('none');
    const res = await post(h.endpoint, '{"payment_id": "PM1", ');
    expect(res.status).toBe(400);
    const empty = await post(h.endpoint, '');
    expect(empty.status).toBe(400);
    expect(h.calls).toHaveLength(0);
  });

  it('a client that disconnects mid-body runs no handler and leaves the server serving', async () => {
    const h = await start('none');
    const { body } = await signedNotification();
    await new Promise<void>((resolve) => {
      const req = httpRequest(h.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
      });
      req.on('error', () => resolve());
      req.write(body.slice(0, 40), () => setTimeout(() => req.destroy(), 50));
    });
    const ok = await post(h.endpoint, body);
    expect(ok.text).toBe(ACK);
    expect(h.calls).toHaveLength(1);
    // The failed read surfaces as a client error (400, exposed), which Koa does not log as a server fault.
    const readErrors = h.appErrors.filter(
      (e) => (e as Error).message === 'The request body could not be read.',
    );
    expect(readErrors.every((e) => (e as { status?: number }).status === 400)).toBe(true);
  });

  it('wrong method → 405 with Allow: POST; wrong content type → 415', async () => {
    const h = await start('none');
    const get = await fetch(h.endpoint);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    const put = await fetch(h.endpoint, { method: 'PUT', body: '{}' });
    expect(put.status).toBe(405);
    const { body } = await signedNotification();
    const text = await post(h.endpoint, body, { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    expect(h.calls).toHaveLength(0);
  });

  it('oversized body with Content-Length → 413 before reading it', async () => {
    const h = await start('none', { maxBodyBytes: 4096 });
    const { body } = await signedNotification({ padding: 'x'.repeat(5000) });
    const res = await post(h.endpoint, body);
    expect(res.status).toBe(413);
    expect(h.calls).toHaveLength(0);
  });

  it('oversized chunked body without Content-Length → 413 while streaming; the server keeps serving', async () => {
    const h = await start('none', { maxBodyBytes: 4096 });
    const reply = await chunkedPost(h.endpoint, ['{"padding":"', 'x'.repeat(3000), 'x'.repeat(3000), '"}']);
    expect(reply.sentContentLength).toBe(false);
    expect(reply.status).toBe(413);
    const { body } = await signedNotification();
    const ok = await post(h.endpoint, body);
    expect(ok.text).toBe(ACK);
    expect(h.calls).toHaveLength(1);
  });

  it('a small chunked body without Content-Length is read and verified', async () => {
    const h = await start('none');
    const { body } = await signedNotification();
    const reply = await chunkedPost(h.endpoint, [body.slice(0, 50), body.slice(50)]);
    expect(reply.sentContentLength).toBe(false);
    expect(reply.status).toBe(200);
    expect(reply.text).toBe(ACK);
    expect(h.calls).toHaveLength(1);
  });

  it('oversized body after @koa/bodyparser → 413 from the raw copy', async () => {
    const h = await start('bodyparser', { maxBodyBytes: 4096 });
    const { body } = await signedNotification({ padding: 'x'.repeat(5000) });
    const res = await post(h.endpoint, body);
    expect(res.status).toBe(413);
    expect(h.calls).toHaveLength(0);
  });
});

describe('depositNotifications: handler runs', () => {
  it('reports every delivery once to onResult, including those refused before core read a body', async () => {
    const h = await start('none', { maxBodyBytes: 4096 });
    const { body } = await signedNotification();
    await post(h.endpoint, body);
    await post(h.endpoint, body);
    await fetch(h.endpoint);
    await post(h.endpoint, 'x'.repeat(5000));
    expect(h.results).toEqual(['processed', 'duplicate', 'rejected', 'rejected']);
  });

  it('a throwing handler is not acknowledged; the retry runs it again and is acknowledged', async () => {
    let attempts = 0;
    const h = await start('none', {
      onDeposit() {
        attempts++;
        if (attempts === 1) throw new Error('database down');
      },
    });
    const { body } = await signedNotification();
    const first = await post(h.endpoint, body);
    expect(first.status).toBe(500);
    expect(first.text).not.toBe(ACK);
    const retry = await post(h.endpoint, body);
    expect(retry.status).toBe(200);
    expect(retry.text).toBe(ACK);
    const again = await post(h.endpoint, body);
    expect(again.text).toBe(ACK);
    expect(h.calls).toHaveLength(2);
  });

  it('20 concurrent copies of one notification: handler once, every copy acknowledged', async () => {
    const h = await start('bodyparser', {
      onDeposit: () => new Promise((resolve) => setTimeout(resolve, 50)),
    });
    const { body } = await signedNotification();
    const replies = await Promise.all(Array.from({ length: 20 }, () => post(h.endpoint, body)));
    expect(replies.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(replies.map((r) => r.text)).toEqual(Array(20).fill(ACK));
    expect(h.calls).toHaveLength(1);
  });
});

/** POSTs the chunks with Transfer-Encoding: chunked (no Content-Length). */
function chunkedPost(
  url: string,
  chunks: string[],
): Promise<{ status: number; text: string; sentContentLength: boolean }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      timeout: 10_000,
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, text, sentContentLength: req.hasHeader('content-length') }),
      );
    });
    for (const c of chunks) req.write(c);
    req.end();
  });
}
