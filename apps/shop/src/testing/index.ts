// @diamondpay-demo/shop/testing: the tests the three demos share, and the browser they run in.
export { describeBrowserPurchase } from './browser-purchase.js';
export { CHROMIUM_ARGS, launchChromium, screenshotPath } from './chromium.js';
export { describeDemoPurchase } from './demo-purchase.js';
export { describeDemoReconciliation } from './demo-reconcile.js';
export { describeDemoRefunds } from './demo-refunds.js';
export {
  type DemoApp,
  type DemoFixture,
  NOTIFICATION_PATH,
  type StartDemo,
  useSandboxedDemo,
} from './fixture.js';
