// The purchase and the refunds every demo shares (see @diamondpay-demo/shop/testing), through the NestJS demo.
import { describeDemoPurchase, describeDemoRefunds } from '@diamondpay-demo/shop/testing';
import { REFUND_NOTIFICATION_PATH, startApp } from './app.js';

describeDemoPurchase('nestjs-demo', (config) => startApp(config, undefined, false));
describeDemoRefunds('nestjs-demo', (config) => startApp(config, undefined, false), REFUND_NOTIFICATION_PATH);
