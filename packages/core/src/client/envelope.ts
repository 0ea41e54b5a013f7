// Reading the gateway's answer: the `{ error_code, data | error_msg }` envelope, and typed records
// out of `data`. Judged by `error_code`, not by HTTP status (protocol reference §2).
import { type ApiErrorDetails, DiamondPayApiError, DiamondPayAuthenticationError } from '../errors.js';
import { compact, type FieldReader } from '../json/field-reader.js';
import { JsonNumber, JsonSyntaxError, parseJsonRaw, type RawJsonObject } from '../json/raw-json.js';
import { GatewayErrorCode } from '../protocol/constants.js';

export type Envelope =
  | { kind: 'ok'; data: RawJsonObject }
  | { kind: 'error'; details: ApiErrorDetails }
  /** Not an envelope, or `0000` without usable `data`; `why` says which, for the error message. */
  | { kind: 'garbled'; why: string };

// A function, not a module-level Set built from property reads: bundlers keep such a statement (a
// read might have effects), and with it this module, in bundles that never use the client.
const isAuthCode = (code: string): boolean =>
  code === GatewayErrorCode.SIGNATURE_FAILED || code === GatewayErrorCode.INVALID_AUTHORIZATION;

/** Classifies an HTTP answer's body. */
export function readEnvelope(status: number, text: string, path: string): Envelope {
  let parsed: unknown;
  try {
    parsed = parseJsonRaw(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError)
      return { kind: 'garbled', why: text === '' ? 'an empty body' : 'a body that is not JSON' };
    throw error;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || parsed instanceof JsonNumber)
    return { kind: 'garbled', why: 'a JSON body that is not an object' };
  const obj = parsed as RawJsonObject;
  const code =
    typeof obj.error_code === 'string'
      ? obj.error_code
      : obj.error_code != null
        ? String(obj.error_code)
        : undefined;
  if (code === undefined) return { kind: 'garbled', why: 'a body without error_code' };
  if (code === GatewayErrorCode.SUCCESS) {
    if (status < 200 || status >= 300)
      return { kind: 'garbled', why: 'error_code 0000 with a non-2xx status' };
    const data = obj.data;
    if (data !== null && typeof data === 'object' && !Array.isArray(data) && !(data instanceof JsonNumber))
      return { kind: 'ok', data: data as RawJsonObject };
    return { kind: 'garbled', why: 'error_code 0000 without data' };
  }
  const msg = typeof obj.error_msg === 'string' ? obj.error_msg : undefined;
  return { kind: 'error', details: { errorCode: code, errorMsg: msg, httpStatus: status, path } };
}

/** The typed error for a gateway error envelope: authentication for `0004`/`0006`, API error otherwise. */
export function apiError(details: ApiErrorDetails): DiamondPayApiError {
  return details.errorCode && isAuthCode(details.errorCode)
    ? new DiamondPayAuthenticationError(details)
    : new DiamondPayApiError(details);
}

/** The error for an answer that is not a usable envelope (an HTML page, a redirect, `0000` without data). */
export function unreadableAnswer(status: number, path: string, why: string): DiamondPayApiError {
  const hint =
    status >= 300 && status < 400
      ? ' (a redirect: check baseUrl, the SDK does not follow redirects)'
      : status === 404
        ? ' (check baseUrl: the path is not a Diamond Pay gateway endpoint)'
        : '';
  return new DiamondPayApiError(
    { httpStatus: status, path },
    `Diamond Pay ${path}: HTTP ${status} with ${why}, not a gateway answer${hint}.`,
  );
}

/** Returns `value` without undefined fields, or throws when the reader found problems in `data`. */
export function typed<T>(r: FieldReader, value: T, what: string, path: string, status: number): T {
  if (r.issues.length > 0) {
    throw new DiamondPayApiError(
      { httpStatus: status, path },
      `Diamond Pay ${path}: the gateway's ${what} is malformed (${r.issues.map((i) => `${i.field}: ${i.message}`).join('; ')}).`,
    );
  }
  return compact(value as object) as T;
}
