// The hashing primitives behind `sign`/`verify`. The default entry uses Web Crypto plus a pure MD5
// (edge runtimes have no MD5 in Web Crypto); the `node` export condition swaps in `node:crypto`.
import { webCrypto } from './crypto-web.js';

export interface SignatureCrypto {
  /** Lowercase hex HMAC-SHA256 of the UTF-8 message. */
  hmacSha256Hex(key: string, message: string): Promise<string>;
  /** Lowercase hex MD5 of the UTF-8 message. */
  md5Hex(message: string): Promise<string>;
  /**
   * The same HMAC, synchronously, where the backend can (node:crypto): the receiver then verifies a
   * notification without a promise per signature. Optional; without it the promise form is used.
   */
  hmacSha256HexSync?(key: string, message: string): string;
  /** The same MD5, synchronously, where the backend can. Optional. */
  md5HexSync?(message: string): string;
}

let active: SignatureCrypto = webCrypto;

/** Replaces the hashing backend (the Node entry installs `node:crypto`). */
export function setSignatureCrypto(impl: SignatureCrypto): void {
  active = impl;
}

export function signatureCrypto(): SignatureCrypto {
  return active;
}
