// The gateway's own endpoints (create deposit, query deposit, balance): request rules and answers
// in the gateway's envelope. Business failures answer HTTP 200 with an error_code, like the gateway.
import {
  GatewayErrorCode,
  JsonNumber,
  MAX_AMOUNT_CENTS,
  parseJsonRaw,
  type RawJsonObject,
  type RawJsonValue,
  SERVICE_ID_PATTERN,
  type SignType,
} from '@diamondpay/core';
import type { OrderBook, SandboxMerchant, SandboxOrder } from './orders.js';
import { verifyParams } from './signing.js';

/** Error codes: the 0xxx ones are the gateway's (from core's protocol constants; 0012/0018 seen in integrations); the 9xxx ones are sandbox-only inventions. */
export const GatewayCode = {
  OK: GatewayErrorCode.SUCCESS,
  SIGNATURE_FAILED: GatewayErrorCode.SIGNATURE_FAILED,
  INVALID_AUTHORIZATION: GatewayErrorCode.INVALID_AUTHORIZATION,
  BANK_NOT_SUPPORTED: GatewayErrorCode.BANK_NOT_SUPPORTED,
  INSUFFICIENT_BALANCE: GatewayErrorCode.INSUFFICIENT_BALANCE,
  ORDER_NOT_FOUND: GatewayErrorCode.ORDER_NOT_FOUND,
  INVALID_PARAMETER: '9001',
  DUPLICATE_ORDER: '9002',
  UNKNOWN_PLATFORM: '9003',
  UNKNOWN_PATH: '9404',
  METHOD_NOT_ALLOWED: '9405',
  BODY_TOO_LARGE: '9413',
} as const;

export function errorBody(code: string, message: string): string {
  return JSON.stringify({ error_code: code, error_msg: message });
}

export function okBody(data: Record<string, unknown>): string {
  return JSON.stringify({ error_code: GatewayCode.OK, data });
}

export const SIGNATURE_FAILED = errorBody(GatewayCode.SIGNATURE_FAILED, 'Signature verification failed!');
export const INVALID_AUTHORIZATION = errorBody(GatewayCode.INVALID_AUTHORIZATION, 'Invalid Authorization!');
const ORDER_NOT_FOUND = errorBody(GatewayCode.ORDER_NOT_FOUND, 'Order not found!');

export const POSITIVE_CENTS = /^[1-9]\d{0,9}$/;
export const UNIX_SECONDS = /^\d{10}$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;

export function isEmpty(v: RawJsonValue | undefined): boolean {
  return v === undefined || v === null || v === '';
}

/** A number sent as a JSON number or a digit string, as its text; undefined for any other type. */
export function numberText(v: RawJsonValue | undefined): string | undefined {
  if (v instanceof JsonNumber) return v.text;
  return typeof v === 'string' ? v : undefined;
}

function charLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

