import { describe, expect, it } from 'vitest';
import { DiamondPayValidationError } from '../errors.js';
import { formatKrw, fromMinorUnits, toMinorUnits } from './amount.js';

describe('toMinorUnits', () => {
  it.each([
    ['500000', 50000000],
    ['10000.00', 1000000],
    ['0.01', 1],
    ['1234.5', 123450],
    ['1,234,567.89', 123456789],
    ['99999999.99', 9999999999],
    [500000, 50000000],
    [19.99, 1999],
    [0.1, 10],
  ] as const)('%j → %d cents', (input, cents) => {
    expect(toMinorUnits(input)).toBe(cents);
  });
  it('accepts bigint', () => expect(toMinorUnits(5n)).toBe(500));
  it.each([
    ['1.234', 'max_decimals'],
    ['-1', 'positive'],
    ['0', 'positive'],
    ['0.00', 'positive'],
    ['100000000', 'max_digits'],
    ['abc', 'decimal'],
    ['1e5', 'decimal'],
    [1e21, 'decimal'],
    [Number.NaN, 'finite'],
    ['', 'decimal'],
  ] as const)('refuses %j (%s)', (input, rule) => {
    try {
      toMinorUnits(input);
      expect.unreachable('should throw');
    } catch (e) {
      expect(e).toBeInstanceOf(DiamondPayValidationError);
      expect((e as DiamondPayValidationError).issues[0]).toMatchObject({ field: 'amount', rule });
    }
  });
});

describe('fromMinorUnits and formatKrw', () => {
  it('converts back exactly', () => {
    expect(fromMinorUnits(50000000)).toBe('500000.00');
    expect(fromMinorUnits(1)).toBe('0.01');
    expect(fromMinorUnits(9999999999)).toBe('99999999.99');
    expect(toMinorUnits(fromMinorUnits(123456789))).toBe(123456789);
    expect(() => fromMinorUnits(1.5)).toThrow(/safe integer/);
  });
  it('formats won for people', () => {
    expect(formatKrw(50000000)).toBe('₩500,000');
    expect(formatKrw(123456)).toBe('₩1,234.56');
  });
});

describe('toMinorUnits thousands separators (defect 7)', () => {
  it.each([
    ['1,234,567.50', 123456750],
    ['1_000', 100000],
    ['12,345', 1234500],
  ] as const)('accepts %j as 3-digit groups', (input, cents) => {
    expect(toMinorUnits(input)).toBe(cents);
  });
  it.each([
    '1.2,5',
    '12,34',
    '1,2345',
    ',123',
    '123,',
    '1,234.5,0',
    '1__000',
    '0.1_0',
  ])('refuses %j', (input) => {
    expect(() => toMinorUnits(input)).toThrow(DiamondPayValidationError);
  });
});
