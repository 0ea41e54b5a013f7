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

// Object keys seen recently, by a hash of (length, first and last character): a notification's dozen
// keys are the same in every body, so each is allocated once, not once per body, and the engine finds
// the property by an already-internalised string (what JSON.parse does with its own key cache).
// Entries are flat copies, never slices of a body, so the cache keeps no body alive.
const KEY_CACHE: (string | undefined)[] = /* @__PURE__ */ new Array(256);
const MAX_CACHED_KEY = 32;

/** Parses JSON text, keeping numbers as `JsonNumber` (source text). Throws `JsonSyntaxError` (or `JsonTooManyKeysError`). */
export function parseJsonRaw(text: string, options?: ParseJsonRawOptions): RawJsonValue {
  return new RawJsonParser(text, options?.maxKeys ?? Number.POSITIVE_INFINITY).parse();
}

// A class, not closures over local variables: the position is a field the engine keeps in the
// object, and nothing is allocated per parse but the parser (the closures cost ~4x JSON.parse).
class RawJsonParser {
  private i = 0;
  private readonly n: number;

  constructor(
    private readonly text: string,
    private readonly maxKeys: number,
  ) {
    this.n = text.length;
  }

  parse(): RawJsonValue {
    const value = this.parseValue(0);
    this.ws();
    if (this.i < this.n) this.fail('Unexpected data after JSON value');
    return value;
  }

  private fail(msg: string): never {
    throw new JsonSyntaxError(msg, this.i);
  }

