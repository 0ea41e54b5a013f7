// Field rules for what the SDK sends, checked before anything leaves the process. Lengths count
// characters (code points), the way the gateway's String(n) columns are documented.

import { DiamondPayValidationError, type ValidationIssue } from '../errors.js';
import { MAX_AMOUNT_CENTS } from './amount.js';

export type FieldRule =
  | {
      kind: 'string';
      required: boolean;
      max: number;
      pattern?: RegExp | undefined;
      patternText?: string | undefined;
      /** Free text that is signed unencoded: `&` and `=` would change the signed string's meaning. */
      freeText?: boolean | undefined;
    }
  | { kind: 'cents'; required: boolean }
  | { kind: 'url'; required: boolean; max: number };

export type Schema = Readonly<Record<string, FieldRule>>;

/**
 * Merchant order ids: 1–64 of `A-Z a-z 0-9 _ . : -`, not only dots (the SDK's safe subset: ids travel
 * unencoded in the signed string and in URL paths, where `.` and `..` would be dot-segments).
 */
export const CLIENT_ID_PATTERN = /^(?!\.+$)[A-Za-z0-9_.:-]+$/;
/** Human wording of `CLIENT_ID_PATTERN`, for validation messages. */
export const CLIENT_ID_RULE_TEXT = 'letters, digits, "_", ".", ":" or "-", not only dots';
/** Service ids: `SVC` + 4 digits. */
export const SERVICE_ID_PATTERN = /^SVC\d{4}$/;

export const createDepositSchema: Schema = {
  service_id: {
    kind: 'string',
    required: true,
    max: 7,
    pattern: SERVICE_ID_PATTERN,
    patternText: '"SVC" followed by 4 digits',
  },
  payment_cl_id: {
    kind: 'string',
    required: true,
    max: 64,
    pattern: CLIENT_ID_PATTERN,
    patternText: CLIENT_ID_RULE_TEXT,
  },
  amount: { kind: 'cents', required: true },
  notify_url: { kind: 'url', required: true, max: 256 },
  // Optional fields documented on other countries' pages (String(16) where documented; the SDK's own bound otherwise).
  name: { kind: 'string', required: false, max: 16, freeText: true },
  bank_name: { kind: 'string', required: false, max: 16, freeText: true },
  last_number: { kind: 'string', required: false, max: 16, freeText: true },
  user_id: { kind: 'string', required: false, max: 64, freeText: true },
  bank_id: { kind: 'string', required: false, max: 16, freeText: true },
};

function charLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function checkField(field: string, rule: FieldRule, value: unknown, issues: ValidationIssue[]): void {
  if (value === undefined || value === null || value === '') {
    if (rule.required) issues.push({ field, rule: 'required', message: 'is required' });
    return;
  }
  switch (rule.kind) {
    case 'string': {
      if (typeof value !== 'string') {
        issues.push({ field, rule: 'type', message: `must be a string, got ${typeof value}` });
        return;
      }
      const len = charLength(value);
      if (len > rule.max)
        issues.push({
          field,
          rule: 'max_length',
          message: `must be at most ${rule.max} characters, got ${len}`,
        });
      if (value.trim() !== value)
        issues.push({ field, rule: 'whitespace', message: 'must not start or end with white space' });
      if (rule.freeText && (value.includes('&') || value.includes('='))) {
        issues.push({
          field,
          rule: 'signed_text',
          message: 'must not contain "&" or "=" (values are signed unencoded, joined as key=value&...)',
        });
      }
      if (rule.pattern && !rule.pattern.test(value)) {
        issues.push({
          field,
          rule: 'pattern',
          message: `must be ${rule.patternText ?? `like ${rule.pattern}`}`,
        });
      }
      return;
    }
    case 'cents': {
      if (typeof value === 'string') {
        issues.push({
          field,
          rule: 'integer',
          message: 'must be a number of cents, not a string (use toMinorUnits("500000") → 50000000)',
        });
        return;
      }
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        issues.push({
          field,
          rule: 'integer',
          message: `must be an integer number of cents (major units × 100), got ${String(value)}`,
        });
        return;
      }
      if (value <= 0) issues.push({ field, rule: 'positive', message: 'must be greater than zero' });
      else if (value > MAX_AMOUNT_CENTS) {
        issues.push({
          field,
          rule: 'max_digits',
          message: `must have at most 10 digits (≤ ${MAX_AMOUNT_CENTS} cents)`,
        });
      }
      return;
    }
    case 'url': {
      if (typeof value !== 'string') {
        issues.push({ field, rule: 'type', message: `must be a string, got ${typeof value}` });
        return;
      }
      if (value.length > rule.max)
        issues.push({
          field,
          rule: 'max_length',
          message: `must be at most ${rule.max} characters, got ${value.length}`,
        });
      if (!isHttpUrl(value)) {
        issues.push({
          field,
          rule: 'url',
          message:
            'must be a complete http:// or https:// URL with a host ("https://shop.example/notify"): no spaces or control characters, no user:password@',
        });
      }
      return;
    }
  }
}

// The WHATWG parser forgives a lot ("http:/x" becomes "http://x/", tabs and newlines are dropped),
// so the written form is checked first: scheme, "//", a host; no white space, no control characters.
const URL_FORM = /^https?:\/\/[^/?#@\\]/i;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses.
const CONTROL_OR_SPACE = /[\u0000-\u0020\u007f-\u009f]/;

/** An absolute http(s) URL as written: `//` and a host after the scheme, no credentials, no white space or control characters. */
export function isHttpUrl(value: string): boolean {
  if (CONTROL_OR_SPACE.test(value) || /\s/.test(value) || !URL_FORM.test(value)) return false;
  try {
    const url = new URL(value);
    return (
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      url.hostname !== '' &&
      url.username === '' &&
      url.password === ''
    );
  } catch {
    return false;
  }
}

/** Checks `params` against `schema`; unknown keys are refused (typos would otherwise be signed and sent). */
export function validate(schema: Schema, params: Record<string, unknown>, context: string): void {
  const issues: ValidationIssue[] = [];
  if (params === null || typeof params !== 'object') {
    throw new DiamondPayValidationError(
      [{ field: '(params)', rule: 'type', message: 'must be an object' }],
      context,
    );
  }
  for (const [field, rule] of Object.entries(schema))
    checkField(field, rule, Object.hasOwn(params, field) ? params[field] : undefined, issues);
  for (const key of Object.keys(params)) {
    // Own keys only: `in` would accept "constructor" or "toString" through Object.prototype.
    if (!Object.hasOwn(schema, key)) {
      issues.push({
        field: key,
        rule: 'unknown_field',
        message: `is not a known field (known: ${Object.keys(schema).join(', ')}); pass extra gateway fields through the extraParams option`,
      });
    }
  }
  if (issues.length > 0) throw new DiamondPayValidationError(issues, context);
}
