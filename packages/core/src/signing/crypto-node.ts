// Node-only hashing backend, reached only through the `node` export condition (index.node.ts).
import * as nodeCryptoModule from 'node:crypto';
import { createHash, createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import type { SignatureCrypto } from './crypto.js';

// A KeyObject saves createHmac re-reading the key string on every call (~15% of an HMAC of a
// request-sized message). A merchant has one or two keys; the cache stays tiny.
const keys = new Map<string, KeyObject>();

function keyObject(key: string): KeyObject {
  let k = keys.get(key);
  if (!k) {
    if (keys.size >= 16) keys.clear();
    k = createSecretKey(Buffer.from(key, 'utf8'));
    keys.set(key, k);
  }
  return k;
}

function hmacSha256HexSync(key: string, message: string): string {
  return createHmac('sha256', keyObject(key)).update(message).digest('hex');
}

type OneShotHash = (algorithm: string, data: string, encoding: 'hex') => string;

/**
 * @internal Hex MD5 through `crypto.hash` (Node 20.12+: one call, no Hash object, about twice as fast
 * as createHash().update().digest() for a request-sized message), or createHash where it is missing.
 */
export function md5Hasher(oneShot: OneShotHash | undefined): (message: string) => string {
  return typeof oneShot === 'function'
    ? (message) => oneShot('md5', message, 'hex')
    : (message) => createHash('md5').update(message).digest('hex');
}

// Read off the namespace, not imported by name: a runtime that resolves the `node` condition without
// `crypto.hash` (an older Bun or Deno) still links this module, and falls back.
const md5HexSync = md5Hasher((nodeCryptoModule as { hash?: OneShotHash }).hash);

export const nodeCrypto: SignatureCrypto = {
  hmacSha256Hex: (key, message) => Promise.resolve(hmacSha256HexSync(key, message)),
  md5Hex: (message) => Promise.resolve(md5HexSync(message)),
  hmacSha256HexSync,
  md5HexSync,
};
