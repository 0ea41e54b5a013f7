// The reconciler shared by every demo (see @diamondpay-demo/shop/testing), through the NestJS demo
// (its module runs the reconciler with the app's lifecycle).
import { describeDemoReconciliation } from '@diamondpay-demo/shop/testing';
import { startApp } from './app.js';

describeDemoReconciliation('nestjs-demo', (config) => startApp(config, undefined, false));
