// Injection tokens and metadata keys. Symbols, so two copies of the package never share a token by accident.
import { DEPOSIT_NOTIFICATION_PATH } from '@diamondpay/core';

/** Injection token of the module options (`DiamondPayModuleOptions`). */
export const DIAMONDPAY_OPTIONS: unique symbol = Symbol('DIAMONDPAY_OPTIONS');

/** Injection token of the configured `DiamondPay` client; see `@InjectDiamondPay()`. */
export const DIAMONDPAY_CLIENT: unique symbol = Symbol('DIAMONDPAY_CLIENT');

/** Internal: the notification route as declared when the module was defined (path, decorators), or null. */
export const DIAMONDPAY_NOTIFICATION_ROUTE: unique symbol = Symbol('DIAMONDPAY_NOTIFICATION_ROUTE');

/** Metadata key set by `@OnDepositNotification()`. */
export const ON_DEPOSIT_NOTIFICATION: unique symbol = Symbol('DIAMONDPAY_ON_DEPOSIT_NOTIFICATION');

/** Metadata key set by `@OnPayoutNotification()`. */
export const ON_PAYOUT_NOTIFICATION: unique symbol = Symbol('DIAMONDPAY_ON_PAYOUT_NOTIFICATION');

/** Route path of the notification controller when `notifications.path` is not given. */
// Core's default path without the leading slash, as Nest route paths are written.
export const DEFAULT_NOTIFICATION_PATH = DEPOSIT_NOTIFICATION_PATH.slice(1);
