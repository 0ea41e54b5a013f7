// Fastify on its own (the instance Nest's FastifyAdapter wraps): on POST to the notification route the
// payload stream is kept unread for the route, whatever the content-type parser would have done; other
// routes keep Fastify's JSON parsing.
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

  it('keeps JSON parsing for every other route', async () => {
    expect(await (await post('/echo', '{"a":1.0}')).json()).toEqual({ parsed: { a: 1 } });
    expect((await post('/echo', '{"a":')).status).toBe(400);
  });
});
