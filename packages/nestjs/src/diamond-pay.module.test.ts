import 'reflect-metadata';
import { type DepositNotification, DiamondPay, type ReceiveResult } from '@diamondpay/core';
import { type Sandbox, startSandbox } from '@diamondpay/sandbox';
import { independentSign } from '@diamondpay-internal/test-signer';
import {
  type ArgumentsHost,
  Body,
  type CanActivate,
  Catch,
  Controller,
  type ExceptionFilter,
  type ExecutionContext,
  Get,
  HttpException,
  type INestApplication,
  Inject,
  Injectable,
  Post,
  SetMetadata,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD, HttpAdapterHost, Reflector } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DIAMONDPAY_CLIENT,
  DiamondPayModule,
  type DiamondPayOptionsFactory,
  DiamondPayService,
  InjectDiamondPay,
  OnDepositNotification,
} from './index.js';

// Values from the gateway docs, not from the code under test.
const PLATFORM_ID = 'PF0002';
const PLATFORM_KEY = 'ThisIsYourSecretKey123';
const ACK = '{"error_code":"0000"}';
const PATH = '/diamondpay/notifications/deposit';

const IS_PUBLIC = 'test:isPublic';
const Public = () => SetMetadata(IS_PUBLIC, true);

@Injectable()
class DenyAllGuard implements CanActivate {
  constructor(@Inject(Reflector) private readonly reflector: Reflector) {}
  canActivate(context: ExecutionContext): boolean {
    return this.reflector.getAllAndOverride(IS_PUBLIC, [context.getHandler(), context.getClass()]) === true;
  }
}

@Catch()
class RecordingFilter implements ExceptionFilter {
  static seen: unknown[] = [];
  constructor(@Inject(HttpAdapterHost) private readonly host: HttpAdapterHost) {}
  catch(exception: unknown, context: ArgumentsHost): void {
    RecordingFilter.seen.push(exception);
    const status = exception instanceof HttpException ? exception.getStatus() : 500;
    this.host.httpAdapter.reply(context.switchToHttp().getResponse(), { filtered: true }, status);
  }
}

@Controller('private')
class PrivateController {
  @Get()
  get(): string {
    return 'secret';
  }
}

@Public()
@Controller('echo')
class EchoController {
  @Post()
  echo(@Body() body: unknown): unknown {
    return body;
  }
}

@Injectable()
class Orders {
  readonly handled: DepositNotification[] = [];
  readonly requests: unknown[] = [];
  attempts = 0;
  readonly failFirst = new Set<string>();

  @OnDepositNotification()
  async onDeposit(notification: DepositNotification, request: unknown): Promise<void> {
    this.attempts++;
    this.requests.push(request);
    await new Promise((r) => setTimeout(r, 5));
    if (this.failFirst.delete(notification.payment_cl_id)) throw new Error('handler boom');
    this.handled.push(notification);
  }

  count(paymentClId: string): number {
    return this.handled.filter((n) => n.payment_cl_id === paymentClId).length;
  }
}

type Platform = 'express' | 'fastify';
interface Case {
  mode: 'forRoot' | 'forRootAsync';
  platform: Platform;
  rawBody: boolean;
}

const cases: Case[] = [];
for (const mode of ['forRoot', 'forRootAsync'] as const)
  for (const platform of ['express', 'fastify'] as const)
    for (const rawBody of [true, false]) cases.push({ mode, platform, rawBody });

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ timeScale: 0.001, seed: 1 });
});
afterAll(async () => {
  await sandbox?.close();
});

function connection() {
  return {
    baseUrl: sandbox.url,
    platformId: PLATFORM_ID,
    platformKey: PLATFORM_KEY,
    authorization: sandbox.merchant.authorization,
    maxRetries: 0,
  };
}

async function listen(
  imports: unknown[],
  platform: Platform,
  appOptions: { rawBody?: boolean; bodyParser?: boolean },
  extraProviders: unknown[] = [],
): Promise<{ app: INestApplication; url: string }> {
  const moduleRef = await Test.createTestingModule({
    imports: imports as never[],
    controllers: [PrivateController, EchoController],
    providers: [
      Orders,
      { provide: APP_GUARD, useClass: DenyAllGuard },
      { provide: APP_FILTER, useClass: RecordingFilter },
      ...(extraProviders as never[]),
    ],
  }).compile();
  const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter();
  const app = moduleRef.createNestApplication(adapter as never, { logger: false, ...appOptions });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return { app, url: `http://127.0.0.1:${port}` };
}

