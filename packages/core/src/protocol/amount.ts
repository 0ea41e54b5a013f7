// Amounts on the wire are integers in minor units ("cents" = major units × 100, for every
// currency, KRW included). These helpers convert with exact decimal arithmetic: no floats.
import { DiamondPayValidationError } from '../errors.js';

/** Most digits the gateway accepts for an amount (`Integer(10)`). */
export const MAX_AMOUNT_DIGITS = 10;
/** Largest amount in cents the gateway accepts: 9,999,999,999. */
export const MAX_AMOUNT_CENTS = 9_999_999_999;

const DECIMAL = /^(\d+)(?:\.(\d*))?$/;
// Thousands separators only as 3-digit groups in the integer part: "1,234,567.50" yes; "1.2,5" and "12,34" no.
const GROUPED = /^\d{1,3}(?:[,_]\d{3})+(?:\.\d*)?$/;

/** Removes `,`/`_` thousands separators, refusing them anywhere but between 3-digit groups of the integer part. */
function ungroup(text: string, field: string, original: string): string {
  if (!text.includes(',') && !text.includes('_')) return text;
  if (!GROUPED.test(text)) {
    invalid(
      field,
      'decimal',
      `${JSON.stringify(original)} is not a decimal amount (separators "," and "_" only between 3-digit groups of the whole part, like "1,234,567.50")`,
    );
  }
  return text.replace(/[,_]/g, '');
}

function invalid(field: string, rule: string, message: string): never {
  throw new DiamondPayValidationError([{ field, rule, message }], 'Invalid amount');
}

/**
 * Converts a major-unit amount (won, dong, ...) to integer cents: `toMinorUnits('500000')` → `50000000`.
 * Accepts a decimal string (`"1234.5"`, thousands separators `,` and `_` allowed) or a number or bigint;
 * rejects more than 2 decimals, zero, negatives and results over 10 digits.
 */
export function toMinorUnits(major: string | number | bigint, field = 'amount'): number {
  let text: string;
  if (typeof major === 'bigint') text = major.toString();
  else if (typeof major === 'number') {
    if (!Number.isFinite(major)) invalid(field, 'finite', 'must be a finite number');
    text = String(major);
    if (/e/i.test(text)) invalid(field, 'decimal', `${text} is not a plain decimal amount; pass a string`);
  } else if (typeof major === 'string') text = ungroup(major.trim(), field, major);
  else return invalid(field, 'type', `must be a decimal string or number, got ${typeof major}`);

  if (text.startsWith('-')) invalid(field, 'positive', 'must be greater than zero');
  const m = DECIMAL.exec(text);
  if (!m) return invalid(field, 'decimal', `${JSON.stringify(String(major))} is not a decimal amount`);
  const whole = m[1]!;
  const frac = m[2] ?? '';
  if (frac.length > 2) invalid(field, 'max_decimals', `has ${frac.length} decimals; at most 2 are allowed`);
  const digits = (whole + frac.padEnd(2, '0')).replace(/^0+/, '');
  if (digits === '') invalid(field, 'positive', 'must be greater than zero');
  if (digits.length > MAX_AMOUNT_DIGITS) {
    invalid(
      field,
      'max_digits',
      `is ${digits.length} digits in cents; the gateway accepts at most ${MAX_AMOUNT_DIGITS}`,
    );
  }
  return Number(digits);
}

/** Converts integer cents back to a major-unit decimal string with 2 decimals: `50000000` → `"500000.00"`. */
export function fromMinorUnits(cents: number | bigint, field = 'amount'): string {
  if (typeof cents === 'number' && !Number.isSafeInteger(cents))
    invalid(field, 'integer', 'must be a safe integer number of cents');
  const negative = cents < 0;
  const digits = (negative ? -BigInt(cents) : BigInt(cents)).toString().padStart(3, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/** Formats cents as won for people: `50000000` → `"₩500,000"` (sub-won cents shown only when present). */
export function formatKrw(cents: number): string {
  const [whole, frac] = fromMinorUnits(cents).split('.') as [string, string];
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac === '00' ? `₩${grouped}` : `₩${grouped}.${frac}`;
}
