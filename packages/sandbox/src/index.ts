// @diamondpay/sandbox public API (explicit barrel).
export type { SandboxBalance } from './balances.js';
export { SandboxError, type SandboxErrorCode } from './errors.js';
export {
  type DeliveryFaults,
  ENDPOINTS,
  type Endpoint,
  type EndpointFaults,
  FAULT_KINDS,
  type FaultKind,
  type Faults,
  INJECTED_LATENCY_MS,
} from './faults.js';
export { GatewayCode } from './gateway.js';
export {
  type DeliveryAttempt,
  isAck,
  type NotificationFields,
  notificationFields,
  type PayoutDeliveryAttempt,
  type PayoutNotificationFields,
  payoutNotificationFields,
  postNotification,
  signedNotificationBody,
} from './notifier.js';
export { DEFAULT_MERCHANT, feeFor, type SandboxMerchant, type SandboxOrder } from './orders.js';
export { DEFAULT_UNSUPPORTED_BANK_CODES } from './payout-gateway.js';
export { payoutFeeFor, type SandboxPayout } from './payouts.js';
export {
  type CancelOptions,
  type CompletePayoutOptions,
  DEFAULT_RETRY_SCHEDULE,
  type FailPayoutOptions,
  type PayOptions,
  type Sandbox,
  type SandboxOptions,
  type SandboxStats,
  startSandbox,
} from './server.js';
