export { databaseLabel, type ShopBadge, shopBadge } from './badge.js';
export { PRODUCTS, type Product, SERVICES } from './catalogue.js';
export { loadShopConfig, notifyUrlFor, SANDBOX_DEFAULT_URL, type ShopConfig } from './config.js';
export { openShopDatabase, type ShopDatabase } from './database.js';
export { runDev, runStart, type StartApp } from './dev.js';
export { ledgerNotificationHandlers, storeNotificationHandlers } from './notification-handlers.js';
export {
  type DemoNotificationStore,
  describeNotificationStore,
  notificationStoreFor,
} from './notification-store.js';
export {
  MemoryOrderRepository,
  type OrderRepository,
  type OrderStatus,
  Shop,
  type ShopOrder,
  type ShopStats,
  UnknownOrderError,
} from './orders.js';
export { escapeHtml, orderJson, renderError, renderHome, renderOrder, serviceLabel } from './pages.js';
export { MAX_REFUND_ATTEMPTS, type RefundClient, refundableAmount, ShopRefunds } from './refund-desk.js';
export { refundJson, refundSection } from './refund-pages.js';
export {
  MemoryRefundRepository,
  REFUND_TRANSITIONS,
  type Refund,
  type RefundRepository,
  RefundRequestError,
  type RefundState,
  refundPayoutClId,
} from './refunds.js';
export {
  errorResponse,
  orderCreatedResponse,
  orderPageResponse,
  orderParam,
  orderResponse,
  refundRequestResponse,
  type ShopResponse,
  wantsJson,
} from './responses.js';
export { exitOnStartupError, explainStartupError, ShopStartupError } from './startup.js';
export { openShopStorage, type ShopStorage } from './storage.js';
