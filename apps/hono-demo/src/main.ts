// `pnpm --filter hono-demo start`: the shop (PORT, default 3000) against the gateway configured in the environment.
import { runStart } from '@diamondpay-demo/shop';
import { startApp } from './app.js';

await runStart(startApp, 'hono-demo');
