// The gateway's fixed names and numbers (protocol reference §2–§4), stated once for the SDK,
// the sandbox, the adapters and the demos.

/** Endpoint paths (v2). Query paths take the merchant order id, URL-encoded. */
export const GatewayPath = {
  CREATE_DEPOSIT: '/gateway/api/v2/payments',
  /** `GET` + `/{payment_cl_id}`. */
  QUERY_DEPOSIT: '/gateway/api/v2/payments',
  CREATE_PAYOUT: '/gateway/api/v2/payouts',
  /** `GET` + `/{payout_cl_id}`. */
  QUERY_PAYOUT: '/gateway/api/v2/payouts',
  BALANCE: '/gateway/api/v2/platforms/balance',
  /** Older deployments: create deposit, and list-style queries. */
  V1_DEPOSITS: '/gateway/api/v1/payments',
} as const;

/** `error_code` values with a documented (or widely seen) meaning. Any other code is passed through as received. */
export const GatewayErrorCode = {
  SUCCESS: '0000',
  SIGNATURE_FAILED: '0004',
  INVALID_AUTHORIZATION: '0006',
  BANK_NOT_SUPPORTED: '0012',
  INSUFFICIENT_BALANCE: '0018',
  ORDER_NOT_FOUND: '0050',
} as const;

/** The one reply the gateway accepts as "delivered" (exact compact bytes). */
export const ACK_BODY = '{"error_code":"0000"}';

/** Default notification routes, the same in every adapter. */
export const DEPOSIT_NOTIFICATION_PATH = '/diamondpay/notifications/deposit';
export const PAYOUT_NOTIFICATION_PATH = '/diamondpay/notifications/payout';

/** Payout services (any `SVC` + 4 digits enabled for your merchant is accepted too). */
export const PayoutService = {
  /** SVC0004: payout to a bank card/account. */
  BANK_CARD: 'SVC0004',
} as const;
