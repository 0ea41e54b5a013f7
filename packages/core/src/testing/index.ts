// @diamondpay/core/testing: helpers for a merchant's own tests of their notification route. They sign
// with core's signer (this entry is for merchants; the SDK's own tests use an independent signer).
import { type SignType, sign } from '../signing/signature.js';

/** The gateway docs' published test merchant id. */
export const TEST_PLATFORM_ID = 'PF0002';
/** The gateway docs' published test merchant key (not a secret: it is printed in the docs). */
export const TEST_PLATFORM_KEY = 'ThisIsYourSecretKey123';

/** The docs' test merchant, ready to spread into a `DiamondPay` or receiver config. */
export const testMerchant = { platformId: TEST_PLATFORM_ID, platformKey: TEST_PLATFORM_KEY } as const;

export interface SignedNotificationOptions {
  /** Platform key to sign with (default: the docs' test key). */
  key?: string;
  /** Default `HMAC-SHA256`, which adds `sign_type` as the gateway does; `MD5` leaves it out. */
  signType?: SignType;
}

/**
 * A notification body exactly as the gateway sends it: `fields` in their order, then `sign_type`
 * (HMAC-SHA256 only), then `sign`. POST it, as a string, to your notification route.
 */
export async function signedNotification(
  fields: Record<string, unknown>,
  { key = TEST_PLATFORM_KEY, signType = 'HMAC-SHA256' }: SignedNotificationOptions = {},
): Promise<string> {
  const { sign: _sign, sign_type: _signType, ...rest } = fields;
  const body: Record<string, unknown> = { ...rest };
  if (signType === 'HMAC-SHA256') body.sign_type = 'HMAC-SHA256';
  body.sign = await sign(body, key, signType);
  return JSON.stringify(body);
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A paid deposit notification's fields for the test merchant (amounts in cents, times in Unix seconds, recent). */
export function depositNotificationFields(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = nowSeconds();
  return {
    payment_id: 'PM00000102',
    payment_cl_id: 'ORDER-1',
    platform_id: TEST_PLATFORM_ID,
    amount: 5_000_000,
    real_amount: 5_000_000,
    fee: 40_000,
    status: 2,
    create_time: now - 60,
    update_time: now,
    ...overrides,
  };
}

/** A successful payout notification's fields for the test merchant (amounts in cents, times in Unix seconds, recent). */
export function payoutNotificationFields(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = nowSeconds();
  return {
    payout_id: 'PO00000201',
    payout_cl_id: 'PAYOUT-1',
    platform_id: TEST_PLATFORM_ID,
    amount: 1_000_000,
    fee: 5_000,
    status: 3,
    create_time: now - 60,
    update_time: now,
    ...overrides,
  };
}
