/** Where the gateway POSTs deposit notifications (the module's notification route). */
export const NOTIFICATION_PATH = '/diamondpay/notifications/deposit';
