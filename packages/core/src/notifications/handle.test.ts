// The adapter door: receiver.handle({ method, headers, body }) → { status, headers, body }.
import { createServer } from 'node:http';
import { Readable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { depositFields, signedBody, TEST_KEY } from '../testing/independent-signer.js';
import { createNotificationReceiver } from './receiver.js';
import type { NotificationBody } from './request.js';

const ACK = '{"error_code":"0000"}';

function setup() {
  const onDeposit = vi.fn();
  const onResult = vi.fn();
  const onError = vi.fn();
  const receiver = createNotificationReceiver({
    platformId: 'PF0002',
    platformKey: TEST_KEY,
    onDeposit,
    onResult,
    onError,
  });
  return { receiver, onDeposit, onResult, onError };
}

const json = { 'content-type': 'application/json' };

describe('receiver.handle', () => {
  const text = () => signedBody(depositFields({ payment_id: `PM${Math.random().toString(36).slice(2)}` }));
  const bodies: Array<[string, () => NotificationBody]> = [
    ['a string', () => text()],
    ['a Uint8Array', () => new TextEncoder().encode(text())],
    ['a Buffer', () => Buffer.from(text())],
    ['an ArrayBuffer', () => new TextEncoder().encode(text()).buffer as ArrayBuffer],
    ['a Web ReadableStream', () => new Response(text()).body!],
    ['a Node readable', () => Readable.from([Buffer.from(text())])],
  ];
  it.each(bodies)('acknowledges a body given as %s, reported to onResult once', async (_what, body) => {
    const { receiver, onDeposit, onResult } = setup();
    const res = await receiver.handle({ method: 'POST', headers: json, body: body() }, undefined);
    expect({ status: res.status, body: res.body }).toEqual({ status: 200, body: ACK });
    expect(typeof res.body).toBe('string');
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(onDeposit).toHaveBeenCalledTimes(1);
    expect(onResult).toHaveBeenCalledTimes(1);
  });

  it('reads headers from a Headers object or a Node-style record (arrays too)', async () => {
    const { receiver } = setup();
    const h = new Headers({ 'content-type': 'text/plain' });
    expect((await receiver.handle({ method: 'POST', headers: h, body: text() }, undefined)).status).toBe(415);
    const rec = { 'content-type': ['text/plain'] };
    expect((await receiver.handle({ method: 'POST', headers: rec, body: text() }, undefined)).status).toBe(
      415,
    );
  });

  it('answers 405 with Allow: POST, 413 for a declared length over the limit, each reported once', async () => {
    const { receiver, onResult, onError, onDeposit } = setup();
    const get = await receiver.handle({ method: 'GET', headers: {}, body: null }, undefined);
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    const big = await receiver.handle(
      { method: 'POST', headers: { ...json, 'content-length': '999999' }, body: text() },
      undefined,
    );
    expect(big.status).toBe(413);
    expect(onResult).toHaveBeenCalledTimes(2);
    expect(onError).toHaveBeenCalledTimes(2);
    expect(onDeposit).not.toHaveBeenCalled();
  });

  it('refuses a streamed body past the limit with 413 and Connection: close', async () => {
    const { receiver, onResult } = setup();
    const stream = Readable.from([Buffer.alloc(40_000, 0x20), Buffer.alloc(40_000, 0x20)]);
    const res = await receiver.handle({ method: 'POST', headers: json, body: stream }, undefined);
    expect(res.status).toBe(413);
    expect(res.headers.connection).toBe('close');
    expect(onResult).toHaveBeenCalledTimes(1);
  });

  it('answers 500 configuration_error with the adapter hint when a body parser consumed the body', async () => {
    const { receiver, onResult, onDeposit } = setup();
    const res = await receiver.handle({ method: 'POST', headers: json, body: undefined }, undefined, {
      rawBodyHint: 'Use app.post(path, handler) before app.use(bodyParser()).',
    });
    expect(res.status).toBe(500);
    const parsed = JSON.parse(res.body) as { error_code: string; error_msg: string };
    expect(parsed.error_code).toBe('configuration_error');
    expect(parsed.error_msg).toContain('before app.use(bodyParser())');
    expect(onResult).toHaveBeenCalledTimes(1);
    expect(onDeposit).not.toHaveBeenCalled();
  });

  it('answers 500 configuration_error at once for a locked Web stream', async () => {
    const { receiver } = setup();
    const stream = new Response(text()).body!;
    stream.getReader();
    const res = await receiver.handle({ method: 'POST', headers: json, body: stream }, undefined);
    expect(res.status).toBe(500);
    expect(JSON.parse(res.body).error_code).toBe('configuration_error');
  });

  it('serves a real Node server with the IncomingMessage and its header record', async () => {
    const { receiver, onDeposit } = setup();
    const server = createServer(async (req, res) => {
      const reply = await receiver.handle(
        { method: req.method!, headers: req.headers, body: req },
        undefined,
      );
      res.writeHead(reply.status, reply.headers).end(reply.body);
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    try {
      const ok = await fetch(url, { method: 'POST', headers: json, body: text() });
      expect([ok.status, await ok.text()]).toEqual([200, ACK]);
      const bad = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<x/>' });
      expect(bad.status).toBe(415);
      expect(onDeposit).toHaveBeenCalledTimes(1);
    } finally {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    }
  });

  it('keeps handleRequest(Request) for fetch runtimes', async () => {
    const { receiver } = setup();
    const res = await receiver.handleRequest(
      new Request('http://x/n', { method: 'POST', headers: json, body: text() }),
      undefined,
    );
    expect([res.status, await res.text()]).toEqual([200, ACK]);
  });
});