  private ws() {
    while (this.i < this.n) {
      const c = this.text.charCodeAt(this.i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.i++;
      else break;
    }
  }

  private parseString(): string {
    // this.text[this.i] is the opening quote
    const start = ++this.i;
    while (this.i < this.n) {
      const c = this.text.charCodeAt(this.i);
      if (c === 0x22) {
        const s = this.text.slice(start, this.i);
        this.i++;
        return s;
      }
      if (c === 0x5c) return this.parseEscapedString(start - 1);
      if (c < 0x20) this.fail('Control character in string');
      this.i++;
    }
    return this.fail('Unterminated string');
  }

  // An object key: from the key cache when the same key was seen before, else as parseString.
  private parseKey(): string {
    const start = this.i + 1;
    let end = start;
    const limit = Math.min(this.n, start + MAX_CACHED_KEY + 1);
    while (end < limit) {
      const c = this.text.charCodeAt(end);
      if (c === 0x22 || c === 0x5c || c < 0x20) break;
      end++;
    }
    const length = end - start;
    if (end >= limit || length === 0 || this.text.charCodeAt(end) !== 0x22) return this.parseString();
    const slot = (length * 31 + this.text.charCodeAt(start) * 7 + this.text.charCodeAt(end - 1)) & 255;
    let key = KEY_CACHE[slot];
    if (key === undefined || key.length !== length || !this.text.startsWith(key, start)) {
      key = ` ${this.text.slice(start, end)}`.slice(1);
      KEY_CACHE[slot] = key;
    }
    this.i = end + 1;
    return key;
  }

  private parseEscapedString(quote: number): string {
    // Find the closing quote, honouring escapes, then let JSON.parse decode the escapes exactly.
    this.i = quote + 1;
    while (this.i < this.n) {
      const c = this.text.charCodeAt(this.i);
      if (c === 0x22) break;
      if (c === 0x5c) this.i += 2;
      else {
        if (c < 0x20) this.fail('Control character in string');
        this.i++;
      }
    }
    if (this.i >= this.n) this.fail('Unterminated string');
    const raw = this.text.slice(quote, this.i + 1);
    this.i++;
    try {
      return JSON.parse(raw) as string;
    } catch {
      return this.fail('Invalid escape in string');
    }
  }

  private parseNumber(): JsonNumber {
    const start = this.i;
    if (this.text.charCodeAt(this.i) === 0x2d) this.i++;
    const intStart = this.i;
    const first = this.text.charCodeAt(this.i);
    if (first === 0x30) this.i++;
    else if (first >= 0x31 && first <= 0x39) {
      while (this.i < this.n && isDigit(this.text.charCodeAt(this.i))) this.i++;
    } else this.fail('Invalid number');
    if (this.i === intStart) this.fail('Invalid number');
    if (this.text.charCodeAt(this.i) === 0x2e) {
      this.i++;
      const fracStart = this.i;
      while (this.i < this.n && isDigit(this.text.charCodeAt(this.i))) this.i++;
      if (this.i === fracStart) this.fail('Invalid number fraction');
    }
    const e = this.text.charCodeAt(this.i);
    if (e === 0x65 || e === 0x45) {
      this.i++;
      const sign = this.text.charCodeAt(this.i);
      if (sign === 0x2b || sign === 0x2d) this.i++;
      const expStart = this.i;
      while (this.i < this.n && isDigit(this.text.charCodeAt(this.i))) this.i++;
      if (this.i === expStart) this.fail('Invalid number exponent');
    }
    return new JsonNumber(this.text.slice(start, this.i));
  }

  private parseValue(depth: number): RawJsonValue {
    this.ws();
    if (this.i >= this.n) this.fail('Unexpected end of JSON');
    const c = this.text.charCodeAt(this.i);
    if (c === 0x22) return this.parseString();
    if (c === 0x7b) return this.parseObject(depth + 1);
    if (c === 0x5b) return this.parseArray(depth + 1);
    if (c === 0x2d || isDigit(c)) return this.parseNumber();
    if (this.text.startsWith('true', this.i)) {
      this.i += 4;
      return true;
    }
    if (this.text.startsWith('false', this.i)) {
      this.i += 5;
      return false;
    }
    if (this.text.startsWith('null', this.i)) {
      this.i += 4;
      return null;
    }
    return this.fail('Unexpected character');
  }

  private parseObject(depth: number): RawJsonObject {
    if (depth > MAX_DEPTH) this.fail('JSON nested too deeply');
    this.i++; // {
    const obj: RawJsonObject = {};
    this.ws();
    if (this.text.charCodeAt(this.i) === 0x7d) {
      this.i++;
      return obj;
    }
    const limit = depth === 1 ? this.maxKeys : Number.POSITIVE_INFINITY;
    let count = 0;
    // Nested objects remember their source order when an integer-like key would be reordered.
    let order: string[] | undefined = depth > 1 ? [] : undefined;
    let reordered = false;
    for (;;) {
      this.ws();
      if (this.text.charCodeAt(this.i) !== 0x22) this.fail('Expected a string key');
      if (++count > limit) throw new JsonTooManyKeysError(limit);
      const key = this.parseKey();
      if (order) {
        order.push(key);
        const c0 = key.charCodeAt(0);
        if (c0 >= 0x30 && c0 <= 0x39) reordered = true;
      }
      this.ws();
      if (this.text.charCodeAt(this.i) !== 0x3a) this.fail('Expected ":"');
      this.i++;
      if (hasOwn.call(obj, key)) this.fail(`Duplicate key "${key.slice(0, 64)}"`);
      const value = this.parseValue(depth);
      // "__proto__" must stay plain data, not replace the prototype.
      if (key === '__proto__')
        Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
      else obj[key] = value;
      this.ws();
      const c = this.text.charCodeAt(this.i);
      if (c === 0x2c) {
        this.i++;
        continue;
      }
      if (c === 0x7d) {
        this.i++;
        if (order && reordered) Object.defineProperty(obj, SOURCE_KEY_ORDER, { value: order });
        order = undefined;
        return obj;
      }
      this.fail('Expected "," or "}"');
    }
  }

  private parseArray(depth: number): RawJsonValue[] {
    if (depth > MAX_DEPTH) this.fail('JSON nested too deeply');
    this.i++; // [
    const arr: RawJsonValue[] = [];
    this.ws();
    if (this.text.charCodeAt(this.i) === 0x5d) {
      this.i++;
      return arr;
    }
    for (;;) {
      arr.push(this.parseValue(depth));
      this.ws();
      const c = this.text.charCodeAt(this.i);
      if (c === 0x2c) {
        this.i++;
        continue;
      }
      if (c === 0x5d) {
        this.i++;
        return arr;
      }
      this.fail('Expected "," or "]"');
    }
  }
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
