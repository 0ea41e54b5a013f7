// Converting decoded JSON (numbers kept as source text) into typed wire objects, field by field,
// with every problem reported at once.
import { type ValidationIssue } from './errors.js';
import { JsonNumber, type RawJsonObject, type RawJsonValue } from './json.js';

const INTEGER_TEXT = /^-?\d+$/;

export class FieldReader {
  readonly issues: ValidationIssue[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly obj: RawJsonObject) {}

  private take(field: string): RawJsonValue | undefined {
    this.seen.add(field);
    return this.obj[field];
  }

  string(field: string): string {
    const v = this.take(field);
    if (typeof v === 'string' && v !== '') return v;
    if (v instanceof JsonNumber) return v.text;
    this.issues.push({
      field,
      rule: v === undefined || v === null || v === '' ? 'required' : 'type',
      message: 'must be a non-empty string',
    });
    return '';
  }

  optionalString(field: string): string | undefined {
    const v = this.take(field);
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return v;
    if (v instanceof JsonNumber) return v.text;
    this.issues.push({ field, rule: 'type', message: 'must be a string' });
    return undefined;
  }

  /** A non-negative integer, sent as a JSON number or a digit string; must be exactly an integer. */
  integer(field: string): number {
    const v = this.take(field);
    const n = toInteger(v);
    if (n === undefined) {
      this.issues.push({
        field,
        rule: v === undefined || v === null || v === '' ? 'required' : 'integer',
        message: `must be a non-negative safe integer, got ${describe(v)}`,
      });
      return 0;
    }
    return n;
  }

  optionalInteger(field: string): number | undefined {
    const v = this.take(field);
    if (v === undefined || v === null || v === '') return undefined;
    const n = toInteger(v);
    if (n === undefined)
      this.issues.push({
        field,
        rule: 'integer',
        message: `must be a non-negative safe integer, got ${describe(v)}`,
      });
    return n;
  }

  /** Fields nobody asked for, numbers as JS numbers when exact, otherwise as their source text. */
  rest(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(this.obj)) {
      if (this.seen.has(key)) continue;
      setOwn(out, key, plain(this.obj[key]!));
    }
    return out;
  }
}

function toInteger(v: RawJsonValue | undefined): number | undefined {
  let text: string;
  if (v instanceof JsonNumber) text = v.text;
  else if (typeof v === 'string') text = v;
  else return undefined;
  // "100.00" is exactly 100; "100.5" and "1e3" are refused rather than guessed.
  const m = /^(-?\d+)(?:\.0+)?$/.exec(text);
  if (!m || !INTEGER_TEXT.test(m[1]!)) return undefined;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
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
