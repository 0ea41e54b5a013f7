// An independent signer for the SDK's own tests: node:crypto and a canonical string written from the
// protocol text (gateway reference §1), with no SDK code, so tests never check the SDK against itself.
import { createHash, createHmac } from 'node:crypto';

/** The docs' published test merchant. */
export const TEST_PLATFORM_ID = 'PF0002';
export const TEST_KEY = 'ThisIsYourSecretKey123';

export type TestSignType = 'HMAC-SHA256' | 'MD5';

/**
 * The signed string: every field except `sign`, `sign_type` and empty values (`null`, `undefined`,
 * `""`; `0` is kept), keys in ASCII order, `key=value` joined by `&`, values raw, arrays and objects
 * as compact JSON.
 */
export function independentCanonical(params: Record<string, unknown>): string {
  return Object.keys(params)
    .filter(
      (k) =>
        k !== 'sign' &&
        k !== 'sign_type' &&
        params[k] !== null &&
        params[k] !== undefined &&
        params[k] !== '',
    )
    .sort()
    .map((k) => {
      const v = params[k];
      return `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`;
    })
    .join('&');
}

/** The lowercase hex signature of `params`: HMAC-SHA256 (default) or MD5(canonical + "&" + key). */
export function independentSign(
  params: Record<string, unknown>,
  key: string = TEST_KEY,
  signType: TestSignType = 'HMAC-SHA256',
): string {
  const canonical = independentCanonical(params);
  return signType === 'HMAC-SHA256'
    ? createHmac('sha256', key).update(canonical).digest('hex')
    : createHash('md5').update(`${canonical}&${key}`).digest('hex');
}

/** A notification body as the gateway sends it: fields in the given order, then sign_type (HMAC only), then sign. */
export function signedBody(
  params: Record<string, unknown>,
  { key = TEST_KEY, signType = 'HMAC-SHA256' as TestSignType } = {},
): string {
  const sign = independentSign(params, key, signType);
  return JSON.stringify(
    signType === 'HMAC-SHA256' ? { ...params, sign_type: 'HMAC-SHA256', sign } : { ...params, sign },
  );
}

/** A paid deposit notification's fields (amounts in cents), recent by default. */
export function depositFields(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    payment_id: 'PM00000102',
    payment_cl_id: 'ORDER-1',
    platform_id: TEST_PLATFORM_ID,
    amount: 50000000,
    real_amount: 50000000,
    fee: 400000,
    status: 2,
    create_time: now - 60,
    update_time: now,
    ...overrides,
  };
}

/** A successful payout notification's fields (amounts in cents), recent by default. */
export function payoutFields(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    payout_id: 'PO00000201',
    payout_cl_id: 'PAYOUT-1',
    platform_id: TEST_PLATFORM_ID,
    amount: 10000000,
    fee: 50000,
    status: 3,
    create_time: now - 60,
    update_time: now,
    ...overrides,
  };
}
