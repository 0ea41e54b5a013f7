import { DEPOSIT_NOTIFICATION_PATH } from '@diamondpay/nestjs';

/** Where the gateway POSTs deposit notifications (the module's notification route): core's default. */
export const NOTIFICATION_PATH = DEPOSIT_NOTIFICATION_PATH;
