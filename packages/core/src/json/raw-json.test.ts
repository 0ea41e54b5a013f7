import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  JsonNumber,
  JsonSyntaxError,
  parseJsonRaw,
  type RawJsonValue,
  stringifyJsonRaw,
} from './raw-json.js';

// Converts our tree back to what JSON.parse would give, for comparison.
function toPlain(v: RawJsonValue): unknown {
  if (v instanceof JsonNumber) return Number(v.text);
  if (Array.isArray(v)) return v.map(toPlain);
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toPlain(x)]));
  return v;
}

describe('parseJsonRaw', () => {
  it('keeps the source text of every number', () => {
    const v = parseJsonRaw('{"a":100.00,"b":12345678901234567890,"c":-0,"d":1E+3,"e":0.10}') as Record<
      string,
      JsonNumber
    >;
    expect(Object.values(v).map((n) => n.text)).toEqual([
      '100.00',
      '12345678901234567890',
      '-0',
      '1E+3',
      '0.10',
    ]);
  });
  it('decodes strings with escapes exactly as JSON.parse does', () => {
    const text = '{"s":"a\\"b\\\\c\\u00e9\\ud83d\\ude00\\n","k":"테스"}';
    expect(toPlain(parseJsonRaw(text))).toEqual(JSON.parse(text));
  });
  it('keeps "__proto__" as plain data', () => {
    const v = parseJsonRaw('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
  it.each([
    ['', 'Unexpected end'],
    ['{', 'Expected a string key'],
    ['{"a":1,}', 'Expected a string key'],
    ['{"a":1 "b":2}', 'Expected "," or "}"'],
    ['{"a":01}', 'Expected "," or "}"'],
    ['{"a":1.}', 'Invalid number fraction'],
    ['{"a":-}', 'Invalid number'],
    ['{"a":"x\u0001"}', 'Control character'],
    ['{"a":"\\x"}', 'Invalid escape'],
    ['{"a":1,"a":2}', 'Duplicate key'],
    ['{"a":1} x', 'Unexpected data'],
    ['[1,2', 'Expected "," or "]"'],
    ['{"a":tru}', 'Unexpected character'],
    ['"unterminated', 'Unterminated string'],
    [`${'['.repeat(100)}${']'.repeat(100)}`, 'nested too deeply'],
  ])('rejects %j (%s)', (text, message) => {
    expect(() => parseJsonRaw(text)).toThrow(JsonSyntaxError);
    expect(() => parseJsonRaw(text)).toThrow(message);
  });
  it('agrees with JSON.parse on any JSON text (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        const text = JSON.stringify(value);
        expect(toPlain(parseJsonRaw(text))).toEqual(JSON.parse(text));
        // And formatted with white space.
        const pretty = JSON.stringify(value, null, 2);
        expect(toPlain(parseJsonRaw(pretty))).toEqual(JSON.parse(pretty));
      }),
      { numRuns: 300 },
    );
  });
  it('round-trips through stringifyJsonRaw byte for byte for compact input', () => {
    const text = '{"a":100.00,"b":[1,"테스",{"c":null}],"d":true}';
    expect(stringifyJsonRaw(parseJsonRaw(text))).toBe(text);
  });
});

describe('parseJsonRaw limits and source order (defects 1 and 6)', () => {
  it('stops at the first top-level key past maxKeys', async () => {
    const { JsonTooManyKeysError, parseJsonRaw } = await import('./raw-json.js');
    const keys = Array.from({ length: 65 }, (_, i) => `"k${i}":1`).join(',');
    expect(() => parseJsonRaw(`{${keys}}`, { maxKeys: 64 })).toThrow(JsonTooManyKeysError);
    // Past the limit nothing else is parsed: the broken tail is never reached.
    expect(() => parseJsonRaw(`{${keys},"x": nonsense`, { maxKeys: 64 })).toThrow(JsonTooManyKeysError);
    expect(() => parseJsonRaw(`{${keys}}`, { maxKeys: 65 })).not.toThrow();
    // Nested objects are not limited by it.
    expect(() => parseJsonRaw(`{"a":{${keys}}}`, { maxKeys: 1 })).not.toThrow();
  });

  it('keeps nested integer-like keys in source order for stringifyJsonRaw', async () => {
    const { parseJsonRaw, stringifyJsonRaw } = await import('./raw-json.js');
    const text = '{"o":{"b":1,"2":2},"p":[{"z":0,"0":1}]}';
    expect(stringifyJsonRaw(parseJsonRaw(text))).toBe(text);
  });
});
