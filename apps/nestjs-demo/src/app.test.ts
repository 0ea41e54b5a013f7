// The purchase every demo shares (see @diamondpay-demo/shop/testing), through the NestJS demo.
import { describeDemoPurchase } from '@diamondpay-demo/shop/testing';
import { startApp } from './app.js';

describeDemoPurchase('nestjs-demo', (config) => startApp(config, undefined, false));
