// The purchase every demo shares (see @diamondpay-demo/shop/testing), through the Hono demo.
import { describeDemoPurchase } from '@diamondpay-demo/shop/testing';
import { startApp } from './app.js';

describeDemoPurchase('hono-demo', startApp);
