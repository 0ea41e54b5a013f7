// The gateway's payout endpoints (create payout, query payout): request rules and answers in the
// gateway's envelope (protocol reference §3.4). Signatures are checked with the sandbox's own signing.
import {
  MAX_AMOUNT_CENTS,
  type RawJsonObject,
  type RawJsonValue,
  SERVICE_ID_PATTERN,
} from '@diamondpay/core';
import {
  checkString,
  errorBody,
  GatewayCode,
  INVALID_AUTHORIZATION,
  isEmpty,
  isHttpUrl,
  numberText,
  okBody,
  POSITIVE_CENTS,
  readCreateRequest,
  SIGNATURE_FAILED,
  UNIX_SECONDS,
} from './gateway.js';
import type { OrderBook } from './orders.js';
import type { PayoutBook, SandboxPayout } from './payouts.js';
import { verifyParams } from './signing.js';

/** Bank codes the sandbox answers `0012` for unless `unsupportedBankCodes` says otherwise. */
export const DEFAULT_UNSUPPORTED_BANK_CODES: readonly string[] = Object.freeze(['UNSUPPORTED']);
/** Currencies this (Korea) sandbox pays out in. */
const CURRENCIES = new Set(['krw']);

const PAYOUT_NOT_FOUND = errorBody(GatewayCode.ORDER_NOT_FOUND, 'Order not found!');
const ACCOUNT_NUMBER = /^\d{1,32}$/;
const PHONE_NUMBER = /^\d{1,11}$/;

function stringOf(v: RawJsonValue | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Every field rule of the create-payout request (reference §3.4); messages name the field. */
function createPayoutIssues(body: RawJsonObject): string[] {
  const issues: string[] = [];
  const serviceId = body.service_id;
  if (isEmpty(serviceId)) issues.push('service_id is required');
  else if (typeof serviceId !== 'string' || !SERVICE_ID_PATTERN.test(serviceId))
    issues.push('service_id must be "SVC" followed by 4 digits');
  checkString(issues, body, 'payout_cl_id', 64, true);
  const amount = body.amount;
  if (isEmpty(amount)) issues.push('amount is required');
  else if (!POSITIVE_CENTS.test(numberText(amount) ?? ''))
    issues.push(`amount must be an integer from 1 to ${MAX_AMOUNT_CENTS} (cents)`);
  const url = body.notify_url;
  if (!isEmpty(url) && (typeof url !== 'string' || url.length > 256 || !isHttpUrl(url)))
    issues.push('notify_url must be a complete http(s) URL of at most 256 characters');
  checkString(issues, body, 'bank_name', 16, true);
  checkString(issues, body, 'name', 16, true);
  const number = body.number;
  if (isEmpty(number)) issues.push('number is required');
  else if (!ACCOUNT_NUMBER.test(stringOf(number) ?? '')) issues.push('number must be 1–32 digits (a string)');
  const currency = body.currency;
  if (isEmpty(currency)) issues.push('currency is required');
  else if (typeof currency !== 'string' || currency !== currency.toLowerCase())
    issues.push('currency must be lowercase (krw)');
  else if (!CURRENCIES.has(currency)) issues.push(`currency ${currency} is not paid out here (krw only)`);
  const phone = body.phone_number;
  if (isEmpty(phone)) {
    if (currency === 'krw') issues.push('phone_number is required for krw payouts');
  } else if (!PHONE_NUMBER.test(stringOf(phone) ?? ''))
    issues.push('phone_number must be at most 11 digits (a string)');
  const time = body.request_time;
  if (isEmpty(time)) issues.push('request_time is required');
  else if (!UNIX_SECONDS.test(numberText(time) ?? ''))
    issues.push('request_time must be Unix seconds (10 digits)');
  const signType = body.sign_type;
  if (!isEmpty(signType) && signType !== 'HMAC-SHA256' && signType !== 'MD5')
    issues.push('sign_type must be "HMAC-SHA256" or "MD5" (or absent for MD5)');
  if (isEmpty(body.sign)) issues.push('sign is required');
  else if (typeof body.sign !== 'string') issues.push('sign must be a string');
  return issues;
}

export interface CreatePayoutResult {
  body: string;
  payout?: SandboxPayout;
}

export interface PayoutDesk {
  book: OrderBook;
  payouts: PayoutBook;
  /** Bank codes refused with 0012. */
  unsupportedBankCodes: ReadonlySet<string>;
}

/**
 * Handles a create-payout body: parse (numbers keep their text), validate, verify, refuse a reused
 * payout_cl_id (9002), an unsupported bank (0012) or a short available balance (0018), accept.
 */
export function createPayout(text: string, desk: PayoutDesk, nowSeconds: number): CreatePayoutResult {
  const request = readCreateRequest(text, desk.book, createPayoutIssues);
  if ('error' in request) return { body: request.error };
  const { body, merchant } = request;
  const platformId = merchant.platformId;
  if (!verifyParams(body, merchant.platformKey)) return { body: SIGNATURE_FAILED };
  const payoutClId = body.payout_cl_id as string;
  if (desk.payouts.has(platformId, payoutClId)) {
    desk.payouts.duplicatePayouts++;
    return {
      body: errorBody(
        GatewayCode.DUPLICATE_ORDER,
        'Duplicate payout_cl_id: a payout with this id was already accepted!',
      ),
    };
  }
  const bankName = body.bank_name as string;
  if (desk.unsupportedBankCodes.has(bankName))
    return { body: errorBody(GatewayCode.BANK_NOT_SUPPORTED, 'Bank not supported!') };
  const payout = desk.payouts.accept(
    platformId,
    {
      serviceId: body.service_id as string,
      payoutClId,
      amount: Number(numberText(body.amount)),
      notifyUrl: stringOf(body.notify_url),
      bankName,
      name: body.name as string,
      number: body.number as string,
      phoneNumber: stringOf(body.phone_number),
      currency: body.currency as string,
      signType: body.sign_type === 'HMAC-SHA256' ? 'HMAC-SHA256' : 'MD5',
    },
    nowSeconds,
  );
  if (!payout) return { body: errorBody(GatewayCode.INSUFFICIENT_BALANCE, 'Insufficient balance!') };
  return { body: okBody({ payout_id: payout.payoutId }), payout };
}

/** Answers a payout query; the merchant is identified by its Authorization token. */
export function queryPayout(desk: PayoutDesk, authorization: string | undefined, payoutClId: string): string {
  const merchant = authorization ? desk.book.merchantByToken(authorization) : undefined;
  if (!merchant) return INVALID_AUTHORIZATION;
  const payout = desk.payouts.get(merchant.platformId, payoutClId);
  if (!payout) return PAYOUT_NOT_FOUND;
  const data: Record<string, unknown> = {
    payout_id: payout.payoutId,
    payout_cl_id: payout.payoutClId,
    amount: payout.amount,
    fee: payout.fee,
    status: payout.status,
  };
  if (payout.errorMsg) data.error_msg = payout.errorMsg;
  data.create_time = payout.createTime;
  data.success_time = payout.successTime;
  return okBody(data);
}
