// `pnpm --filter <demo> dev`: a local sandbox (unless DIAMONDPAY_BASE_URL points elsewhere) and the app.
import { startSandbox } from '@diamondpay/sandbox';
import { loadShopConfig, type ShopConfig } from './config.js';

export type StartApp = (config: ShopConfig) => Promise<{ url: string; close(): Promise<void> }>;

export async function runDev(start: StartApp): Promise<void> {
  const env = process.env;
  let sandbox: Awaited<ReturnType<typeof startSandbox>> | undefined;
  if (!env.DIAMONDPAY_BASE_URL) {
    sandbox = await startSandbox({ port: Number(env.SANDBOX_PORT ?? 4010), host: '127.0.0.1' });
    console.log(`sandbox gateway: ${sandbox.url}  (merchant ${sandbox.merchant.platformId})`);
  }
  const config = loadShopConfig(
    env,
    sandbox ? { gateway: { ...loadShopConfig(env).gateway, baseUrl: sandbox.url } } : {},
  );
  const app = await start(config);
  console.log(`shop: ${app.url}`);
  const stop = async () => {
    await app.close();
    await sandbox?.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
