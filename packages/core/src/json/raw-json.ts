// A JSON parser that keeps each number's source text. The gateway signs the text it sent, and
// JSON.parse would turn `100.00` into 100 and round integers past 2^53, breaking verification.
// Strings without escapes are sliced straight from the input (the common case, and fast).

/** A JSON number exactly as it appeared in the source text. */
export class JsonNumber {
  constructor(readonly text: string) {}

  /** The numeric value (may round; check `Number.isSafeInteger` before trusting it as an integer). */
  valueOf(): number {
    return Number(this.text);
  }

  toString(): string {
    return this.text;
  }

  toJSON(): number {
    return Number(this.text);
  }
}

export type RawJsonValue = string | boolean | null | JsonNumber | RawJsonValue[] | RawJsonObject;
export interface RawJsonObject {
  [key: string]: RawJsonValue;
}

export class JsonSyntaxError extends SyntaxError {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} at position ${position}`);
  }
}

/**
 * Thrown when the top-level object has more keys than `maxKeys`: parsing stops at the first key
 * past the limit, so refusing a hostile body costs less than parsing it.
 */
export class JsonTooManyKeysError extends RangeError {
  constructor(readonly maxKeys: number) {
    super(`The JSON object has more than ${maxKeys} keys`);
  }
}

/**
 * The keys of a nested object in source order, when they differ from JavaScript's property order
 * (integer-like keys such as "2" are enumerated first by every engine). Signing writes a nested
 * object as the compact JSON that arrived, so `stringifyJsonRaw` follows this order.
 */
export const SOURCE_KEY_ORDER: unique symbol = Symbol('diamondpay.sourceKeyOrder');

export interface ParseJsonRawOptions {
  /** Most keys allowed in the top-level object; more throws `JsonTooManyKeysError` at once. */
  maxKeys?: number | undefined;
}

const MAX_DEPTH = 64;
const hasOwn = Object.prototype.hasOwnProperty;

/** Parses JSON text, keeping numbers as `JsonNumber` (source text). Throws `JsonSyntaxError` (or `JsonTooManyKeysError`). */
export function parseJsonRaw(text: string, options?: ParseJsonRawOptions): RawJsonValue {
  const maxKeys = options?.maxKeys ?? Number.POSITIVE_INFINITY;
  let i = 0;
  const n = text.length;

  const fail = (msg: string): never => {
    throw new JsonSyntaxError(msg, i);
  };

  const ws = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
  };

  const parseString = (): string => {
    // text[i] is the opening quote
    const start = ++i;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        const s = text.slice(start, i);
        i++;
        return s;
      }
      if (c === 0x5c) return parseEscapedString(start - 1);
      if (c < 0x20) fail('Control character in string');
      i++;
    }
    return fail('Unterminated string');
  };

  const parseEscapedString = (quote: number): string => {
    // Find the closing quote, honouring escapes, then let JSON.parse decode the escapes exactly.
    i = quote + 1;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) break;
      if (c === 0x5c) i += 2;
      else {
        if (c < 0x20) fail('Control character in string');
        i++;
      }
    }
    if (i >= n) fail('Unterminated string');
    const raw = text.slice(quote, i + 1);
    i++;
    try {
      return JSON.parse(raw) as string;
    } catch {
      return fail('Invalid escape in string');
    }
  };

  const parseNumber = (): JsonNumber => {
    const start = i;
    if (text.charCodeAt(i) === 0x2d) i++;
    const intStart = i;
    const first = text.charCodeAt(i);
    if (first === 0x30) i++;
    else if (first >= 0x31 && first <= 0x39) {
      while (i < n && isDigit(text.charCodeAt(i))) i++;
    } else fail('Invalid number');
    if (i === intStart) fail('Invalid number');
    if (text.charCodeAt(i) === 0x2e) {
      i++;
      const fracStart = i;
      while (i < n && isDigit(text.charCodeAt(i))) i++;
      if (i === fracStart) fail('Invalid number fraction');
    }
    const e = text.charCodeAt(i);
    if (e === 0x65 || e === 0x45) {
      i++;
      const sign = text.charCodeAt(i);
      if (sign === 0x2b || sign === 0x2d) i++;
      const expStart = i;
      while (i < n && isDigit(text.charCodeAt(i))) i++;
      if (i === expStart) fail('Invalid number exponent');
    }
    return new JsonNumber(text.slice(start, i));
  };

  const parseValue = (depth: number): RawJsonValue => {
    ws();
    if (i >= n) fail('Unexpected end of JSON');
    const c = text.charCodeAt(i);
    if (c === 0x22) return parseString();
    if (c === 0x7b) return parseObject(depth + 1);
    if (c === 0x5b) return parseArray(depth + 1);
    if (c === 0x2d || isDigit(c)) return parseNumber();
    if (text.startsWith('true', i)) {
      i += 4;
      return true;
    }
    if (text.startsWith('false', i)) {
      i += 5;
      return false;
    }
    if (text.startsWith('null', i)) {
      i += 4;
      return null;
    }
    return fail('Unexpected character');
  };

  const parseObject = (depth: number): RawJsonObject => {
    if (depth > MAX_DEPTH) fail('JSON nested too deeply');
    i++; // {
    const obj: RawJsonObject = {};
    ws();
    if (text.charCodeAt(i) === 0x7d) {
      i++;
      return obj;
    }
    const limit = depth === 1 ? maxKeys : Number.POSITIVE_INFINITY;
    let count = 0;
    // Nested objects remember their source order when an integer-like key would be reordered.
    let order: string[] | undefined = depth > 1 ? [] : undefined;
    let reordered = false;
    for (;;) {
      ws();
      if (text.charCodeAt(i) !== 0x22) fail('Expected a string key');
      if (++count > limit) throw new JsonTooManyKeysError(limit);
      const key = parseString();
      if (order) {
        order.push(key);
        const c0 = key.charCodeAt(0);
        if (c0 >= 0x30 && c0 <= 0x39) reordered = true;
      }
      ws();
      if (text.charCodeAt(i) !== 0x3a) fail('Expected ":"');
      i++;
      if (hasOwn.call(obj, key)) fail(`Duplicate key "${key.slice(0, 64)}"`);
      const value = parseValue(depth);
      // "__proto__" must stay plain data, not replace the prototype.
      if (key === '__proto__')
        Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
      else obj[key] = value;
      ws();
      const c = text.charCodeAt(i);
      if (c === 0x2c) {
        i++;
        continue;
      }
      if (c === 0x7d) {
        i++;
        if (order && reordered) Object.defineProperty(obj, SOURCE_KEY_ORDER, { value: order });
        order = undefined;
        return obj;
      }
      fail('Expected "," or "}"');
    }
  };

  const parseArray = (depth: number): RawJsonValue[] => {
    if (depth > MAX_DEPTH) fail('JSON nested too deeply');
    i++; // [
    const arr: RawJsonValue[] = [];
    ws();
    if (text.charCodeAt(i) === 0x5d) {
      i++;
      return arr;
    }
    for (;;) {
      arr.push(parseValue(depth));
      ws();
      const c = text.charCodeAt(i);
      if (c === 0x2c) {
        i++;
        continue;
      }
      if (c === 0x5d) {
        i++;
        return arr;
      }
      fail('Expected "," or "]"');
    }
  };

  const value = parseValue(0);
  ws();
  if (i < n) fail('Unexpected data after JSON value');
  return value;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Compact JSON like JSON.stringify (non-ASCII unescaped), writing `JsonNumber`s as their source text. */
export function stringifyJsonRaw(value: unknown): string {
  if (value instanceof JsonNumber) return value.text;
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined ? 'null' : stringifyJsonRaw(v))).join(',')}]`;
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const parts: string[] = [];
    const keys = (value as { [SOURCE_KEY_ORDER]?: string[] })[SOURCE_KEY_ORDER] ?? Object.keys(value);
    for (const key of keys) {
      const v = (value as Record<string, unknown>)[key];
      if (v === undefined || typeof v === 'function') continue;
      parts.push(`${JSON.stringify(key)}:${stringifyJsonRaw(v)}`);
    }
    return `{${parts.join(',')}}`;
  }
  if (typeof value === 'bigint') return value.toString();
  return JSON.stringify(value) ?? 'null';
}
