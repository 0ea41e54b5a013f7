// @diamondpay/nestjs public API (explicit barrel). Core is re-exported: install this one package.
export * from '@diamondpay/core';
export {
  DEFAULT_NOTIFICATION_PATH,
  DIAMONDPAY_CLIENT,
  DIAMONDPAY_OPTIONS,
  ON_DEPOSIT_NOTIFICATION,
  ON_PAYOUT_NOTIFICATION,
} from './diamond-pay.constants.js';
export {
  InjectDiamondPay,
  OnDepositNotification,
  OnPayoutNotification,
} from './diamond-pay.decorators.js';
export type {
  DepositNotificationHandler,
  DiamondPayModuleOptions,
  DiamondPayNotificationOptions,
  DiamondPayNotificationRouteOptions,
  DiamondPayOptionsFactory,
  DiamondPayReconcilerOptions,
  DiamondPayRouteDecorator,
  LedgerDepositNotificationHandler,
  PayoutNotificationHandler,
} from './diamond-pay.interfaces.js';
export {
  DiamondPayModule,
  type DiamondPayModuleAsyncOptions,
  type DiamondPayModuleSyncOptions,
} from './diamond-pay.module.js';
export { DiamondPayService } from './diamond-pay.service.js';
