// The notification route's shape and routing, on Express and Fastify: payouts to @OnPayoutNotification(),
// deposits to @OnDepositNotification(), any other method 405 with Allow: POST, and with forRootAsync the
// path and decorators taken from the options factory.
import 'reflect-metadata';
import { depositFields, payoutFields, signedBody } from '@diamondpay-internal/test-signer';
import {
  type CanActivate,
  type ExecutionContext,
  type INestApplication,
  Inject,
  Injectable,
  SetMetadata,
} from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type DepositNotification,
  DiamondPayModule,
  OnDepositNotification,
  OnPayoutNotification,
  type PayoutNotification,
} from './index.js';

const connection = {
  baseUrl: 'http://127.0.0.1:9',
  platformId: 'PF0002',
  platformKey: 'ThisIsYourSecretKey123',
};
const ACK = '{"error_code":"0000"}';
const IS_PUBLIC = 'test:routing:isPublic';
const Public = () => SetMetadata(IS_PUBLIC, true);

@Injectable()
class DenyAllGuard implements CanActivate {
  constructor(@Inject(Reflector) private readonly reflector: Reflector) {}
  canActivate(context: ExecutionContext): boolean {
    return this.reflector.getAllAndOverride(IS_PUBLIC, [context.getHandler(), context.getClass()]) === true;
  }
}

@Injectable()
class Handlers {
  readonly deposits: DepositNotification[] = [];
  readonly payouts: PayoutNotification[] = [];
  @OnDepositNotification()
  onDeposit(n: DepositNotification): void {
    this.deposits.push(n);
  }
  @OnPayoutNotification()
  onPayout(n: PayoutNotification): void {
    this.payouts.push(n);
  }
}

const apps: INestApplication[] = [];
afterAll(async () => {
  for (const app of apps) await app.close();
});

async function listen(dp: unknown, platform: 'express' | 'fastify', guard = false) {
  const moduleRef = await Test.createTestingModule({
    imports: [dp as never],
    providers: [Handlers, ...(guard ? [{ provide: APP_GUARD, useClass: DenyAllGuard }] : [])],
  }).compile();
  const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter();
  const app = moduleRef.createNestApplication(adapter as never, { logger: false });
  apps.push(app);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, handlers: app.get(Handlers) };
}

const post = (url: string, body: string) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe.each(['express', 'fastify'] as const)('%s', (platform) => {
  it('routes payouts to @OnPayoutNotification() and deposits to @OnDepositNotification()', async () => {
    const { url, handlers } = await listen(
      DiamondPayModule.forRoot({ ...connection, notifications: true }),
      platform,
    );
    const route = `${url}/diamondpay/notifications/deposit`;
    const payout = await post(route, signedBody(payoutFields({ payout_cl_id: 'po-1' })));
    expect([payout.status, await payout.text()]).toEqual([200, ACK]);
    const deposit = await post(route, signedBody(depositFields({ payment_cl_id: 'ord-1' })));
    expect([deposit.status, await deposit.text()]).toEqual([200, ACK]);
    expect(handlers.payouts.map((n) => [n.kind, n.payout_cl_id])).toEqual([['payout', 'po-1']]);
    expect(handlers.deposits.map((n) => [n.kind, n.payment_cl_id])).toEqual([['deposit', 'ord-1']]);
  });

  it('answers any other method on the route with 405 and Allow: POST, from core', async () => {
    const { url, handlers } = await listen(
      DiamondPayModule.forRoot({ ...connection, notifications: true }),
      platform,
    );
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const res = await fetch(`${url}/diamondpay/notifications/deposit`, { method });
      expect(res.status, method).toBe(405);
      expect(res.headers.get('allow'), method).toBe('POST');
      expect(JSON.parse(await res.text()).error_code, method).toBe('method_not_allowed');
    }
    expect(handlers.deposits).toHaveLength(0);
  });

  it('forRootAsync: takes the path and the decorators from the options factory', async () => {
    const dp = DiamondPayModule.forRootAsync({
      useFactory: async () => ({
        ...connection,
        notifications: { path: 'hooks/from-factory', decorators: [Public()] },
      }),
      notifications: true,
    });
    const { url, handlers } = await listen(dp, platform, true);
    const res = await post(
      `${url}/hooks/from-factory`,
      signedBody(depositFields({ payment_cl_id: 'ord-2' })),
    );
    expect([res.status, await res.text()]).toEqual([200, ACK]);
    expect(handlers.deposits.map((n) => n.payment_cl_id)).toEqual(['ord-2']);
    expect((await post(`${url}/diamondpay/notifications/deposit`, '{}')).status).toBe(404);
  });
});

describe('forRootAsync route options', () => {
  it('refuses a factory path that differs from the declared one, naming both', async () => {
    const dp = DiamondPayModule.forRootAsync({
      useFactory: () => ({ ...connection, notifications: { path: 'b' } }),
      notifications: { path: 'a' },
    });
    const message = await listen(dp, 'express').then(
      () => 'no error',
      (e: Error) => e.message,
    );
    expect(message).toContain('"b"');
    expect(message).toContain('"a"');
  });

  it('fails at startup with two payout handlers, naming both', async () => {
    @Injectable()
    class Other {
      @OnPayoutNotification()
      handle(): void {}
    }
    const moduleRef = await Test.createTestingModule({
      imports: [DiamondPayModule.forRoot({ ...connection, notifications: true })],
      providers: [Handlers, Other],
    }).compile();
    const app = moduleRef.createNestApplication(new ExpressAdapter() as never, { logger: false });
    apps.push(app);
    const message = await app.init().then(
      () => 'no error',
      (e: Error) => e.message,
    );
    expect(message).toContain('@OnPayoutNotification()');
    expect(message).toContain('Handlers.onPayout()');
    expect(message).toContain('Other.handle()');
  });
});
