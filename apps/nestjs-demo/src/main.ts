// `pnpm --filter nestjs-demo start`: the shop against the gateway configured in the environment.
import { loadShopConfig } from '@diamondpay-demo/shop';
import { startApp } from './app.js';

const app = await startApp(loadShopConfig());
console.log(`nestjs-demo listening on ${app.url}`);
const stop = () => void app.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