export function isHttpUrl(value: string): boolean {
  if (/\s/.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

export function checkString(
  issues: string[],
  body: RawJsonObject,
  field: string,
  max: number,
  required: boolean,
) {
  const v = body[field];
  if (isEmpty(v)) {
    if (required) issues.push(`${field} is required`);
    return;
  }
  if (typeof v !== 'string') issues.push(`${field} must be a string`);
  else if (charLength(v) > max) issues.push(`${field} must be at most ${max} characters`);
  else if (CONTROL.test(v)) issues.push(`${field} must not contain control characters`);
}

/** Every field rule of the create-deposit request (reference §3.1); messages name the field. */
function createIssues(body: RawJsonObject): string[] {
  const issues: string[] = [];
  const serviceId = body.service_id;
  if (isEmpty(serviceId)) issues.push('service_id is required');
  else if (typeof serviceId !== 'string' || !SERVICE_ID_PATTERN.test(serviceId))
    issues.push('service_id must be "SVC" followed by 4 digits');
  checkString(issues, body, 'payment_cl_id', 64, true);
  const amount = body.amount;
  if (isEmpty(amount)) issues.push('amount is required');
  else if (!POSITIVE_CENTS.test(numberText(amount) ?? ''))
    issues.push(`amount must be an integer from 1 to ${MAX_AMOUNT_CENTS} (cents)`);
  const url = body.notify_url;
  if (isEmpty(url)) issues.push('notify_url is required');
  else if (typeof url !== 'string' || url.length > 256 || !isHttpUrl(url))
    issues.push('notify_url must be a complete http(s) URL of at most 256 characters');
  const time = body.request_time;
  if (isEmpty(time)) issues.push('request_time is required');
  else if (!UNIX_SECONDS.test(numberText(time) ?? ''))
    issues.push('request_time must be Unix seconds (10 digits)');
  checkString(issues, body, 'name', 16, false);
  checkString(issues, body, 'bank_name', 16, false);
  const signType = body.sign_type;
  if (!isEmpty(signType) && signType !== 'HMAC-SHA256' && signType !== 'MD5')
    issues.push('sign_type must be "HMAC-SHA256" or "MD5" (or absent for MD5)');
  if (isEmpty(body.sign)) issues.push('sign is required');
  else if (typeof body.sign !== 'string') issues.push('sign must be a string');
  return issues;
}

export interface CreateResult {
  body: string;
  order?: SandboxOrder;
}

/**
 * The first steps of every create endpoint, in the gateway's order: parse (numbers keep their text),
 * an object, a known `platform_id`, then the endpoint's field rules. Answers the error envelope, or
 * the body and its merchant for the signature check.
 */
export function readCreateRequest(
  text: string,
  book: Pick<OrderBook, 'merchant'>,
  fieldIssues: (body: RawJsonObject) => string[],
): { error: string } | { body: RawJsonObject; merchant: SandboxMerchant } {
  let parsed: RawJsonValue;
  try {
    parsed = parseJsonRaw(text);
  } catch {
    return {
      error: errorBody(GatewayCode.INVALID_PARAMETER, 'Invalid parameter: the body is not valid JSON'),
    };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    return {
      error: errorBody(GatewayCode.INVALID_PARAMETER, 'Invalid parameter: the body must be a JSON object'),
    };
  const body = parsed as RawJsonObject;
  const platformId = body.platform_id;
  if (isEmpty(platformId) || typeof platformId !== 'string')
    return { error: errorBody(GatewayCode.INVALID_PARAMETER, 'Invalid parameter: platform_id is required') };
  const merchant = book.merchant(platformId);
  if (!merchant) return { error: errorBody(GatewayCode.UNKNOWN_PLATFORM, 'Unknown platform_id!') };
  const issues = fieldIssues(body);
  if (issues.length > 0)
    return { error: errorBody(GatewayCode.INVALID_PARAMETER, `Invalid parameter: ${issues.join('; ')}`) };
  return { body, merchant };
}

/** Handles a create-deposit body: parse (numbers keep their text), validate, verify, create. */
export async function createDeposit(
  text: string,
  book: OrderBook,
  baseUrl: string,
  nowSeconds: number,
): Promise<CreateResult> {
  const request = readCreateRequest(text, book, createIssues);
  if ('error' in request) return { body: request.error };
  const { body, merchant } = request;
  const platformId = merchant.platformId;
  // The signature covers every field that arrived, numbers as their source text.
  // Checked by the sandbox's own signing code (signing.ts), never core's, so it is a second opinion.
  if (!verifyParams(body, merchant.platformKey)) return { body: SIGNATURE_FAILED };
  const paymentClId = body.payment_cl_id as string;
  if (book.has(platformId, paymentClId)) {
    book.duplicateCreates++;
    return {
      body: errorBody(
        GatewayCode.DUPLICATE_ORDER,
        'Duplicate payment_cl_id: an order with this id already exists!',
      ),
    };
  }
  const order = book.create(
    platformId,
    {
      serviceId: body.service_id as string,
      paymentClId,
      amount: Number(numberText(body.amount)),
      notifyUrl: body.notify_url as string,
      signType: (body.sign_type === 'HMAC-SHA256' ? 'HMAC-SHA256' : 'MD5') satisfies SignType,
      payerName: typeof body.name === 'string' ? body.name : undefined,
      payerBankName: typeof body.bank_name === 'string' ? body.bank_name : undefined,
    },
    baseUrl,
    nowSeconds,
  );
  const data: Record<string, unknown> = {
    link: order.link,
    payment_id: order.paymentId,
    payment_cl_id: order.paymentClId,
    amount: order.amount,
  };
  if (order.qrCodeContent) data.qr_code_content = order.qrCodeContent;
  data.token = order.token;
  data.card_name = order.cardName;
  data.card_number = order.cardNumber;
  data.bank_name = order.bankName;
  data.bank_code = order.bankCode;
  return { body: okBody(data), order };
}

/** Answers a deposit query; the merchant is identified by its Authorization token. */
export function queryDeposit(
  book: OrderBook,
  authorization: string | undefined,
  paymentClId: string,
): string {
  const merchant = authorization ? book.merchantByToken(authorization) : undefined;
  if (!merchant) return INVALID_AUTHORIZATION;
  const order = book.get(merchant.platformId, paymentClId);
  if (!order) return ORDER_NOT_FOUND;
  const data: Record<string, unknown> = {
    payment_id: order.paymentId,
    payment_cl_id: order.paymentClId,
    amount: order.amount,
    real_amount: order.realAmount,
    fee: order.fee,
    status: order.status,
  };
  if (order.payerName) data.payment_cl_name = order.payerName;
  data.create_time = order.createTime;
  data.success_time = order.successTime;
  return okBody(data);
}

/**
 * Answers the balance endpoint (cents): `total_balance` is everything on the account, frozen payouts
 * included (paid deposits credit real_amount − fee; a paid-out payout debits amount + fee);
 * `total_frozen_balance` is what accepted, unfinished payouts hold.
 */
export function balance(book: OrderBook, authorization: string | undefined): string {
  const merchant = authorization ? book.merchantByToken(authorization) : undefined;
  if (!merchant) return INVALID_AUTHORIZATION;
  const b = book.balances.get(merchant.platformId);
  return okBody({
    platform_id: merchant.platformId,
    total_balance: b.total,
    total_frozen_balance: b.frozen,
  });
}
