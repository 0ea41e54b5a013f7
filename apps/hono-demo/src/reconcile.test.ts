// The reconciler shared by every demo (see @diamondpay-demo/shop/testing), through the Hono demo.
import { describeDemoReconciliation } from '@diamondpay-demo/shop/testing';
import { startApp } from './app.js';

describeDemoReconciliation('hono-demo', startApp);