let seq = 0;
function uniqueId(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${seq++}`;
}

async function signedBody(fields: Record<string, string | number>, key = PLATFORM_KEY): Promise<string> {
  const body: Record<string, string | number> = { ...fields, sign_type: 'HMAC-SHA256' };
  body.sign = independentSign(body, key);
  return JSON.stringify(body);
}

function depositFields(overrides: Record<string, string | number> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return {
    payment_id: uniqueId('P'),
    payment_cl_id: uniqueId('ord'),
    platform_id: PLATFORM_ID,
    amount: 5_000_000,
    real_amount: 5_000_000,
    fee: 0,
    status: 2,
    create_time: now - 60,
    update_time: now,
    ...overrides,
  };
}

async function post(url: string, body: string, contentType = 'application/json') {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: res.status, body: await res.text() };
}

describe.each(cases)('$mode · $platform · rawBody $rawBody', (c) => {
  let app: INestApplication;
  let url: string;
  let orders: Orders;
  let service: DiamondPayService;

  beforeAll(async () => {
    const notifications = { maxBodyBytes: 8192, decorators: [Public()] };
    const dp =
      c.mode === 'forRoot'
        ? DiamondPayModule.forRoot({ ...connection(), notifications })
        : DiamondPayModule.forRootAsync({
            useFactory: async () => ({ ...connection(), notifications: { maxBodyBytes: 8192 } }),
            notifications: { decorators: [Public()] },
          });
    ({ app, url } = await listen([dp], c.platform, { rawBody: c.rawBody }));
    orders = app.get(Orders);
    service = app.get(DiamondPayService);
  });
  afterAll(async () => {
    await app?.close();
  });
  beforeEach(() => {
    RecordingFilter.seen.length = 0;
  });

  it('creates a deposit through the service; the sandbox notification reaches the handler once', async () => {
    const id = uniqueId('ord');
    const created = await service.deposits.create({
      service_id: 'SVC0015',
      payment_cl_id: id,
      amount: 5_000_000,
      notify_url: `${url}${PATH}`,
    });
    expect(created.payment_cl_id).toBe(id);
    expect(created.link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/cashier\//);
    await sandbox.pay(id, { delivery: { duplicates: 3 } });
    const attempt = await sandbox.waitForDelivery(id, { timeoutMs: 10_000 });
    expect(attempt.httpStatus).toBe(200);
    expect(attempt.reply).toBe(ACK);
    await sandbox.idle();
    expect(orders.count(id)).toBe(1);
    const n = orders.handled.find((h) => h.payment_cl_id === id)!;
    expect(n).toMatchObject({
      kind: 'deposit',
      payment_id: created.payment_id,
      amount: 5_000_000,
      outcome: 'paid',
    });
    expect(orders.requests.at(-1)).toHaveProperty('headers');
    expect((await service.deposits.retrieve(id)).outcome).toBe('paid');
  });

  it('refuses a bad signature with 401', async () => {
    const res = await post(`${url}${PATH}`, await signedBody(depositFields(), 'NotTheKey'));
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body)).toMatchObject({ error_code: 'signature_invalid' });
  });

  it('refuses a notification for another platform_id with 401', async () => {
    const res = await post(`${url}${PATH}`, await signedBody(depositFields({ platform_id: 'PF9999' })));
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body)).toMatchObject({ error_code: 'platform_mismatch' });
  });

  it('refuses malformed JSON with 400', async () => {
    const res = await post(`${url}${PATH}`, '{"payment_id": "P1", ');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ error_code: 'notification_malformed' });
  });

  it('refuses an empty body with 400', async () => {
    const res = await post(`${url}${PATH}`, '');
    expect(res.status).toBe(400);
  });

  it('refuses a body over maxBodyBytes with 413', async () => {
    const body = await signedBody(depositFields({ payment_cl_name: 'x'.repeat(20_000) }));
    const res = await post(`${url}${PATH}`, body);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ error_code: 'notification_too_large' });
  });

  it('does not acknowledge a throwing handler; the retry succeeds and no exception filter sees it', async () => {
    const id = uniqueId('ord');
    await service.deposits.create({
      service_id: 'SVC0015',
      payment_cl_id: id,
      amount: 1_000_000,
      notify_url: `${url}${PATH}`,
    });
    orders.failFirst.add(id);
    await sandbox.pay(id);
    await sandbox.waitForDelivery(id, { timeoutMs: 10_000 });
    const attempts = sandbox.deliveries({ paymentClId: id });
    expect(attempts[0]).toMatchObject({ httpStatus: 500, acked: false });
    expect(attempts.filter((a) => a.acked)).toHaveLength(1);
    expect(orders.count(id)).toBe(1);
    expect(RecordingFilter.seen).toEqual([]);
  });

  it('runs the handler once for 20 concurrent copies, acknowledging each', async () => {
    const fields = depositFields();
    const body = await signedBody(fields);
    const replies = await Promise.all(Array.from({ length: 20 }, () => post(`${url}${PATH}`, body)));
    expect(replies.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(new Set(replies.map((r) => r.body))).toEqual(new Set([ACK]));
    expect(orders.count(fields.payment_cl_id)).toBe(1);
  });

  it('lets the notification route past a deny-all global guard through the decorators option', async () => {
    const denied = await fetch(`${url}/private`);
    expect(denied.status).toBe(403);
    const res = await post(`${url}${PATH}`, await signedBody(depositFields()));
    expect(res).toEqual({ status: 200, body: ACK });
  });

  it('refuses an oversized chunked body that is not JSON with 413', async () => {
    const chunks = Array.from({ length: 12 }, () => new Uint8Array(1024).fill(0x20));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(chunk);
        controller.close();
      },
    });
    const res = await fetch(`${url}${PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(JSON.parse(await res.text())).toMatchObject({ error_code: 'notification_too_large' });
  });

  it('leaves JSON parsing of other routes alone', async () => {
    const res = await post(`${url}/echo`, '{"a":1}');
    expect(JSON.parse(res.body)).toEqual({ a: 1 });
  });

  it('answers a non-JSON content type with 415', async () => {
    const res = await post(`${url}${PATH}`, 'payment_id=1', 'text/plain');
    expect(res.status).toBe(415);
  });
});

