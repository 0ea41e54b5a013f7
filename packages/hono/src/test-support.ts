// Test helpers: notifications signed the way the gateway signs them, with the docs' test merchant,
// by the SDK's independent signer (node:crypto, no core code).
import { ACK_BODY } from '@diamondpay/core';
import { independentSign, type TestSignType } from '@diamondpay-internal/test-signer';

export const PLATFORM_ID = 'PF0002';
export const PLATFORM_KEY = 'ThisIsYourSecretKey123';
export const ACK = ACK_BODY;

/** A deposit notification body as the gateway sends it (paid, recent), signed with `key`. */
export async function signedDeposit(
  overrides: Record<string, unknown> = {},
  { signType = 'HMAC-SHA256' as TestSignType, key = PLATFORM_KEY } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const params: Record<string, unknown> = {
    payment_id: 'PM00000102',
    payment_cl_id: 'order-1',
    platform_id: PLATFORM_ID,
    amount: 400000,
    real_amount: 400000,
    fee: 3200,
    status: 2,
    create_time: now - 60,
    update_time: now,
    ...overrides,
  };
  if (signType === 'HMAC-SHA256') params.sign_type = 'HMAC-SHA256';
  params.sign = independentSign(params, key, signType);
  return JSON.stringify(params);
}

export const jsonPost = (body: BodyInit, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body,
});
