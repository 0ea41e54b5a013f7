// Gateway → merchant notifications: verify, receive (once, acknowledged after the handler), body reading, stores.

export { rawBodyUnavailable, readBodyLimited } from './body.js';
export {
  LEDGER_INBOX,
  type Ledger,
  type LedgerCreateIntent,
  type LedgerCreateResult,
  type LedgerCreateState,
  type LedgerInboxEntry,
  type LedgerOrder,
  type LedgerOrderKind,
  type LedgerOrderRef,
  type LedgerOrderUpdate,
  type LedgerTransaction,
  type LedgerUnitOfWork,
  type SyncLedgerUnit,
} from './ledger.js';
export {
  createLedgerInbox,
  type DiscrepancyEvent,
  type DiscrepancyHandler,
  type LedgerHandlerContext,
  type LedgerNotificationHandler,
  type LedgerSource,
  type QueriedDeposit,
  type QueriedOrder,
  type QueriedPayout,
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
