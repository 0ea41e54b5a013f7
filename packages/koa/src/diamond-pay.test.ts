// The client middleware: one client for the app's lifetime, on ctx.state, usable against the sandbox.
import { type Sandbox, startSandbox } from '@diamondpay/sandbox';
import Koa from 'koa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DiamondPay, diamondPay, isDiamondPayError } from './index.js';
import { listen, type Running } from './test-support.js';

let sb: Sandbox;
const running: Running[] = [];
beforeAll(async () => {
  sb = await startSandbox({ timeScale: 0.001, seed: 3 });
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
});
afterAll(async () => {
  await sb.close();
});

describe('diamondPay middleware', () => {
  it('puts one client on ctx.state for every request and it talks to the gateway', async () => {
    const seen: DiamondPay[] = [];
    const app = new Koa();
    app.use(diamondPay({ baseUrl: sb.url, ...sb.merchant }));
    app.use(async (ctx) => {
      seen.push(ctx.state.diamondPay);
      const balance = await ctx.state.diamondPay.platforms.balance();
      ctx.body = { platform_id: balance.platform_id };
    });
    const server = await listen(app);
    running.push(server);
    for (let i = 0; i < 3; i++) {
      const res = await fetch(server.url);
      expect(await res.json()).toEqual({ platform_id: 'PF0002' });
    }
    expect(seen).toHaveLength(3);
    expect(seen[0]).toBeInstanceOf(DiamondPay);
    expect(new Set(seen).size).toBe(1);
  });

  it('accepts an existing client', async () => {
    const client = new DiamondPay({ baseUrl: sb.url, ...sb.merchant });
    const app = new Koa();
    let got: unknown;
    app.use(diamondPay(client));
    app.use((ctx) => {
      got = ctx.state.diamondPay;
      ctx.status = 204;
    });
    const server = await listen(app);
    running.push(server);
    expect((await fetch(server.url)).status).toBe(204);
    expect(got).toBe(client);
  });

  it('refuses a bad configuration at startup, without echoing the key', () => {
    let error: unknown;
    try {
      diamondPay({ baseUrl: 'not a url', platformId: 'PF0002', platformKey: ' SecretWithSpace ' });
    } catch (e) {
      error = e;
    }
    expect(isDiamondPayError(error)).toBe(true);
    expect(String((error as Error).message)).toContain('baseUrl');
    expect(String((error as Error).message)).toContain('platformKey');
    expect(String((error as Error).message)).not.toContain('SecretWithSpace');
  });
});
