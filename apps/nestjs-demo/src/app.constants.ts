import { DEPOSIT_NOTIFICATION_PATH } from '@diamondpay/nestjs';

/** Where the gateway POSTs deposit notifications (the module's notification route): core's default. */
export const NOTIFICATION_PATH = DEPOSIT_NOTIFICATION_PATH;

/**
 * Where the gateway POSTs the refunds' payout notifications: the module serves one notification
 * route (one `notifications.path`), and core's receiver routes each notification by kind to the
 * `@OnDepositNotification()` or the `@OnPayoutNotification()` method.
 */
export const REFUND_NOTIFICATION_PATH = NOTIFICATION_PATH;
