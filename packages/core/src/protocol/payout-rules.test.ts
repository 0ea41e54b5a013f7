import { describe, expect, it } from 'vitest';
import { DiamondPayValidationError, type ValidationIssue } from '../errors.js';
import { PayoutService } from './constants.js';
import { validateCreatePayout } from './payout-rules.js';

const valid = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  service_id: 'SVC0004',
  payout_cl_id: 'refund-2026-0001',
  amount: 5_000_000,
  bank_name: 'KB',
  name: '홍길동',
  number: '43700100123456',
  phone_number: '01012345678',
  currency: 'krw',
  ...overrides,
});

function issues(params: Record<string, unknown>): ValidationIssue[] {
  try {
    validateCreatePayout(params);
  } catch (error) {
    expect(error).toBeInstanceOf(DiamondPayValidationError);
    expect((error as DiamondPayValidationError).code).toBe('validation_error');
    return [...(error as DiamondPayValidationError).issues];
  }
  return [];
}

const rulesOf = (params: Record<string, unknown>) => issues(params).map((i) => `${i.field}:${i.rule}`);

describe('validateCreatePayout', () => {
  it('accepts a valid krw payout, with or without notify_url', () => {
    expect(issues(valid())).toEqual([]);
    expect(issues(valid({ notify_url: 'https://shop.example/diamondpay/notifications/payout' }))).toEqual([]);
    expect(issues(valid({ service_id: PayoutService.BANK_CARD }))).toEqual([]);
    // Any SVC + 4 digits enabled for the merchant; 10-digit mobile numbers (011, 016…); 32-digit accounts.
    expect(
      issues(valid({ service_id: 'SVC0099', phone_number: '0111234567', number: '1'.repeat(32) })),
    ).toEqual([]);
    expect(
      issues(valid({ amount: 9_999_999_999, payout_cl_id: 'a'.repeat(64), name: '가'.repeat(16) })),
    ).toEqual([]);
  });

  it('accepts any bank code up to 16 characters (the Korea code list is not published)', () => {
    for (const bank_name of ['004', 'KB', 'SHINHAN', '국민은행', 'KAKAOBANK', 'B'.repeat(16)])
      expect(issues(valid({ bank_name })), bank_name).toEqual([]);
    expect(rulesOf(valid({ bank_name: 'B'.repeat(17) }))).toEqual(['bank_name:max_length']);
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    ['service_id missing', { service_id: undefined }, ['service_id:required']],
    ['service_id malformed', { service_id: 'svc0004' }, ['service_id:pattern']],
    ['service_id too long', { service_id: 'SVC00041' }, ['service_id:max_length', 'service_id:pattern']],
    ['payout_cl_id empty', { payout_cl_id: '' }, ['payout_cl_id:required']],
    ['payout_cl_id too long', { payout_cl_id: 'x'.repeat(65) }, ['payout_cl_id:max_length']],
    ['payout_cl_id unsafe characters', { payout_cl_id: 'refund/1' }, ['payout_cl_id:pattern']],
    ['payout_cl_id only dots', { payout_cl_id: '..' }, ['payout_cl_id:pattern']],
    ['payout_cl_id with &', { payout_cl_id: 'a&b=c' }, ['payout_cl_id:pattern']],
    ['amount as a string', { amount: '50000' }, ['amount:integer']],
    ['amount fractional', { amount: 100.5 }, ['amount:integer']],
    ['amount zero', { amount: 0 }, ['amount:positive']],
    ['amount 11 digits', { amount: 10_000_000_000 }, ['amount:max_digits']],
    ['bank_name missing', { bank_name: undefined }, ['bank_name:required']],
    ['bank_name with =', { bank_name: 'KB=1' }, ['bank_name:signed_text']],
    ['name missing', { name: '' }, ['name:required']],
    ['name too long', { name: 'N'.repeat(17) }, ['name:max_length']],
    ['name with &', { name: 'Kim & Lee' }, ['name:signed_text']],
    ['name with surrounding space', { name: ' Kim' }, ['name:whitespace']],
    ['number missing', { number: undefined }, ['number:required']],
    ['number with hyphens', { number: '437-001-00123456' }, ['number:pattern']],
    ['number too long', { number: '1'.repeat(33) }, ['number:max_length', 'number:pattern']],
    ['number as a JSON number', { number: 43700100123456 }, ['number:type']],
    ['phone_number missing for krw', { phone_number: undefined }, ['phone_number:required']],
    [
      'phone_number with hyphens',
      { phone_number: '010-1234-5678' },
      ['phone_number:max_length', 'phone_number:pattern'],
    ],
    ['phone_number a landline', { phone_number: '0212345678' }, ['phone_number:pattern']],
    ['phone_number too short', { phone_number: '010123456' }, ['phone_number:pattern']],
    [
      'phone_number 12 digits',
      { phone_number: '010123456789' },
      ['phone_number:max_length', 'phone_number:pattern'],
    ],
    ['phone_number international', { phone_number: '+8210123456' }, ['phone_number:pattern']],
    ['currency missing', { currency: undefined }, ['currency:required']],
    ['currency uppercase', { currency: 'KRW' }, ['currency:pattern']],
    ['currency too long', { currency: 'krww' }, ['currency:max_length', 'currency:pattern']],
    ['notify_url not http', { notify_url: 'ftp://shop.example/x' }, ['notify_url:url']],
    [
      'notify_url too long',
      { notify_url: `https://shop.example/${'a'.repeat(250)}` },
      ['notify_url:max_length'],
    ],
    ['an unknown field', { memo: 'x' }, ['memo:unknown_field']],
  ])('%s', (_what, overrides, expected) => {
    const params = valid(overrides);
    for (const k of Object.keys(params)) if (params[k] === undefined) delete params[k];
    expect(rulesOf(params)).toEqual(expected);
  });

  it('lists every problem at once, each naming its field and saying what is allowed', () => {
    const found = issues({
      service_id: 'SVC4',
      payout_cl_id: 'refund 1',
      amount: 1.5,
      bank_name: 'KB&KEB',
      name: 'N'.repeat(20),
      number: 'abc',
      phone_number: '010-1234',
      currency: 'KRW',
    });
    expect(found.map((i) => i.field)).toEqual([
      'service_id',
      'payout_cl_id',
      'amount',
      'bank_name',
      'name',
      'number',
      'phone_number',
      'currency',
    ]);
    const message = (field: string) => found.find((i) => i.field === field)?.message;
    expect(message('service_id')).toContain('"SVC" followed by 4 digits');
    expect(message('number')).toContain('digits only');
    expect(message('phone_number')).toContain('Korean mobile number');
    expect(message('currency')).toContain('lowercase');
    expect(message('bank_name')).toContain('"&" or "="');
  });

  it('phone_number: required for krw with a message saying why; other currencies only check its form', () => {
    const [missing] = issues(valid({ phone_number: undefined }));
    expect(missing).toMatchObject({ field: 'phone_number', rule: 'required' });
    expect(missing!.message).toMatch(/required when currency is "krw"/);
    const { phone_number: _p, ...noPhone } = valid();
    expect(issues({ ...noPhone, currency: 'usd' })).toEqual([]);
    expect(rulesOf({ ...noPhone, currency: 'usd', phone_number: '+1 555' })).toEqual([
      'phone_number:pattern',
    ]);
    expect(issues({ ...noPhone, currency: 'usd', phone_number: '5551234567' })).toEqual([]);
  });

  it('the thrown message names each field and rule', () => {
    expect(() => validateCreatePayout(valid({ amount: -1, phone_number: '' }))).toThrow(
      /Invalid payout \(2 problems\):\n {2}- amount: must be greater than zero \[positive\]\n {2}- phone_number: is required/,
    );
    expect(() => validateCreatePayout(null as never)).toThrow(DiamondPayValidationError);
  });
});
