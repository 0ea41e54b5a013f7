// The purchase and the refunds every demo shares (see @diamondpay-demo/shop/testing), through the Hono demo.
import { describeDemoPurchase, describeDemoRefunds } from '@diamondpay-demo/shop/testing';
import { REFUND_NOTIFICATION_PATH, startApp } from './app.js';

describeDemoPurchase('hono-demo', startApp);
describeDemoRefunds('hono-demo', startApp, REFUND_NOTIFICATION_PATH);
