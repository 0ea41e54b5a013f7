// The merchant testing entry, checked against the SDK's independent signer and core's own receiver.
import { independentSign } from '@diamondpay-internal/test-signer';
import { describe, expect, it } from 'vitest';
import { createNotificationReceiver } from '../index.js';
import {
  depositNotificationFields,
  payoutNotificationFields,
  signedNotification,
  TEST_PLATFORM_ID,
  TEST_PLATFORM_KEY,
  testMerchant,
} from './index.js';

describe('@diamondpay/core/testing', () => {
  it('is the docs test merchant', () => {
    expect(testMerchant).toEqual({ platformId: 'PF0002', platformKey: 'ThisIsYourSecretKey123' });
    expect([TEST_PLATFORM_ID, TEST_PLATFORM_KEY]).toEqual(['PF0002', 'ThisIsYourSecretKey123']);
  });

  it('signs HMAC-SHA256 by default: fields in order, then sign_type, then sign', async () => {
    const fields = depositNotificationFields({ payment_cl_id: 'ORDER-77' });
    const body = JSON.parse(await signedNotification(fields));
    expect(Object.keys(body)).toEqual([...Object.keys(fields), 'sign_type', 'sign']);
    expect(body.sign_type).toBe('HMAC-SHA256');
    expect(body.sign).toBe(independentSign(fields, 'ThisIsYourSecretKey123', 'HMAC-SHA256'));
  });

  it('signs MD5 without sign_type, with the given key, replacing any sign already in the fields', async () => {
    const fields = payoutNotificationFields();
    const body = JSON.parse(
      await signedNotification({ ...fields, sign: 'old' }, { key: 'K2', signType: 'MD5' }),
    );
    expect(body.sign_type).toBeUndefined();
    expect(body.sign).toBe(independentSign(fields, 'K2', 'MD5'));
  });

  it('gives recent times and takes overrides', () => {
    const now = Math.floor(Date.now() / 1000);
    const d = depositNotificationFields({ amount: 123 });
    expect(d.amount).toBe(123);
    expect(Math.abs((d.update_time as number) - now)).toBeLessThanOrEqual(2);
    expect(payoutNotificationFields().status).toBe(3);
  });

  it('produces a body a receiver for the test merchant accepts', async () => {
    const seen: string[] = [];
    const receiver = createNotificationReceiver({
      ...testMerchant,
      onDeposit: (n) => {
        seen.push(n.payment_cl_id);
      },
    });
    const result = await receiver.receive(await signedNotification(depositNotificationFields()), undefined);
    expect(result.status).toBe(200);
    expect(seen).toEqual(['ORDER-1']);
  });
});