describe('raw body on Express, other setups', () => {
  const apps: INestApplication[] = [];
  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  it('reads the stream itself with bodyParser: false', async () => {
    const dp = DiamondPayModule.forRoot({ ...connection(), notifications: { decorators: [Public()] } });
    const { app, url } = await listen([dp], 'express', { bodyParser: false });
    apps.push(app);
    const fields = depositFields();
    expect(await post(`${url}${PATH}`, await signedBody(fields))).toEqual({ status: 200, body: ACK });
    expect(app.get(Orders).count(fields.payment_cl_id)).toBe(1);
  });

  it('never verifies a body an unknown parser consumed: 500 naming the fix, handler not run', async () => {
    const results: ReceiveResult[] = [];
    const dp = DiamondPayModule.forRoot({
      ...connection(),
      notifications: { decorators: [Public()], onResult: (result) => results.push(result) },
    });
    const moduleRef = await Test.createTestingModule({
      imports: [dp],
      providers: [Orders, { provide: APP_GUARD, useClass: DenyAllGuard }],
    }).compile();
    const app = moduleRef.createNestApplication(new ExpressAdapter() as never, { logger: false });
    apps.push(app);
    // A home-made parser, registered before Nest's: it consumes the body and keeps only the parsed value.
    app.use((req: any, _res: unknown, next: () => void) => {
      let text = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => {
        text += chunk;
      });
      req.on('end', () => {
        req.body = JSON.parse(text || '{}');
        next();
      });
    });
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as { port: number };
    const fields = depositFields();
    const res = await post(`http://127.0.0.1:${port}${PATH}`, await signedBody(fields));
    expect(res.status).toBe(500);
    expect(JSON.parse(res.body)).toMatchObject({ error_code: 'configuration_error' });
    expect(res.body).toContain('rawBody: true');
    expect(app.get(Orders).count(fields.payment_cl_id)).toBe(0);
    expect(results.map((r) => [r.outcome, r.status])).toEqual([['rejected', 500]]);
  });
});

