// The Node-stream part of body reading. It uses only the stream's event methods (no `node:` import),
// so it stays in the runtime-neutral bundle and costs nothing where no Node stream arrives.
import { DiamondPayNotificationError } from '../errors.js';
import { tooLarge } from './verify.js';

export interface NodeReadableLike {
  on(event: string, listener: (...args: any[]) => void): unknown;
  off(event: string, listener: (...args: any[]) => void): unknown;
  resume(): unknown;
}

export function isNodeReadable(x: unknown): x is NodeReadableLike {
  const r = x as Partial<NodeReadableLike>;
  return typeof r.on === 'function' && typeof r.off === 'function' && typeof r.resume === 'function';
}

// A Node stream is drained, not destroyed, past the limit: destroying it would reset the socket
// before the 413 reply could be written.
export function readNodeStream(req: NodeReadableLike, maxBytes: number): Promise<Uint8Array> {
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
