// The purchase and the refunds every demo shares (see @diamondpay-demo/shop/testing), through the Koa demo, and
// what only the Koa demo's createApp asks for.
import { loadShopConfig } from '@diamondpay-demo/shop';
import { describeDemoPurchase, describeDemoRefunds } from '@diamondpay-demo/shop/testing';
import { describe, expect, it } from 'vitest';
import { createApp, REFUND_NOTIFICATION_PATH, startApp } from './app.js';

describeDemoPurchase('koa-demo', startApp);
describeDemoRefunds('koa-demo', startApp, REFUND_NOTIFICATION_PATH);

describe('koa-demo createApp', () => {
  it('needs a notify URL it can give the gateway', () => {
    expect(() => createApp(loadShopConfig({}, { port: 0 }))).toThrow(/publicUrl/);
  });
});
