import { describe, expect, it } from 'vitest';
import { DiamondPayValidationError } from '../errors.js';
import { createDepositSchema, isHttpUrl, validate } from './rules.js';

const base = {
  service_id: 'SVC0015',
  payment_cl_id: 'order-1',
  amount: 50000000,
  notify_url: 'https://shop.example/diamondpay/notify',
};

function issuesOf(params: Record<string, unknown>): Array<{ field: string; rule: string }> {
  try {
    validate(createDepositSchema, params, 'Invalid deposit');
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(DiamondPayValidationError);
    return (error as DiamondPayValidationError).issues.map((i) => ({ field: i.field, rule: i.rule }));
  }
}

describe('notify_url (defect 7)', () => {
  it.each([
    'https://shop.example/notify',
    'http://127.0.0.1:8080/notify?x=1',
    'https://xn--9n2bp8q.example/n',
  ])('accepts %s', (url) => {
    expect(isHttpUrl(url)).toBe(true);
    expect(issuesOf({ ...base, notify_url: url })).toEqual([]);
  });
  it.each([
    'https://user:pass@shop.example/notify',
    'https://user@shop.example/notify',
    'http:/shop.example/notify',
    'http:shop.example/notify',
    'https://shop.example/no\ttab',
    'https://shop.example/new\nline',
    'https://shop.example/\u0000',
    'https://shop.example/\u007f',
    'https:///path-only',
    'ftp://shop.example/',
  ])('refuses %j', (url) => {
    expect(isHttpUrl(url)).toBe(false);
    expect(issuesOf({ ...base, notify_url: url })).toContainEqual({ field: 'notify_url', rule: 'url' });
  });
});

describe('signed free text (defect 7)', () => {
  it.each(['name', 'bank_name', 'last_number', 'user_id', 'bank_id'])('refuses & and = in %s', (field) => {
    expect(issuesOf({ ...base, [field]: 'a&b' })).toContainEqual({ field, rule: 'signed_text' });
    expect(issuesOf({ ...base, [field]: 'a=b' })).toContainEqual({ field, rule: 'signed_text' });
    expect(issuesOf({ ...base, [field]: '홍길동' })).toEqual([]);
  });
});

describe('unknown fields (defect 7)', () => {
  it.each(['constructor', 'toString', 'hasOwnProperty', '__proto__'])('refuses %s', (key) => {
    const params: Record<string, unknown> = { ...base };
    Object.defineProperty(params, key, { value: 'x', enumerable: true, configurable: true, writable: true });
    expect(issuesOf(params)).toContainEqual({ field: key, rule: 'unknown_field' });
  });
});
