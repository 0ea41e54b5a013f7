// The adapter door's input: what any framework can hand core without knowing the protocol. Headers
// as a `Headers`-like object or a Node-style record; the body as bytes, text, a Web stream, a Node
// readable, or `undefined` when a body parser consumed it.
import type { NodeReadableLike } from './node-stream-body.js';

/** A `Headers` (or anything with its `get`), or a Node-style record with lowercase names (`IncomingHttpHeaders`). */
export type NotificationHeaders =
  | Pick<Headers, 'get'>
  | Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * The raw body as the adapter holds it. `null` is an empty body; `undefined` means a body parser
 * consumed the stream and kept no raw copy (answered 500 `configuration_error`).
 */
export type NotificationBody =
  | Uint8Array
  | ArrayBuffer
  | string
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array>
  | NodeReadableLike
  | null
  | undefined;

/** One delivery as an adapter sees it: `receiver.handle({ method, headers, body })`. */
export interface NotificationRequest {
  method: string;
  headers: NotificationHeaders;
  body: NotificationBody;
}

export interface HandleOptions {
  /**
   * How to fix this framework's setup when the body was consumed (`body: undefined` or an already
   * read stream), appended to the 500 `configuration_error` message, e.g. "mount the route before the body parser".
   */
  rawBodyHint?: string | undefined;
}

/** A header's value from either header shape; repeated values are joined with ", ". */
export function headerValue(headers: NotificationHeaders, name: string): string | undefined {
  if (typeof (headers as Pick<Headers, 'get'>).get === 'function') {
    return (headers as Pick<Headers, 'get'>).get(name) ?? undefined;
  }
  const value = (headers as Readonly<Record<string, string | readonly string[] | undefined>>)[name];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value.join(', ');
}
