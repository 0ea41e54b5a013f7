import {
  DiamondPay,
  type DiamondPayConfig,
  DiamondPayValidationError,
  diamondPay,
  MemoryLedger,
} from '@diamondpay/hono';
import { type Sandbox, startSandbox } from '@diamondpay/sandbox';
import { Hono } from 'hono';
import { env } from 'hono/adapter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLATFORM_ID, PLATFORM_KEY } from './test-support.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ timeScale: 0.001, seed: 1 });
});
afterAll(() => sb.close());

let nextId = 0;
const orderId = () => `hono-dp-${Date.now()}-${++nextId}`;

describe('diamondPay middleware', () => {
  it('puts one configured client on c.var.diamondPay and creates a deposit with it', async () => {
    const seen: DiamondPay[] = [];
    const app = new Hono().use('/api/*', diamondPay({ baseUrl: sb.url, ...sb.merchant }));
    app.post('/api/deposits', async (c) => {
      seen.push(c.var.diamondPay);
      const id = orderId();
      const created = await c.var.diamondPay.deposits.create({
        service_id: 'SVC0015',
        payment_cl_id: id,
        amount: 50_000_000,
        notify_url: 'http://127.0.0.1:9/notify',
      });
      return c.json(created, 201);
    });
    app.get('/api/balance', async (c) => {
      seen.push(c.get('diamondPay'));
      return c.json(await c.var.diamondPay.platforms.balance());
    });

    const res = await app.request('/api/deposits', { method: 'POST' });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { payment_cl_id: string; link: string; amount: number };
    expect(created.amount).toBe(50_000_000);
    expect(created.link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/cashier\//);
    expect(sb.order(created.payment_cl_id)?.amount).toBe(50_000_000);
    const balance = await app.request('/api/balance');
    expect(((await balance.json()) as { platform_id: string }).platform_id).toBe('PF0002');

    expect(seen).toHaveLength(2);
    expect(seen[0]).toBeInstanceOf(DiamondPay);
    expect(seen[1]).toBe(seen[0]);
  });

  it('throws at startup on invalid static options, naming the field but never the key', () => {
    const config = { baseUrl: 'not a url', platformId: PLATFORM_ID, platformKey: PLATFORM_KEY };
    expect(() => diamondPay(config)).toThrowError(DiamondPayValidationError);
    expect(() => diamondPay(config)).toThrowError(/baseUrl/);
    try {
      diamondPay(config);
    } catch (error) {
      expect((error as Error).message).not.toContain(PLATFORM_KEY);
    }
  });

  describe('with a function of c (edge secrets)', () => {
    type Bindings = { GATEWAY_URL: string; PLATFORM_ID: string; PLATFORM_KEY: string; AUTHORIZATION: string };
    const seen: DiamondPay[] = [];
    const failures: unknown[] = [];
    const app = new Hono<{ Bindings: Bindings }>().use(
      '*',
      diamondPay((c) => {
        // On Workers env(c) is c.env; under Node it is process.env, so name the runtime to read the bindings.
        const e = env<Bindings>(c, 'workerd');
        return {
          baseUrl: e.GATEWAY_URL,
          platformId: e.PLATFORM_ID,
          platformKey: e.PLATFORM_KEY,
          authorization: e.AUTHORIZATION,
        } satisfies DiamondPayConfig;
      }),
    );
    app.onError((error, c) => {
      failures.push(error);
      return c.text('failed', 500);
    });
    app.get('/balance', async (c) => {
      seen.push(c.var.diamondPay);
      return c.json(await c.var.diamondPay.platforms.balance());
    });
    const bindings = (): Bindings => ({
      GATEWAY_URL: sb.url,
      PLATFORM_ID: sb.merchant.platformId,
      PLATFORM_KEY: sb.merchant.platformKey,
      AUTHORIZATION: sb.merchant.authorization,
    });

    it('reads the options per request but reuses the client while they do not change', async () => {
      seen.length = 0;
      for (let i = 0; i < 3; i++) {
        const res = await app.request('/balance', {}, bindings());
        expect(res.status).toBe(200);
      }
      expect(seen).toHaveLength(3);
      expect(seen[0]).toBeInstanceOf(DiamondPay);
      expect(seen[1]).toBe(seen[0]);
      expect(seen[2]).toBe(seen[0]);
    });

    it('builds a new client when a secret changes, without the secret showing in the client', async () => {
      seen.length = 0;
      await app.request('/balance', {}, bindings());
      const res = await app.request('/balance', {}, { ...bindings(), AUTHORIZATION: 'revoked-token' });
      expect(res.status).toBe(500);
      expect((failures.at(-1) as { code?: string }).code).toBe('authentication_error');
      expect(seen).toHaveLength(2);
      expect(seen[1]).not.toBe(seen[0]);
      const shown = `${String(seen[1])} ${JSON.stringify(seen[1])}`;
      expect(shown).not.toContain(PLATFORM_KEY);
      expect(shown).not.toContain('revoked-token');
    });

    it('fails the request with the configuration error when the bindings are missing', async () => {
      failures.length = 0;
      const res = await app.request('/balance', {}, {});
      expect(res.status).toBe(500);
      expect(failures).toHaveLength(1);
      expect(failures[0]).toBeInstanceOf(DiamondPayValidationError);
      expect((failures[0] as DiamondPayValidationError).code).toBe('configuration_error');
    });
  });
});

describe('diamondPay() options function: every client option keys the client', () => {
  // Regression: the cache key left out `ledger`, `resendUnknown` and `settleMs`, so a tenant's create
  // went through the client (and the outbox) built for another tenant's ledger.
  it('records each create in the ledger its own options name', async () => {
    const ledgers = { a: new MemoryLedger(), b: new MemoryLedger() };
    type E = { Bindings: { TENANT: 'a' | 'b' } };
    const app = new Hono<E>()
      .use(diamondPay<E>((c) => ({ baseUrl: sb.url, ...sb.merchant, ledger: ledgers[c.env.TENANT] })))
      .post('/deposits/:id', async (c) =>
        c.json(
          await c.var.diamondPay.deposits.create({
            service_id: 'SVC0015',
            payment_cl_id: c.req.param('id'),
            amount: 50_000_000,
            notify_url: 'http://127.0.0.1:9/notify',
          }),
        ),
      );
    const ids = { a: orderId(), b: orderId() };
    for (const tenant of ['a', 'b'] as const) {
      const res = await app.request(`/deposits/${ids[tenant]}`, { method: 'POST' }, { TENANT: tenant });
      expect(res.status).toBe(200);
    }
    const ref = (cl_id: string) => ({ kind: 'deposit' as const, platform_id: sb.merchant.platformId, cl_id });
    expect(await ledgers.a.getOrder(ref(ids.a))).toMatchObject({ create_state: 'created' });
    expect(await ledgers.b.getOrder(ref(ids.b))).toMatchObject({ create_state: 'created' });
    expect(await ledgers.a.getOrder(ref(ids.b))).toBeUndefined();
  });

  it('builds another client when only resendUnknown or settleMs differ', async () => {
    const seen: DiamondPay[] = [];
    type E = { Bindings: Pick<DiamondPayConfig, 'resendUnknown' | 'settleMs'> };
    const app = new Hono<E>()
      .use(diamondPay<E>((c) => ({ baseUrl: sb.url, ...sb.merchant, ...c.env })))
      .get('/', (c) => {
        seen.push(c.var.diamondPay);
        return c.text('ok');
      });
    await app.request('/', {}, {});
    await app.request('/', {}, { resendUnknown: true });
    await app.request('/', {}, { settleMs: 5 });
    await app.request('/', {}, {});
    expect(new Set(seen).size).toBe(3);
    expect(seen[3]).toBe(seen[0]);
  });
});

describe('diamondPay() without options: DIAMONDPAY_* from env(c)', () => {
  // Under Node, env(c) is process.env; on workerd it is c.env (edge.test.ts runs that case).
  const names = [
    'DIAMONDPAY_BASE_URL',
    'DIAMONDPAY_PLATFORM_ID',
    'DIAMONDPAY_PLATFORM_KEY',
    'DIAMONDPAY_AUTHORIZATION',
  ] as const;
  const saved = names.map((n) => process.env[n]);
  afterAll(() => {
    names.forEach((n, i) => {
      if (saved[i] === undefined) delete process.env[n];
      else process.env[n] = saved[i];
    });
  });
  const seen: DiamondPay[] = [];
  const failures: unknown[] = [];
  const app = new Hono().use(diamondPay()).get('/balance', async (c) => {
    seen.push(c.var.diamondPay);
    return c.json(await c.var.diamondPay.platforms.balance());
  });
  app.onError((error, c) => {
    failures.push(error);
    return c.text('failed', 500);
  });

  it('builds the client from the environment and reuses it while it does not change', async () => {
    process.env.DIAMONDPAY_BASE_URL = sb.url;
    process.env.DIAMONDPAY_PLATFORM_ID = sb.merchant.platformId;
    process.env.DIAMONDPAY_PLATFORM_KEY = sb.merchant.platformKey;
    process.env.DIAMONDPAY_AUTHORIZATION = sb.merchant.authorization;
    for (let i = 0; i < 2; i++) {
      const res = await app.request('/balance');
      expect(res.status).toBe(200);
      expect(((await res.json()) as { platform_id: string }).platform_id).toBe(PLATFORM_ID);
    }
    expect(seen).toHaveLength(2);
    expect(seen[1]).toBe(seen[0]);
  });

  it('fails the request with a configuration error naming the missing variable, never the key', async () => {
    delete process.env.DIAMONDPAY_BASE_URL;
    process.env.DIAMONDPAY_PLATFORM_KEY = PLATFORM_KEY;
    failures.length = 0;
    const res = await app.request('/balance');
    expect(res.status).toBe(500);
    expect(failures[0]).toBeInstanceOf(DiamondPayValidationError);
    const error = failures[0] as DiamondPayValidationError;
    expect(error.code).toBe('configuration_error');
    expect(error.issues.map((i) => i.field)).toEqual(['DIAMONDPAY_BASE_URL']);
    expect(error.message).not.toContain(PLATFORM_KEY);
  });
});
