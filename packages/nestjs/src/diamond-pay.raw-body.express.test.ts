// Express on its own (the instance Nest's ExpressAdapter wraps, with Nest's own parsers): the body parsers
// pass over POST requests to the notification route, whose stream stays unread; other routes keep parsing.
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { ExpressAdapter } from '@nestjs/platform-express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bypassExpressParsers } from './diamond-pay.raw-body.express.js';
import { findRawBody } from './diamond-pay.raw-body.js';

async function text(body: Readable | Uint8Array | string | undefined): Promise<string> {
  if (body === undefined) return '(no raw body)';
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

let server: Server;
let base: string;
let bypassed: string[];
beforeAll(async () => {
  const adapter = new ExpressAdapter();
  adapter.registerParserMiddleware(); // Nest's json and urlencoded parsers, app-wide
  const app = adapter.getInstance();
  const raw = async (req: any, res: any) =>
    res.type('text/plain').send(`raw:${await text(findRawBody(req))}`);
  app.all('/api/diamondpay/notifications/deposit', raw); // as Nest mounts an @All() route
  app.post('/echo', (req: any, res: any) => res.json({ parsed: req.body }));
  bypassed = bypassExpressParsers(app, 'diamondpay/notifications/deposit');
  server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const post = (path: string, body: string, type = 'application/json') =>
  fetch(base + path, { method: 'POST', headers: { 'content-type': type }, body });

describe('bypassExpressParsers', () => {
  it('finds the route under its prefix', () => {
    expect(bypassed).toEqual(['/api/diamondpay/notifications/deposit']);
  });

  it('leaves the notification bytes unread, exactly as sent (numbers as written)', async () => {
    const body = '{"amount":100.00,"big":12345678901234567890}';
    const res = await post('/api/diamondpay/notifications/deposit', body);
    expect(await res.text()).toBe(`raw:${body}`);
  });

  it('matches the route case-insensitively and with a trailing slash, as Express routes do', async () => {
    const res = await post('/API/DiamondPay/notifications/deposit/', '{"a":1.0}');
    expect(await res.text()).toBe('raw:{"a":1.0}');
  });

  it('keeps parsing every other route', async () => {
    const res = await post('/echo', '{"a":1.0}');
    expect(await res.json()).toEqual({ parsed: { a: 1 } });
    const form = await post('/echo', 'a=1', 'application/x-www-form-urlencoded');
    expect(await form.json()).toEqual({ parsed: { a: '1' } });
  });

  it('returns nothing when the route is not there (rawBody: true then applies)', () => {
    const adapter = new ExpressAdapter();
    adapter.registerParserMiddleware();
    expect(bypassExpressParsers(adapter.getInstance(), 'nowhere')).toEqual([]);
  });
});
