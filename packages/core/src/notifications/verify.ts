// Decoding and verifying gateway → merchant notifications: raw body in, typed notification out.
// The signature is checked over the text that arrived, before any field is trusted.
import { DiamondPayNotificationError, DiamondPaySignatureError } from '../errors.js';
import { FieldReader } from '../json/field-reader.js';
import {
  JsonNumber,
  JsonSyntaxError,
  JsonTooManyKeysError,
  parseJsonRaw,
  type RawJsonObject,
} from '../json/raw-json.js';
import {
  type DepositOutcome,
  depositOutcome,
  type PayoutOutcome,
  payoutOutcome,
} from '../protocol/status.js';
import { parseSignType, type SignType, verifyNow } from '../signing/signature.js';

const DEPOSIT_FIELDS: ReadonlySet<string> = new Set([
  'payment_id',
  'payment_cl_id',
  'platform_id',
  'amount',
  'real_amount',
  'fee',
  'status',
  'create_time',
  'update_time',
  'payment_cl_name',
  'sign_type',
  'sign',
]);
const PAYOUT_FIELDS: ReadonlySet<string> = new Set([
  'payout_id',
  'payout_cl_id',
  'platform_id',
  'amount',
  'fee',
  'status',
  'create_time',
  'update_time',
  'error_msg',
  'sign_type',
  'sign',
]);

/**
 * Most top-level fields a notification may have: 64 (a real one has about 12). A body with more is
 * refused (400 `notification_malformed`) while parsing, before the signature is computed, so an
 * unsigned body of thousands of keys costs less than parsing it.
 */
export const MAX_NOTIFICATION_FIELDS = 64;

/** Largest notification body accepted by default: 64 KiB (a real one is under 1 KiB). */
export const DEFAULT_MAX_NOTIFICATION_BYTES = 64 * 1024;

export interface DepositNotification {
  readonly kind: 'deposit';
  payment_id: string;
  payment_cl_id: string;
  platform_id: string;
  /** Order amount in cents. */
  amount: number;
  /** Amount actually received, in cents: compare it with `amount` before crediting. */
  real_amount: number;
  /** Fee in cents. */
  fee: number;
  /** Gateway status code; see `outcome`. */
  status: number;
  /** Unix seconds. */
  create_time: number;
  /** Unix seconds. */
  update_time: number;
  payment_cl_name?: string | undefined;
  sign_type?: SignType | undefined;
  sign: string;
  /** What `status` means: only `paid` may be credited. */
  readonly outcome: DepositOutcome;
  /** Fields this SDK version does not know, as they arrived (numbers as text when not exact). */
  readonly extra: Readonly<Record<string, unknown>>;
}

export interface PayoutNotification {
  readonly kind: 'payout';
  payout_id: string;
  payout_cl_id: string;
  platform_id: string;
  /** Cents. */
  amount: number;
  /** Cents. */
  fee: number;
  status: number;
  create_time: number;
  update_time: number;
  error_msg?: string | undefined;
  sign_type?: SignType | undefined;
  sign: string;
  readonly outcome: PayoutOutcome;
  readonly extra: Readonly<Record<string, unknown>>;
}

export type Notification = DepositNotification | PayoutNotification;

export interface VerifyNotificationOptions {
  platformId: string;
  platformKey: string;
  /** Bodies larger than this are refused (413). Default 64 KiB. */
  maxBodyBytes?: number | undefined;
  /** Accept MD5-signed notifications (legacy; the gateway retires MD5). Default true. */
  acceptMd5?: boolean | undefined;
}

// Pure: a bundle without the receiver drops it (bundlers keep a bare `new` call).
const decoder = /* @__PURE__ */ new TextDecoder('utf-8', { fatal: true });

