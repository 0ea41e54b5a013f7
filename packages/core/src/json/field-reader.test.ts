// FieldReader's integers: exact or refused, never rounded (amounts are cents).
import { describe, expect, it } from 'vitest';
import { FieldReader } from './field-reader.js';
import { parseJsonRaw, type RawJsonObject } from './raw-json.js';

const read = (json: string) => {
  const reader = new FieldReader(parseJsonRaw(json) as RawJsonObject);
  return { value: reader.optionalInteger('n'), issues: reader.issues };
};

describe('FieldReader integers', () => {
  it.each([
    ['0', 0],
    ['7', 7],
    ['100.00', 100],
    ['"100"', 100],
    ['"007"', 7],
    ['9007199254740991', 9007199254740991],
    ['"9007199254740991.000"', 9007199254740991],
  ])('reads %s as %d', (json, expected) => {
    expect(read(`{"n":${json}}`)).toEqual({ value: expected, issues: [] });
  });

  it.each([
    '9007199254740992',
    '9007199254740993',
    '99999999999999999',
    '100.5',
    '-1',
    '1e3',
    '"12a"',
    '"1 2"',
    '"١٢"',
    'true',
  ])('refuses %s naming the field and the rule', (json) => {
    const { value, issues } = read(`{"n":${json}}`);
    expect(value).toBeUndefined();
    expect(issues).toEqual([expect.objectContaining({ field: 'n', rule: 'integer' })]);
  });
});
