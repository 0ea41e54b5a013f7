// `pnpm --filter <demo> dev`: a local sandbox (unless DIAMONDPAY_BASE_URL points elsewhere, on
// SANDBOX_PORT, default 4010) and the app (on PORT, default 3000). `start`: the app alone, against the
// configured gateway. Either prints which duplicate store it uses; a busy port or an unreachable Redis
// is one line and exit 1; Ctrl-C (SIGINT) or SIGTERM stops everything and exits 0.
import { startSandbox } from '@diamondpay/sandbox';
import { loadShopConfig, type ShopConfig } from './config.js';
import { describeNotificationStore } from './notification-store.js';
import { exitOnStartupError, explainStartupError, ShopStartupError } from './startup.js';

export type StartApp = (config: ShopConfig) => Promise<{ url: string; close(): Promise<void> }>;

type Closable = { close(): Promise<void> };

function portFrom(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const text = env[name];
  const port = Number(text ?? fallback);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ShopStartupError(`${name} must be a port number from 0 to 65535, got ${JSON.stringify(text)}`);
  return port;
}

function stopOnSignal(running: Closable[]): void {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    // Exit 0 even if a close fails: the process is going away at the user's request.
    void Promise.allSettled(running.map((r) => r.close())).then(() => process.exit(0));
  };
  // `on`, not `once`: a Ctrl-C reaches the process twice (the terminal signals the whole process
  // group, and tsx relays it to its child again); a second signal with no listener left would end the
  // process with 130 in the middle of closing.
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

export async function runDev(start: StartApp, name = 'shop'): Promise<void> {
  const env = process.env;
  const running: Closable[] = [];
  // Listening before anything starts: a Ctrl-C during startup (the shop boots its database first)
  // still closes what runs and exits 0, instead of meeting no handler.
  stopOnSignal(running);
  try {
    let baseUrl: string | undefined;
    if (!env.DIAMONDPAY_BASE_URL) {
      const port = portFrom(env, 'SANDBOX_PORT', 4010);
      const sandbox = await startSandbox({ port, host: '127.0.0.1' }).catch((error: unknown) => {
        throw explainStartupError(error, 'sandbox gateway', port, 'SANDBOX_PORT');
      });
      running.push(sandbox);
      baseUrl = sandbox.url;
      console.log(`sandbox gateway: ${sandbox.url}  (merchant ${sandbox.merchant.platformId}, SANDBOX_PORT)`);
    }
    await startShop(start, name, baseUrl, running);
  } catch (error) {
    await Promise.allSettled(running.map((r) => r.close()));
    exitOnStartupError(error);
  }
}

/** `pnpm --filter <demo> start`: the shop alone, against the gateway of DIAMONDPAY_BASE_URL. */
export async function runStart(start: StartApp, name = 'shop'): Promise<void> {
  const running: Closable[] = [];
  stopOnSignal(running);
  try {
    await startShop(start, name, undefined, running);
  } catch (error) {
    await Promise.allSettled(running.map((r) => r.close()));
    exitOnStartupError(error);
  }
}

async function startShop(start: StartApp, name: string, baseUrl: string | undefined, running: Closable[]) {
  const env = process.env;
  const port = portFrom(env, 'PORT', 3000);
  const base = loadShopConfig(env);
  const config: ShopConfig = { ...base, port, gateway: { ...base.gateway, ...(baseUrl ? { baseUrl } : {}) } };
  console.log(`duplicate store: ${describeNotificationStore(config)}`);
  const app = await start(config).catch((error: unknown) => {
    throw explainStartupError(error, name, port, 'PORT');
  });
  running.push(app);
  console.log(`${name}: ${app.url}  (PORT)`);
}
