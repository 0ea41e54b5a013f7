// The gateway's signing rules (protocol reference §1), implemented once.

import { DiamondPayValidationError } from '../errors.js';
import { JsonNumber, stringifyJsonRaw } from '../json/raw-json.js';
import { signatureCrypto } from './crypto.js';

export type SignType = 'HMAC-SHA256' | 'MD5';
export const SIGN_TYPES: readonly SignType[] = ['HMAC-SHA256', 'MD5'];

/**
 * The string that is signed: every parameter except `sign`, `sign_type` and empty values
 * (`null`, `undefined`, `""`; `0` is kept), sorted by key in ASCII order, joined as `key=value`
 * with `&`, values raw (no URL-encoding), arrays and objects as compact JSON.
 */
export function canonicalString(params: Record<string, unknown>): string {
  const { fields, joins } = keyOrder(params);
  let out = '';
  for (let i = 0; i < fields.length; i++) {
    const key = fields[i]!;
    const value = params[key];
    if (value === null || value === undefined || value === '') continue;
    const text =
      typeof value === 'string'
        ? value
        : typeof value === 'number' && Number.isSafeInteger(value)
          ? `${value}`
          : canonicalValue(key, value);
    out = out === '' ? `${key}=${text}` : out + joins[i]! + text;
  }
  return out;
}

/** The keys to sign, in order (without `sign`/`sign_type`), and each one's `&key=` text. */
interface KeyOrder {
  /** `Object.keys` of the params this order was made for. */
  readonly keys: readonly string[];
  readonly fields: readonly string[];
  readonly joins: readonly string[];
}

/** Up to this many keys an insertion sort is used and the order is cached; past it, Array#sort. */
const INSERTION_SORT_MAX = 16;

// The last four key lists seen, with their order. A merchant signs and verifies the same few message
// shapes over and over (a create, a deposit and a payout notification), so comparing the keys
// (interned property names: pointer checks) replaces the sort, and the cached `&key=` texts halve
// the strings built per field: together about a third of building the canonical string.
let orders: KeyOrder[] = [];

function keyOrder(params: Record<string, unknown>): KeyOrder {
  const keys = Object.keys(params);
  for (const order of orders) if (sameKeys(order.keys, keys)) return order;
  const fields = sortAscii(keys.filter((k) => k !== 'sign' && k !== 'sign_type'));
  const order: KeyOrder = { keys, fields, joins: fields.map((k) => `&${k}=`) };
  // Only small shapes of short keys are kept, so an unsigned body of long keys costs at most a few KiB held.
  if (keys.length <= INSERTION_SORT_MAX && keys.every((k) => k.length <= 64))
    orders = [order, ...orders.slice(0, 3)];
  return order;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// By UTF-16 code units (= ASCII order for ASCII keys). A message has about ten keys, where an
// insertion sort is several times faster than Array#sort; but insertion sort is O(n²), so a
// hostile object with thousands of keys goes to Array#sort (TimSort, default string order).
function sortAscii(keys: string[]): string[] {
  if (keys.length > INSERTION_SORT_MAX) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > k) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = k;
  }
  return keys;
}

function canonicalValue(key: string, value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      if (!Number.isFinite(value)) {
        throw new DiamondPayValidationError(
          [{ field: key, rule: 'finite', message: 'must be a finite number' }],
          'Cannot sign',
        );
      }
      // Plain decimal text: String() switches to exponent form at 1e21.
      return Number.isInteger(value) && Math.abs(value) >= 1e21 ? BigInt(value).toString() : String(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value instanceof JsonNumber) return value.text;
      return stringifyJsonRaw(value);
    default:
      throw new DiamondPayValidationError(
        [{ field: key, rule: 'type', message: `a ${typeof value} cannot be signed` }],
        'Cannot sign',
      );
  }
}

