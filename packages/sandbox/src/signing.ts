// The sandbox's own signing, written from the protocol text (gateway reference §1) with node:crypto
// and no core signing code, so the fake gateway is a second opinion on core's `sign`/`verify`.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { JsonNumber, type SignType } from '@diamondpay/core';

/**
 * The signed string: every field but `sign`, `sign_type` and empty values (`null`, `undefined`,
 * `""`; `0` is kept), keys in ASCII order, `key=value` joined by `&`, values raw (no URL-encoding),
 * numbers as the text that arrived, arrays and objects as compact JSON.
 */
export function canonical(params: Record<string, unknown>): string {
  const parts: string[] = [];
  // Keys are ASCII field names: the default sort compares UTF-16 code units, i.e. ASCII order.
  for (const key of Object.keys(params).sort()) {
    if (key === 'sign' || key === 'sign_type') continue;
    const value = params[key];
    if (value === null || value === undefined || value === '') continue;
    parts.push(`${key}=${typeof value === 'string' ? value : compactJson(value)}`);
  }
  return parts.join('&');
}

function compactJson(value: unknown): string {
  if (value instanceof JsonNumber) return value.text;
  if (Array.isArray(value)) return `[${value.map(compactJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${compactJson(v)}`).join(',')}}`;
  }
  if (typeof value === 'bigint') return value.toString();
  return JSON.stringify(value) ?? 'null';
}

/** Lowercase hex: HMAC-SHA256(key, canonical) (64 chars) or MD5(canonical + "&" + key) (32 chars). */
export function signParams(params: Record<string, unknown>, key: string, signType: SignType): string {
  const text = canonical(params);
  return signType === 'HMAC-SHA256'
    ? createHmac('sha256', key).update(text).digest('hex')
    : createHash('md5').update(`${text}&${key}`).digest('hex');
}

/** The algorithm a message's `sign_type` names: HMAC-SHA256, or MD5 when absent or empty; null for anything else. */
export function signTypeOf(params: Record<string, unknown>): SignType | null {
  const value = params.sign_type;
  if (value === undefined || value === null || value === '') return 'MD5';
  if (typeof value !== 'string') return null;
  const upper = value.toUpperCase();
  return upper === 'HMAC-SHA256' || upper === 'MD5' ? upper : null;
}

/** True when `params.sign` is the signature of `params` under `key`, with the algorithm its `sign_type` names. */
export function verifyParams(
  params: Record<string, unknown>,
  key: string,
  signType = signTypeOf(params),
): boolean {
  const given = params.sign;
  if (typeof given !== 'string' || signType === null) return false;
  const expected = Buffer.from(signParams(params, key, signType), 'latin1');
  const actual = Buffer.from(given.toLowerCase(), 'latin1');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