function utf8Length(s: string): number {
  // Cheap exact count without allocating.
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** Decodes a raw body to text, enforcing the size limit. Throws `DiamondPayNotificationError`. */
export function decodeBody(
  raw: string | Uint8Array | ArrayBuffer,
  maxBytes = DEFAULT_MAX_NOTIFICATION_BYTES,
): string {
  if (typeof raw === 'string') {
    if (raw.length > maxBytes || (raw.length * 3 > maxBytes && utf8Length(raw) > maxBytes))
      throw tooLarge(maxBytes);
    return raw;
  }
  const bytes = raw instanceof Uint8Array ? raw : new Uint8Array(raw);
  if (bytes.byteLength > maxBytes) throw tooLarge(maxBytes);
  try {
    return decoder.decode(bytes);
  } catch {
    throw new DiamondPayNotificationError(
      'notification_malformed',
      400,
      'The notification body is not valid UTF-8.',
    );
  }
}

export function tooLarge(maxBytes: number): DiamondPayNotificationError {
  return new DiamondPayNotificationError(
    'notification_too_large',
    413,
    `The notification body exceeds ${maxBytes} bytes (option maxBodyBytes).`,
  );
}

/** Parses, verifies and types a notification. Throws `DiamondPayNotificationError` (with `httpStatus`). */
export async function verifyNotification(
  raw: string | Uint8Array | ArrayBuffer,
  options: VerifyNotificationOptions,
): Promise<Notification> {
  return verifyNotificationNow(raw, options);
}

/**
 * `verifyNotification`, synchronously when the signature can be checked synchronously (node:crypto),
 * else as a promise; throws (or rejects) the same errors. The receiver's hot path.
 */
export function verifyNotificationNow(
  raw: string | Uint8Array | ArrayBuffer,
  options: VerifyNotificationOptions,
): Notification | Promise<Notification> {
  const text = decodeBody(raw, options.maxBodyBytes);
  if (text.trim() === '') {
    throw new DiamondPayNotificationError('notification_malformed', 400, 'The notification body is empty.');
  }
  let parsed: ReturnType<typeof parseJsonRaw>;
  try {
    parsed = parseJsonRaw(text, { maxKeys: MAX_NOTIFICATION_FIELDS });
  } catch (error) {
    if (error instanceof JsonTooManyKeysError) {
      throw new DiamondPayNotificationError(
        'notification_malformed',
        400,
        `The notification has more than ${MAX_NOTIFICATION_FIELDS} fields; a real one has about 12. It was refused before verification.`,
      );
    }
    const detail = error instanceof JsonSyntaxError ? error.message : 'invalid JSON';
    throw new DiamondPayNotificationError(
      'notification_malformed',
      400,
      `The notification body is not valid JSON (${detail}). If a body parser ran first, pass the raw body instead.`,
    );
  }
  if (
    parsed === null ||
    typeof parsed !== 'object' ||
    Array.isArray(parsed) ||
    parsed instanceof JsonNumber
  ) {
    throw new DiamondPayNotificationError(
      'notification_malformed',
      400,
      'The notification body must be a JSON object.',
    );
  }
  const obj = parsed as RawJsonObject;

  const sign = obj.sign;
  if (typeof sign !== 'string' || sign === '') {
    throw new DiamondPaySignatureError('The notification has no `sign` field.');
  }
  const signType = parseSignType(obj.sign_type);
  if (signType === null) {
    throw new DiamondPaySignatureError(
      'The notification has an unsupported `sign_type` (expected "HMAC-SHA256" or none for MD5).',
    );
  }
  if ((signType ?? 'MD5') === 'MD5' && options.acceptMd5 === false) {
    throw new DiamondPaySignatureError('The notification is MD5-signed and acceptMd5 is false.');
  }
  const verified = verifyNow(obj, options.platformKey);
  if (verified === true) return typed(obj, signType, options);
  if (verified === false) throw badSignature();
  return verified.then((ok) => {
    if (!ok) throw badSignature();
    return typed(obj, signType, options);
  });
}

function badSignature(): DiamondPaySignatureError {
  return new DiamondPaySignatureError(
    'The notification signature does not verify. Check platformKey; verify the raw body exactly as received (a re-serialised body does not verify).',
  );
}

/** The verified object checked for its platform and typed as a deposit or payout notification. */
function typed(
  obj: RawJsonObject,
  signType: SignType | undefined,
  options: VerifyNotificationOptions,
): Notification {
  if (obj.platform_id !== options.platformId) {
    throw new DiamondPayNotificationError(
      'platform_mismatch',
      401,
      'The notification is for another platform_id than the one configured.',
    );
  }
  return 'payout_id' in obj ? typePayout(obj, signType) : typeDeposit(obj, signType);
}

function typeDeposit(obj: RawJsonObject, signType: SignType | undefined): DepositNotification {
  const r = new FieldReader(obj);
  const n: DepositNotification = {
    kind: 'deposit',
    payment_id: r.string('payment_id'),
    payment_cl_id: r.string('payment_cl_id'),
    platform_id: r.string('platform_id'),
    amount: r.integer('amount'),
    real_amount: r.integer('real_amount'),
    fee: r.integer('fee'),
    status: r.integer('status'),
    create_time: r.integer('create_time'),
    update_time: r.integer('update_time'),
    sign: r.string('sign'),
    outcome: 'unknown',
    extra: r.rest(DEPOSIT_FIELDS),
  };
  const name = r.optionalString('payment_cl_name');
  invalidIfIssues(r, 'deposit');
  // Absent optional fields stay absent rather than present-but-undefined.
  if (name !== undefined) n.payment_cl_name = name;
  if (signType !== undefined) n.sign_type = signType;
  (n as { outcome: DepositOutcome }).outcome = depositOutcome(n.status);
  return n;
}

function typePayout(obj: RawJsonObject, signType: SignType | undefined): PayoutNotification {
  const r = new FieldReader(obj);
  const n: PayoutNotification = {
    kind: 'payout',
    payout_id: r.string('payout_id'),
    payout_cl_id: r.string('payout_cl_id'),
    platform_id: r.string('platform_id'),
    amount: r.integer('amount'),
    fee: r.integer('fee'),
    status: r.integer('status'),
    create_time: r.integer('create_time'),
    update_time: r.integer('update_time'),
    sign: r.string('sign'),
    outcome: 'pending',
    extra: r.rest(PAYOUT_FIELDS),
  };
  const errorMsg = r.optionalString('error_msg');
  invalidIfIssues(r, 'payout');
  if (errorMsg !== undefined) n.error_msg = errorMsg;
  if (signType !== undefined) n.sign_type = signType;
  (n as { outcome: PayoutOutcome }).outcome = payoutOutcome(n.status);
  return n;
}

function invalidIfIssues(r: FieldReader, kind: string): void {
  if (r.issues.length === 0) return;
  const lines = r.issues.map((i) => `${i.field}: ${i.message}`).join('; ');
  throw new DiamondPayNotificationError(
    'notification_invalid',
    400,
    `The ${kind} notification is signed correctly but its fields are invalid: ${lines}.`,
    r.issues,
  );
}
