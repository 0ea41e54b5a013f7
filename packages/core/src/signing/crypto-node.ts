// Node-only hashing backend, reached only through the `node` export condition (index.node.ts).
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
  return createHmac('sha256', keyObject(key)).update(message, 'utf8').digest('hex');
}

function md5HexSync(message: string): string {
  return createHash('md5').update(message, 'utf8').digest('hex');
}

export const nodeCrypto: SignatureCrypto = {
  hmacSha256Hex: (key, message) => Promise.resolve(hmacSha256HexSync(key, message)),
  md5Hex: (message) => Promise.resolve(md5HexSync(message)),
  hmacSha256HexSync,
  md5HexSync,
};
