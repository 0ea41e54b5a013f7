// Fastify on its own (the instance Nest's FastifyAdapter wraps): on POST to the notification route the
// payload stream is kept unread for the route and Fastify parses nothing, whatever its content-type
// parser would have done; other routes keep Fastify's JSON parsing.
import type { Readable } from 'node:stream';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installFastifyPayloadHook } from './diamond-pay.raw-body.fastify.js';
import { findRawBody } from './diamond-pay.raw-body.js';

async function text(body: Readable | Uint8Array | string | undefined): Promise<string> {
  if (body === undefined) return '(no raw body)';
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const fastify = new FastifyAdapter().getInstance();
let base: string;
beforeAll(async () => {
  installFastifyPayloadHook(fastify as never, 'hooks/dp');
  installFastifyPayloadHook(fastify as never, 'second/route'); // a second module on the same instance
  const raw = async (req: any) => `raw:${await text(findRawBody(req))}`;
  fastify.all('/api/hooks/dp', raw); // as Nest mounts an @All() route
  fastify.all('/second/route', raw);
  fastify.post('/echo', async (req: any) => ({ parsed: req.body }));
  // What the route and a later preValidation hook see of the request.
  fastify.addHook('preValidation', (req: any, _reply, done) => {
    req.seenByLaterHook = req.headers['content-type'];
    done();
  });
  fastify.all('/inspect/hooks/dp', async (req: any) => ({
    body: req.body === undefined ? 'not parsed' : req.body,
    headers: {
      type: req.headers['content-type'],
      length: req.headers['content-length'],
      encoding: req.headers['transfer-encoding'],
    },
    laterHook: req.seenByLaterHook,
    raw: await text(findRawBody(req)),
  }));
  // A preParsing hook after ours that fails: the error handler sees the headers as they came.
  fastify.addHook('preParsing', (req: any, _reply, payload, done) => {
    if (req.url === '/failing/hooks/dp') return done(new Error('refused by a later hook'));
    done(null, payload);
  });
  fastify.all('/failing/hooks/dp', async () => 'unreachable');
  // A plugin that gives the request extra headers: Fastify then hands out a merged copy of the headers
  // on every read, so they cannot be set aside, and Fastify parses the stand-in instead.
  fastify.addHook('onRequest', (req: any, _reply, done) => {
    if (req.url === '/merged/hooks/dp') req.headers = { 'x-extra': '1' };
    done();
  });
  fastify.all('/merged/hooks/dp', async (req: any) => ({
    body: req.body,
    raw: await text(findRawBody(req)),
  }));
  fastify.setErrorHandler((error: any, req: any, reply) => {
    reply.code(error.statusCode ?? 500).send({ error: error.message, type: req.headers['content-type'] });
  });
  base = await fastify.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(() => fastify.close());

const post = (path: string, body: string, type = 'application/json') =>
  fetch(base + path, { method: 'POST', headers: { 'content-type': type }, body });

describe('installFastifyPayloadHook', () => {
  it('keeps the notification bytes unread, exactly as sent (numbers as written)', async () => {
    const body = '{"amount":100.00,"big":12345678901234567890}';
    expect(await (await post('/api/hooks/dp', body)).text()).toBe(`raw:${body}`);
  });

  it('keeps malformed JSON for the receiver to answer, instead of Fastify refusing it', async () => {
    const res = await post('/api/hooks/dp', '{"payment_id":');
    expect([res.status, await res.text()]).toEqual([200, 'raw:{"payment_id":']);
  });

  it('serves every route given to it', async () => {
    expect(await (await post('/second/route', '{"b":2.50}')).text()).toBe('raw:{"b":2.50}');
  });

  it("skips Fastify's body parsing there, and gives the body headers back before the route and later hooks run", async () => {
    const body = '{"amount":100.00}';
    const res = await post('/inspect/hooks/dp', body);
    expect(await res.json()).toEqual({
      body: 'not parsed',
      headers: { type: 'application/json', length: String(body.length), encoding: undefined },
      laterHook: 'application/json',
      raw: body,
    });
  });

  it('keeps a chunked notification (no content-length) unread too', async () => {
    const chunks = ['{"amount":', '100.00}'];
    const stream = new ReadableStream({
      start(controller) {
        for (const c of chunks) controller.enqueue(new TextEncoder().encode(c));
        controller.close();
      },
    });
    const res = await fetch(`${base}/inspect/hooks/dp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    const seen = await res.json();
    expect([seen.body, seen.headers.encoding, seen.headers.length, seen.raw]).toEqual([
      'not parsed',
      'chunked',
      undefined,
      chunks.join(''),
    ]);
  });

  it('still keeps the notification for the route when the headers cannot be set aside (Fastify parses the stand-in)', async () => {
    const body = '{"amount":100.00,"padding":"a longer body than the stand-in"}';
    const res = await post('/merged/hooks/dp', body);
    expect([res.status, await res.json()]).toEqual([200, { body: {}, raw: body }]);
  });

  it('gives the headers back when a later hook fails, for the error handler', async () => {
    const res = await post('/failing/hooks/dp', '{}');
    expect([res.status, await res.json()]).toEqual([
      500,
      { error: 'refused by a later hook', type: 'application/json' },
    ]);
  });

  it('keeps JSON parsing for every other route', async () => {
    expect(await (await post('/echo', '{"a":1.0}')).json()).toEqual({ parsed: { a: 1 } });
    expect((await post('/echo', '{"a":')).status).toBe(400);
  });
});
