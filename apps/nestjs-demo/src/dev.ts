// `pnpm --filter nestjs-demo dev`: a local sandbox gateway plus the shop.
import { runDev } from '@diamondpay-demo/shop';
import { startApp } from './app.js';

await runDev(startApp);