/** Normalises a `sign_type` value; `undefined` means the field was absent (MD5 by the gateway's rule). */
export function parseSignType(value: unknown): SignType | undefined | null {
  if (value === undefined || value === null || value === '') return undefined;
  // The gateway's own spelling first: no uppercased copy per notification.
  if (value === 'HMAC-SHA256') return 'HMAC-SHA256';
  if (value === 'MD5') return 'MD5';
  if (typeof value !== 'string') return null;
  const upper = value.toUpperCase();
  if (upper === 'HMAC-SHA256') return 'HMAC-SHA256';
  if (upper === 'MD5') return 'MD5';
  return null;
}

function assertKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) {
    throw new DiamondPayValidationError(
      [{ field: 'platformKey', rule: 'required', message: 'the platform key is empty or not a string' }],
      'Cannot sign',
      'configuration_error',
    );
  }
}

/** Signs the canonical string: lowercase hex HMAC-SHA256 (64 chars, default) or MD5(canonical + "&" + key) (32 chars). */
export function sign(
  params: Record<string, unknown>,
  key: string,
  signType: SignType = 'HMAC-SHA256',
): Promise<string> {
  assertKey(key);
  const canonical = canonicalString(params);
  if (signType === 'HMAC-SHA256') return signatureCrypto().hmacSha256Hex(key, canonical);
  if (signType === 'MD5') return signatureCrypto().md5Hex(`${canonical}&${key}`);
  return Promise.reject(
    new DiamondPayValidationError(
      [
        {
          field: 'sign_type',
          rule: 'enum',
          message: `must be "HMAC-SHA256" or "MD5", got ${JSON.stringify(signType)}`,
        },
      ],
      'Cannot sign',
    ),
  );
}

/**
 * Verifies `params.sign` with HMAC-SHA256 when `params.sign_type` is `HMAC-SHA256`, otherwise with
 * MD5 (the gateway's rule). Hex case is ignored; the comparison takes constant time.
 * Resolves false for a missing, malformed or wrong signature or an unknown `sign_type`.
 */
export async function verify(params: Record<string, unknown>, key: string): Promise<boolean> {
  return verifyNow(params, key);
}

/**
 * `verify`, synchronously when the hashing backend can (node:crypto), else as a promise: the
 * receiver's hot path skips a promise and a microtask per notification on Node. Throws for an empty key.
 */
export function verifyNow(params: Record<string, unknown>, key: string): boolean | Promise<boolean> {
  assertKey(key);
  const given = params.sign;
  if (typeof given !== 'string') return false;
  const parsed = parseSignType(params.sign_type);
  if (parsed === null) return false;
  const signType = parsed ?? 'MD5';
  if (given.length !== (signType === 'HMAC-SHA256' ? 64 : 32)) return false;
  const canonical = canonicalString(params);
  const backend = signatureCrypto();
  if (signType === 'HMAC-SHA256') {
    if (backend.hmacSha256HexSync) return sameHexSignature(backend.hmacSha256HexSync(key, canonical), given);
    return backend.hmacSha256Hex(key, canonical).then((expected) => sameHexSignature(expected, given));
  }
  const message = `${canonical}&${key}`;
  if (backend.md5HexSync) return sameHexSignature(backend.md5HexSync(message), given);
  return backend.md5Hex(message).then((expected) => sameHexSignature(expected, given));
}

/**
 * Whether `given` (hex of either case) is the lowercase hex `expected`: one pass that lowercases A–F,
 * checks the hex alphabet and compares, with no regular expression and no lowercased copy on the hot
 * path. It looks at every character whatever differs; its branches depend only on `given` (the
 * sender's own text), never on `expected`.
 */
function sameHexSignature(expected: string, given: string): boolean {
  if (expected.length !== given.length) return false;
  let diff = 0;
  let bad = 0;
  for (let i = 0; i < given.length; i++) {
    const o = given.charCodeAt(i);
    const c = o >= 0x41 && o <= 0x46 ? o + 0x20 : o;
    bad |= (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) ? 0 : 1;
    diff |= expected.charCodeAt(i) ^ c;
  }
  return (diff | bad) === 0;
}

/** Constant-time comparison of two equal-length ASCII strings. */
export function timingSafeEqualHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
