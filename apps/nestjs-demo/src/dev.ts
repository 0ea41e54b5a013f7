// `pnpm --filter nestjs-demo dev`: a local sandbox gateway (SANDBOX_PORT, default 4010) plus the shop (PORT, default 3000).
import { runDev } from '@diamondpay-demo/shop';
import { startApp } from './app.js';

await runDev(startApp, 'nestjs-demo');