describe('module wiring', () => {
  const apps: INestApplication[] = [];
  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  it('injects the same DiamondPay client through @InjectDiamondPay() and DiamondPayService', async () => {
    @Injectable()
    class Consumer {
      constructor(@InjectDiamondPay() readonly client: DiamondPay) {}
    }
    const moduleRef = await Test.createTestingModule({
      imports: [DiamondPayModule.forRoot({ ...connection() })],
      providers: [Consumer],
    }).compile();
    const consumer = moduleRef.get(Consumer);
    expect(consumer.client).toBeInstanceOf(DiamondPay);
    expect(moduleRef.get(DiamondPayService).client).toBe(consumer.client);
    expect(moduleRef.get(DIAMONDPAY_CLIENT)).toBe(consumer.client);
    expect(consumer.client.platformId).toBe(PLATFORM_ID);
    await moduleRef.close();
  });

  it('takes options from useClass and serves a custom path under a global prefix (Fastify)', async () => {
    @Injectable()
    class Options implements DiamondPayOptionsFactory {
      createDiamondPayOptions() {
        return { ...connection(), notifications: { retentionSeconds: 7_200 } };
      }
    }
    const moduleRef = await Test.createTestingModule({
      imports: [DiamondPayModule.forRootAsync({ useClass: Options, notifications: { path: 'hooks/dp' } })],
      providers: [Orders],
    }).compile();
    const app = moduleRef.createNestApplication(new FastifyAdapter() as never, { logger: false });
    apps.push(app);
    app.setGlobalPrefix('api');
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as { port: number };
    const res = await post(`http://127.0.0.1:${port}/api/hooks/dp`, await signedBody(depositFields()));
    expect(res).toEqual({ status: 200, body: ACK });
  });

  it('is global with isGlobal and useExisting', async () => {
    @Injectable()
    class Options implements DiamondPayOptionsFactory {
      createDiamondPayOptions() {
        return connection();
      }
    }
    const { Module } = await import('@nestjs/common');
    @Module({ providers: [Options], exports: [Options] })
    class OptionsModule {}
    @Injectable()
    class Consumer {
      constructor(@Inject(DiamondPayService) readonly diamondPay: DiamondPayService) {}
    }
    @Module({ providers: [Consumer] })
    class FeatureModule {}
    const moduleRef = await Test.createTestingModule({
      imports: [
        DiamondPayModule.forRootAsync({ imports: [OptionsModule], useExisting: Options, isGlobal: true }),
        FeatureModule,
      ],
    }).compile();
    expect(moduleRef.get(Consumer).diamondPay.deposits).toBeDefined();
    await moduleRef.close();
  });

  async function initError(imports: unknown[], providers: unknown[] = []): Promise<string> {
    const moduleRef = await Test.createTestingModule({
      imports: imports as never[],
      providers: providers as never[],
    }).compile();
    const app = moduleRef.createNestApplication(new ExpressAdapter() as never, { logger: false });
    apps.push(app);
    try {
      await app.init();
    } catch (error) {
      return (error as Error).message;
    }
    return 'no error';
  }

  it('fails at startup when notifications are enabled without a handler', async () => {
    const message = await initError([DiamondPayModule.forRoot({ ...connection(), notifications: {} })]);
    expect(message).toContain('@OnDepositNotification()');
  });

  it('fails at startup with two handlers', async () => {
    @Injectable()
    class Other {
      @OnDepositNotification()
      handle(): void {}
    }
    const message = await initError(
      [DiamondPayModule.forRoot({ ...connection(), notifications: {} })],
      [Orders, Other],
    );
    expect(message).toContain('Orders.onDeposit()');
    expect(message).toContain('Other.handle()');
  });

  it('fails when the async factory configures notifications without declaring the route', async () => {
    const message = await initError(
      [DiamondPayModule.forRootAsync({ useFactory: () => ({ ...connection(), notifications: {} }) })],
      [Orders],
    ).catch((e: Error) => e.message);
    expect(message).toContain('notifications: true');
  });

  it('fails on invalid connection options, naming the field', async () => {
    const message = await Test.createTestingModule({
      imports: [DiamondPayModule.forRoot({ ...connection(), platformKey: ' spaced ' })],
    })
      .compile()
      .then(
        () => 'no error',
        (e: Error) => e.message,
      );
    expect(message).toMatch(/platformKey/);
  });
});
