// `pnpm dev`: a local sandbox gateway (unless DIAMONDPAY_BASE_URL is set) and the shop.
import { runDev } from '@diamondpay-demo/shop';
import { startApp } from './app.js';

await runDev(startApp);
