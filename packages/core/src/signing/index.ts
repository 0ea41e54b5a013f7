// The gateway's two signature algorithms over one canonical string, on Web Crypto or node:crypto.
export { type SignatureCrypto, setSignatureCrypto } from './crypto.js';
export { canonicalString, SIGN_TYPES, type SignType, sign, timingSafeEqualHex, verify } from './signature.js';
