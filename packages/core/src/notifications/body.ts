// Reading a notification body with a size limit, from whatever an adapter holds: a Web stream,
// an async iterable of bytes or a Node request (its reader is in node-stream-body.ts).
import { DiamondPayNotificationError } from '../errors.js';
import { isNodeReadable, readNodeStream } from './node-stream-body.js';
import type { IncomingNotificationRequest } from './receiver.js';
import { tooLarge } from './verify.js';

const DEFAULT_RAW_BODY_FIX =
  'Mount the notification route before any body parser, or have the parser keep the raw bytes and pass them.';

/**
 * Reads a body, refusing it (413 `notification_too_large`) as soon as it exceeds `maxBytes`, by its
 * declared length or while streaming. Takes a Web `Request`/`Response`, a `ReadableStream`, or any
 * async iterable of bytes (a Node `IncomingMessage`).
 */
export async function readBodyLimited(
  source:
    | Pick<IncomingNotificationRequest, 'body' | 'headers'>
    | ReadableStream<Uint8Array>
    | AsyncIterable<Uint8Array>,
  maxBytes: number,
  declaredLength?: string | number | null,
  rawBodyHint?: string,
): Promise<Uint8Array> {
  let stream: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | null;
  if ('headers' in source && 'body' in source && typeof source.headers?.get === 'function') {
    declaredLength ??= source.headers.get('content-length');
    stream = source.body;
  } else stream = source as ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;
  const declared = declaredLength == null || declaredLength === '' ? Number.NaN : Number(declaredLength);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  if (!stream) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const consumed = () => rawBodyUnavailable(rawBodyHint ?? DEFAULT_RAW_BODY_FIX);
  if (isNodeReadable(stream)) return readNodeStream(stream, maxBytes, consumed);
  // A Web stream someone else is reading (or has read) cannot give the raw body either.
  if (typeof ReadableStream !== 'undefined' && stream instanceof ReadableStream && stream.locked)
    throw consumed();
  if (
    Symbol.asyncIterator in stream &&
    !(typeof ReadableStream !== 'undefined' && stream instanceof ReadableStream)
  ) {
    for await (const chunk of stream as AsyncIterable<Uint8Array>) {
      total += chunk.byteLength;
      if (total > maxBytes) throw tooLarge(maxBytes);
      chunks.push(chunk);
    }
  } else {
    const reader = (stream as ReadableStream<Uint8Array>).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge(maxBytes);
      }
      chunks.push(value);
    }
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

/**
 * The error for a route whose raw body is gone (a body parser consumed the stream and kept no raw
 * copy). Answered with 500 so the gateway retries once the setup is fixed; `fix` says how.
 */
export function rawBodyUnavailable(fix: string = DEFAULT_RAW_BODY_FIX): DiamondPayNotificationError {
  return new DiamondPayNotificationError(
    'configuration_error',
    500,
    `The notification could not be verified: a body parser read the request before the Diamond Pay notification route and kept no raw copy (a re-serialised body cannot be verified). ${fix}`,
  );
}
