// @diamondpay/sandbox public API (explicit barrel).
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
  postNotification,
  signedNotificationBody,
} from './notifier.js';
export { DEFAULT_MERCHANT, feeFor, type SandboxMerchant, type SandboxOrder } from './orders.js';
export {
  type CancelOptions,
  DEFAULT_RETRY_SCHEDULE,
  type PayOptions,
  type Sandbox,
  type SandboxOptions,
  type SandboxStats,
  startSandbox,
} from './server.js';
