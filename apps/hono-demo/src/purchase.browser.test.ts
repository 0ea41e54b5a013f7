// The purchase as a shopper does it, in headless Chromium, through the Hono demo.
import { describeBrowserPurchase } from '@diamondpay-demo/shop/testing';
import { startApp } from './app.js';

describeBrowserPurchase('hono-demo', startApp);
