// @diamondpay/koa public API (explicit barrel). The @koa/router plugin is `@diamondpay/koa/router`.
export * from '@diamondpay/core';
export {
  DEPOSIT_NOTIFICATION_PATH,
  type DepositNotificationsOptions,
  depositNotifications,
  type LedgerDepositNotificationsOptions,
} from './deposit-notifications.js';
export { type DiamondPayState, diamondPay } from './diamond-pay.js';
