// Gateway → merchant notifications: verify, receive (once, acknowledged after the handler), body reading, stores.

export { rawBodyUnavailable, readBodyLimited } from './body.js';
export type {
  Ledger,
  LedgerCreateIntent,
  LedgerCreateResult,
  LedgerCreateState,
  LedgerInboxEntry,
  LedgerOrder,
  LedgerOrderKind,
  LedgerOrderRef,
  LedgerOrderUpdate,
  LedgerTransaction,
  LedgerUnitOfWork,
  SyncLedgerUnit,
} from './ledger.js';
export type {
  DiscrepancyEvent,
  DiscrepancyHandler,
  LedgerHandlerContext,
  LedgerNotificationHandler,
  LedgerSource,
  QueriedDeposit,
  QueriedOrder,
  QueriedPayout,
} from './ledger-inbox.js';
export { MemoryLedger, type MemoryLedgerOptions, type MemoryLedgerQuery } from './memory-ledger.js';
export { MAX_UPDATE_TIME_LEAD_SECONDS, notificationKey } from './notification-key.js';
export type { DiscrepancyReason, StaleReason } from './order-state.js';
export {
  type AnyNotificationReceiverOptions,
  createNotificationReceiver,
  type IncomingNotificationRequest,
  type LedgerNotificationReceiverOptions,
  type NotificationHandler,
  type NotificationReceiver,
  type NotificationReceiverOptions,
  type NotificationReply,
  type PrecheckRequest,
  type ReceiveOutcome,
  type ReceiveResult,
} from './receiver.js';
export {
  createReconciler,
  DEFAULT_RECONCILE_HORIZON_MS,
  DEFAULT_RECONCILE_SCHEDULE,
  NEVER_CREATED_MESSAGE,
  nextCheckAt,
  type ReconcileReport,
  type Reconciler,
  type ReconcilerClient,
  type ReconcilerOptions,
} from './reconciler.js';
export type {
  HandleOptions,
  NotificationBody,
  NotificationHeaders,
  NotificationRequest,
} from './request.js';
export {
  type ClaimResult,
  MemoryNotificationStore,
  type MemoryNotificationStoreOptions,
  type NotificationStore,
} from './store.js';
export {
  DEFAULT_MAX_NOTIFICATION_BYTES,
  type DepositNotification,
  MAX_NOTIFICATION_FIELDS,
  type Notification,
  type PayoutNotification,
  type VerifyNotificationOptions,
  verifyNotification,
} from './verify.js';
