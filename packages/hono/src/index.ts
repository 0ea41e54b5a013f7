// @diamondpay/hono public API (explicit barrel). Core is re-exported so users install one package.
export * from '@diamondpay/core';
export {
  type DepositNotificationsOptions,
  depositNotifications,
  type LedgerDepositNotificationsOptions,
} from './deposit-notifications.js';
export {
  type DiamondPayEnv,
  type DiamondPayOptions,
  type DiamondPayVariables,
  diamondPay,
} from './diamond-pay.js';
export { configFromEnv, DIAMONDPAY_ENV } from './env-config.js';
