// A demo app in front of its own fresh sandbox gateway, for the length of one describe block.
import { type Sandbox, startSandbox } from '@diamondpay/sandbox';
import { afterAll, beforeAll } from 'vitest';
import { loadShopConfig, type ShopConfig } from '../config.js';
import type { Shop } from '../orders.js';
import type { ShopStorage } from '../storage.js';

/** What a demo's startApp gives back, as far as the shared tests need it. */
export interface DemoApp {
  url: string;
  shop: Shop;
  /** The demo's storage (its ledger and database), when it has one. */
  storage?: ShopStorage;
  close(): Promise<void>;
}

/** Starts a demo on `config` (each demo's own startApp: orders and ledger in its shop database). */
export type StartDemo = (config: ShopConfig) => Promise<DemoApp>;

/** Where every demo serves deposit notifications. */
export const NOTIFICATION_PATH = '/diamondpay/notifications/deposit';

/** The running sandbox and app; read them inside tests (they exist once beforeAll has run). */
export interface DemoFixture {
  readonly sandbox: Sandbox;
  readonly app: DemoApp;
}

/**
 * Registers beforeAll/afterAll in the calling describe block: a sandbox (timeScale 0.001, seed 1)
 * and the demo on a free loopback port, pointed at it with an otherwise empty env (the defaults).
 */
export function useSandboxedDemo(
  start: StartDemo,
  /** Changes the demo's configuration (e.g. a fast reconciler). */
  configure: (config: ShopConfig) => ShopConfig = (c) => c,
): DemoFixture {
  let sandbox: Sandbox | undefined;
  let app: DemoApp | undefined;
  beforeAll(async () => {
    sandbox = await startSandbox({ timeScale: 0.001, seed: 1 });
    const config = loadShopConfig(
      {},
      // A lost create answer is checked 200 ms later (the sandbox has processed it by then).
      { host: '127.0.0.1', port: 0, gateway: { baseUrl: sandbox.url, ...sandbox.merchant, settleMs: 200 } },
    );
    app = await start(configure(config));
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
  });
  return {
    get sandbox() {
      if (!sandbox) throw new Error('the sandbox is not running (read it inside a test)');
      return sandbox;
    },
    get app() {
      if (!app) throw new Error('the demo app is not running (read it inside a test)');
      return app;
    },
  };
}
