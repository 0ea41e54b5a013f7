// The Node-stream part of body reading. It uses only the stream's event methods (no `node:` import),
// so it stays in the runtime-neutral bundle and costs nothing where no Node stream arrives.
import { DiamondPayNotificationError } from '../errors.js';
import { tooLarge } from './verify.js';

export interface NodeReadableLike {
  on(event: string, listener: (...args: any[]) => void): unknown;
  off(event: string, listener: (...args: any[]) => void): unknown;
  resume(): unknown;
  readonly readable?: boolean | undefined;
  readonly readableEnded?: boolean | undefined;
  readonly destroyed?: boolean | undefined;
}

/** True when the stream can no longer produce its body: it ended, was destroyed or is not readable. */
export function isConsumed(req: NodeReadableLike): boolean {
  return req.readableEnded === true || req.destroyed === true || req.readable === false;
}

export function isNodeReadable(x: unknown): x is NodeReadableLike {
  const r = x as Partial<NodeReadableLike>;
  return typeof r.on === 'function' && typeof r.off === 'function' && typeof r.resume === 'function';
}

// A Node stream is drained, not destroyed, past the limit: destroying it would reset the socket
// before the 413 reply could be written. A stream already read to its end emits nothing more, so
// it is refused at once (`consumed`) instead of waiting forever.
export function readNodeStream(
  req: NodeReadableLike,
  maxBytes: number,
  consumed: () => Error,
): Promise<Uint8Array> {
  if (isConsumed(req)) return Promise.reject(consumed());
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let total = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Uint8Array) => {
      total += chunk.byteLength;
      if (total <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      cleanup();
      req.resume();
      reject(tooLarge(maxBytes));
    };
    const onEnd = () => {
      cleanup();
      // One chunk (a notification nearly always fits in one): that chunk, not a copy of it.
      if (chunks.length === 1) return resolve(chunks[0]!);
      const out = new Uint8Array(total);
      let offset = 0;
      for (const c of chunks) {
        out.set(c, offset);
        offset += c.byteLength;
      }
      resolve(out);
    };
    const onError = (error: unknown) => {
      cleanup();
      reject(
        new DiamondPayNotificationError(
          'notification_malformed',
          400,
          `The request body could not be read (${String(error)}).`,
        ),
      );
    };
    const onClose = () => onError('the client closed the connection');
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
