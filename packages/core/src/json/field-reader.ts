// Converting decoded JSON (numbers kept as source text) into typed wire objects, field by field,
// with every problem reported at once. On the notification hot path: no regexes, no Sets.
import type { ValidationIssue } from '../errors.js';
import { JsonNumber, type RawJsonObject, type RawJsonValue } from './raw-json.js';

export class FieldReader {
  readonly issues: ValidationIssue[] = [];

  constructor(private readonly obj: RawJsonObject) {}

  string(field: string): string {
    const v = this.obj[field];
    if (typeof v === 'string' && v !== '') return v;
    if (v instanceof JsonNumber) return v.text;
    this.issues.push({
      field,
      rule: isEmpty(v) ? 'required' : 'type',
      message: 'must be a non-empty string',
    });
    return '';
  }

  optionalString(field: string): string | undefined {
    const v = this.obj[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return v;
    if (v instanceof JsonNumber) return v.text;
    this.issues.push({ field, rule: 'type', message: 'must be a string' });
    return undefined;
  }

  /** A non-negative integer, sent as a JSON number or a digit string; must be exactly an integer. */
  integer(field: string): number {
    const v = this.obj[field];
    const n = toInteger(v);
    if (n === undefined) {
      this.issues.push({
        field,
        rule: isEmpty(v) ? 'required' : 'integer',
        message: `must be a non-negative safe integer, got ${describe(v)}`,
      });
      return 0;
    }
    return n;
  }

  optionalInteger(field: string): number | undefined {
    const v = this.obj[field];
    if (isEmpty(v)) return undefined;
    const n = toInteger(v);
    if (n === undefined)
      this.issues.push({
        field,
        rule: 'integer',
        message: `must be a non-negative safe integer, got ${describe(v)}`,
      });
    return n;
  }

  /** Fields outside `known`, numbers as JS numbers when exact, otherwise as their source text. */
  rest(known: ReadonlySet<string>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key in this.obj) {
      if (!known.has(key)) setOwn(out, key, plain(this.obj[key]!));
    }
    return out;
  }
}

function isEmpty(v: RawJsonValue | undefined): boolean {
  return v === undefined || v === null || v === '';
}

/** Digits, optionally followed by ".000…" ("100.00" is exactly 100); "100.5", "-1" and "1e3" are refused rather than guessed. */
function toInteger(v: RawJsonValue | undefined): number | undefined {
  const text = v instanceof JsonNumber ? v.text : typeof v === 'string' ? v : undefined;
  if (text === undefined || text.length === 0) return undefined;
  let end = text.length;
  const dot = text.indexOf('.');
  if (dot !== -1) {
    for (let i = dot + 1; i < text.length; i++) if (text.charCodeAt(i) !== 0x30) return undefined;
    end = dot;
  }
  if (end === 0 || end > 16) return undefined;
  // Summed digit by digit (no slice, no string-to-number conversion): exact up to 2^53, and a value
  // past it sums to at least 2^53, which the safe-integer check refuses.
  let n = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return undefined;
    n = n * 10 + (c - 0x30);
  }
  return Number.isSafeInteger(n) ? n : undefined;
}

function describe(v: RawJsonValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (v instanceof JsonNumber) return v.text.length > 32 ? `${v.text.slice(0, 32)}…` : v.text;
  if (typeof v === 'string') return JSON.stringify(v.length > 32 ? `${v.slice(0, 32)}…` : v);
  if (v === null) return 'null';
  return Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : String(v);
}

/** Converts raw JSON values to plain JS ones: exact numbers as numbers, others as their text. */
export function plain(v: RawJsonValue): unknown {
  if (v instanceof JsonNumber) {
    const n = Number(v.text);
    return String(n) === v.text ? n : v.text;
  }
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(v)) setOwn(out, key, plain(v[key]!));
    return out;
  }
  return v;
}

/** Assigns as an own data property, so a key such as "__proto__" stays data. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Copies `source` without its undefined fields (absent optional fields stay absent). */
export function compact<T extends object>(source: T): T {
  const out = {} as Record<string, unknown>;
  for (const key in source) {
    const value = source[key];
    if (value !== undefined) out[key] = value;
  }
  return out as T;
}
