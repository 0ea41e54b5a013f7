// @diamondpay/core public API (explicit barrel).
export { formatKrw, fromMinorUnits, MAX_AMOUNT_CENTS, MAX_AMOUNT_DIGITS, toMinorUnits } from './amount.js';
export {
  type Balance,
  type CreateDepositOptions,
  type CreateDepositParams,
  type CreatedDeposit,
  type DepositRecord,
  DiamondPay,
  type DiamondPayConfig,
  type RequestOptions,
  SDK_VERSION,
} from './client.js';
export { type SignatureCrypto, setSignatureCrypto } from './crypto.js';
export {
  type ApiErrorDetails,
  DiamondPayApiError,
  DiamondPayAuthenticationError,
  DiamondPayConnectionError,
  DiamondPayDepositDetailsLostError,
  DiamondPayError,
  type DiamondPayErrorCode,
  DiamondPayNotificationError,
  DiamondPayOutcomeUnknownError,
  DiamondPaySignatureError,
  DiamondPayTimeoutError,
  DiamondPayValidationError,
  isDiamondPayError,
  type ValidationIssue,
} from './errors.js';
export { type FetchLike, wasNotSent } from './http.js';
export {
  JsonNumber,
  JsonSyntaxError,
  parseJsonRaw,
  type RawJsonObject,
  type RawJsonValue,
  stringifyJsonRaw,
} from './json.js';
export {
  DEFAULT_MAX_NOTIFICATION_BYTES,
  type DepositNotification,
  type Notification,
  type PayoutNotification,
  type VerifyNotificationOptions,
  verifyNotification,
} from './notification.js';
export {
  ACK_BODY,
  createNotificationReceiver,
  type IncomingNotificationRequest,
  type NotificationHandler,
  type NotificationReceiver,
  type NotificationReceiverOptions,
  type NotificationReply,
  notificationKey,
  type PrecheckRequest,
  type ReceiveOutcome,
  type ReceiveResult,
  rawBodyUnavailable,
  readBodyLimited,
} from './receiver.js';
export { CLIENT_ID_PATTERN, createDepositSchema, SERVICE_ID_PATTERN } from './schema.js';
export { canonicalString, SIGN_TYPES, type SignType, sign, timingSafeEqualHex, verify } from './signature.js';
export {
  type DepositOutcome,
  DepositStatus,
  depositOutcome,
  KoreaService,
  type PayoutOutcome,
  PayoutStatus,
  payoutOutcome,
} from './status.js';
export {
  type ClaimResult,
  MemoryNotificationStore,
  type MemoryNotificationStoreOptions,
  type NotificationStore,
} from './store.js';
