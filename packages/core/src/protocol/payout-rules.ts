// Field rules of the create-payout request (protocol reference §3.4), checked before anything is
// signed or sent, every problem at once. Built on the rule machinery of rules.ts.
import { DiamondPayValidationError } from '../errors.js';
import {
  CLIENT_ID_PATTERN,
  CLIENT_ID_RULE_TEXT,
  type FieldRule,
  type Schema,
  SERVICE_ID_PATTERN,
  validate,
} from './rules.js';

/** Account numbers: 1–32 digits, no hyphens or spaces. */
export const ACCOUNT_NUMBER_PATTERN = /^\d{1,32}$/;
/** Korean mobile numbers: `01` + 8 or 9 digits (10–11 digits), no hyphens, e.g. `01012345678`. */
export const KOREAN_MOBILE_PATTERN = /^01\d{8,9}$/;
/** Currencies: a lowercase ISO 4217 code, e.g. `krw`. */
export const CURRENCY_PATTERN = /^[a-z]{3}$/;

const base = {
  service_id: {
    kind: 'string',
    required: true,
    max: 7,
    pattern: SERVICE_ID_PATTERN,
    patternText: '"SVC" followed by 4 digits (PayoutService.BANK_CARD is "SVC0004")',
  },
  payout_cl_id: {
    kind: 'string',
    required: true,
    max: 64,
    pattern: CLIENT_ID_PATTERN,
    patternText: CLIENT_ID_RULE_TEXT,
  },
  amount: { kind: 'cents', required: true },
  // The Korea bank code list is not published: any code up to 16 characters is accepted.
  bank_name: { kind: 'string', required: true, max: 16, freeText: true },
  name: { kind: 'string', required: true, max: 16, freeText: true },
  number: {
    kind: 'string',
    required: true,
    max: 32,
    pattern: ACCOUNT_NUMBER_PATTERN,
    patternText: 'digits only (no hyphens or spaces)',
  },
  phone_number: {
    kind: 'string',
    required: false,
    max: 11,
    pattern: /^\d{1,11}$/,
    patternText: 'digits only (no hyphens, spaces or "+")',
  },
  currency: {
    kind: 'string',
    required: true,
    max: 3,
    pattern: CURRENCY_PATTERN,
    patternText: 'a lowercase currency code, e.g. "krw"',
  },
  notify_url: { kind: 'url', required: false, max: 256 },
} satisfies Record<string, FieldRule>;

/** Create-payout fields for any currency. */
export const createPayoutSchema: Schema = base;

/** Create-payout fields for `krw`: `phone_number` is required and must be a Korean mobile number. */
// Pure-marked: a spread at module level counts as a side effect to bundlers, which would keep both
// schemas in every bundle of core (a notification receiver's included).
export const createKrwPayoutSchema: Schema = /* @__PURE__ */ withRules(base, {
  phone_number: {
    kind: 'string',
    required: true,
    max: 11,
    pattern: KOREAN_MOBILE_PATTERN,
    patternText: 'a Korean mobile number: "01" and 8–9 more digits, no hyphens (e.g. "01012345678")',
  },
});

function withRules(schema: Schema, rules: Schema): Schema {
  return { ...schema, ...rules };
}

/**
 * Checks create-payout params; throws `DiamondPayValidationError` listing every problem. The `krw`
 * rules apply when `currency` is `krw` in any case, so "KRW" reports its phone problems at once too.
 */
export function validateCreatePayout(params: Record<string, unknown>): void {
  const currency =
    params !== null && typeof params === 'object' && typeof params.currency === 'string'
      ? params.currency.toLowerCase()
      : undefined;
  const krw = currency === 'krw';
  try {
    validate(krw ? createKrwPayoutSchema : createPayoutSchema, params, 'Invalid payout');
  } catch (error) {
    if (!krw || !(error instanceof DiamondPayValidationError)) throw error;
    // Say why the phone is required, the one rule that depends on another field.
    throw new DiamondPayValidationError(
      error.issues.map((i) =>
        i.field === 'phone_number' && i.rule === 'required'
          ? { ...i, message: 'is required when currency is "krw" (the beneficiary\'s Korean mobile number)' }
          : i,
      ),
      'Invalid payout',
    );
  }
}
