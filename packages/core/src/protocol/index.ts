// Protocol knowledge, once: paths, error codes, the ack body, statuses, amounts and field rules.
export { formatKrw, fromMinorUnits, MAX_AMOUNT_CENTS, MAX_AMOUNT_DIGITS, toMinorUnits } from './amount.js';
export {
  ACK_BODY,
  DEPOSIT_NOTIFICATION_PATH,
  GatewayErrorCode,
  GatewayPath,
  PAYOUT_NOTIFICATION_PATH,
  PayoutService,
} from './constants.js';
export {
  ACCOUNT_NUMBER_PATTERN,
  CURRENCY_PATTERN,
  createKrwPayoutSchema,
  createPayoutSchema,
  KOREAN_MOBILE_PATTERN,
  validateCreatePayout,
} from './payout-rules.js';
export { CLIENT_ID_PATTERN, CLIENT_ID_RULE_TEXT, createDepositSchema, SERVICE_ID_PATTERN } from './rules.js';
export {
  type DepositOutcome,
  DepositStatus,
  depositOutcome,
  KoreaService,
  type PayoutOutcome,
  PayoutStatus,
  payoutOutcome,
} from './status.js';
