// An independent signer for tests: node:crypto and a minimal canonical string written from the
// protocol text, so tests do not check the SDK against itself.
import { createHash, createHmac } from 'node:crypto';

export const TEST_KEY = 'ThisIsYourSecretKey123';

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
    .map((k) => `${k}=${Array.isArray(params[k]) ? JSON.stringify(params[k]) : String(params[k])}`)
    .join('&');
}

/** A notification body as the gateway would send it: fields in the given order, then sign_type (HMAC only), then sign. */
export function signedBody(
  params: Record<string, unknown>,
  { key = TEST_KEY, signType = 'HMAC-SHA256' as 'HMAC-SHA256' | 'MD5' } = {},
): string {
  const canonical = independentCanonical(params);
  const sign =
    signType === 'HMAC-SHA256'
      ? createHmac('sha256', key).update(canonical).digest('hex')
      : createHash('md5').update(`${canonical}&${key}`).digest('hex');
  return JSON.stringify(
    signType === 'HMAC-SHA256' ? { ...params, sign_type: 'HMAC-SHA256', sign } : { ...params, sign },
  );
}

/** A deposit notification's fields, recent by default. */
export function depositFields(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    payment_id: 'PM00000102',
    payment_cl_id: 'ORDER-1',
    platform_id: 'PF0002',
    amount: 50000000,
    real_amount: 50000000,
    fee: 400000,
    status: 2,
    create_time: now - 60,
    update_time: now,
    ...overrides,
  };
}
