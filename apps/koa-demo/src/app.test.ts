// The purchase every demo shares (see @diamondpay-demo/shop/testing), through the Koa demo, and
// what only the Koa demo's createApp asks for.
import { loadShopConfig } from '@diamondpay-demo/shop';
import { describeDemoPurchase } from '@diamondpay-demo/shop/testing';
import { describe, expect, it } from 'vitest';
import { createApp, startApp } from './app.js';

describeDemoPurchase('koa-demo', startApp);

describe('koa-demo createApp', () => {
  it('needs a notify URL it can give the gateway', () => {
    expect(() => createApp(loadShopConfig({}, { port: 0 }))).toThrow(/publicUrl/);
  });
});
