// The purchase as a shopper does it, in headless Chromium, through the NestJS demo.
import { describeBrowserPurchase } from '@diamondpay-demo/shop/testing';
import { startApp } from './app.js';

describeBrowserPurchase('nestjs-demo', (config) => startApp(config, undefined, false));
