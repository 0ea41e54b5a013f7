// Runtime-neutral hashing: HMAC through Web Crypto, MD5 in plain JS (md5.ts; Web Crypto has none).
import type { SignatureCrypto } from './crypto.js';
import { md5Words } from './md5.js';

// Marked pure so a bundle that never hashes (a client-only or receiver-free worker) drops them.
const encoder = /* @__PURE__ */ new TextEncoder();
const HEX = /* @__PURE__ */ Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]!];
  return out;
}

// importKey is the slow part of a Web Crypto HMAC; a merchant has one or two keys, so cache them.
const keyCache = new Map<string, Promise<CryptoKey>>();
const MAX_CACHED_KEYS = 16;

function hmacKey(key: string): Promise<CryptoKey> {
  let cached = keyCache.get(key);
  if (!cached) {
    if (keyCache.size >= MAX_CACHED_KEYS) keyCache.clear();
    cached = crypto.subtle.importKey('raw', encoder.encode(key), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
    ]);
    keyCache.set(key, cached);
    cached.catch(() => keyCache.delete(key));
  }
  return cached;
}

export const webCrypto: SignatureCrypto = {
  async hmacSha256Hex(key, message) {
    const mac = await crypto.subtle.sign('HMAC', await hmacKey(key), encoder.encode(message));
    return toHex(new Uint8Array(mac));
  },
  async md5Hex(message) {
    // The digest's bytes are each word's bytes, low byte first.
    let out = '';
    for (const word of md5Words(encoder.encode(message)))
      for (let shift = 0; shift < 32; shift += 8) out += HEX[(word >>> shift) & 0xff];
    return out;
  },
};
