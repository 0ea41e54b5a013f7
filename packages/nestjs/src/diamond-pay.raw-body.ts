// Where the notification's raw body is, on either platform, with or without `rawBody: true` (the first-class
// path: Nest's own parsers then keep the bytes in req.rawBody). The platform-specific parts that keep the
// body unread are in diamond-pay.raw-body.express.ts and diamond-pay.raw-body.fastify.ts. A re-serialised
// body is never verified.
import { Readable } from 'node:stream';
import { PAYLOAD } from './diamond-pay.raw-body.fastify.js';

/**
 * Where the notification request's raw body is, for core's `receiver.handle` to read: the payload kept
 * by the Fastify hook, `req.rawBody` (`rawBody: true`), or the request stream when nothing has read it
 * (e.g. `bodyParser: false`). `undefined` when a body parser consumed it without keeping the bytes.
 */
export function findRawBody(request: any): Readable | Uint8Array | string | undefined {
  const kept = request?.[PAYLOAD];
  if (kept) return kept as Readable;
  const raw = request?.rawBody;
  if (raw instanceof Uint8Array || typeof raw === 'string') return raw;
  if (isUnreadStream(request)) return request;
  return undefined;
}

function isUnreadStream(value: any): value is Readable {
  return (
    value instanceof Readable && !value.readableEnded && !value.destroyed && (value as any)._body !== true
  );
}
