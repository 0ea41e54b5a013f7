import 'reflect-metadata';
import { type DynamicModule, Injectable, type LoggerService, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type DepositNotification,
  DiamondPayModule,
  DiamondPayService,
  OnDepositNotification,
} from './index.js';

// Values from the gateway docs, not from the code under test.
const connection = {
  baseUrl: 'http://127.0.0.1:4010',
  platformId: 'PF0002',
  platformKey: 'ThisIsYourSecretKey123',
};

class RecordingLogger implements LoggerService {
  readonly lines: string[] = [];
  log(message: unknown, context?: string) {
    this.lines.push(`${context ?? ''}: ${String(message)}`);
  }
  error(message: unknown, ...rest: unknown[]) {
    this.lines.push(`error: ${String(message)} ${rest.join(' ')}`);
  }
  warn(message: unknown, context?: string) {
    this.lines.push(`warn ${context ?? ''}: ${String(message)}`);
  }
}

@Injectable()
class Orders {
  @OnDepositNotification()
  onDeposit(_n: DepositNotification): void {}
}

const apps: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const app of apps) await app.close();
});

async function startupLog(dp: DynamicModule): Promise<string[]> {
  @Module({ imports: [dp], providers: [Orders] })
  class AppModule {}
  const logger = new RecordingLogger();
  const app = await NestFactory.create(AppModule, new ExpressAdapter(), { logger, abortOnError: false });
  apps.push(app);
  await app.init();
  return logger.lines;
}

describe('the dynamic module is DiamondPayModule', () => {
  it('forRoot and forRootAsync return module: DiamondPayModule', () => {
    expect(DiamondPayModule.forRoot(connection).module).toBe(DiamondPayModule);
    expect(DiamondPayModule.forRootAsync({ useFactory: () => connection }).module).toBe(DiamondPayModule);
    expect(DiamondPayModule.forRoot({ ...connection, notifications: true }).module).toBe(DiamondPayModule);
  });

  it("names DiamondPayModule in Nest's startup log (forRoot)", async () => {
    const lines = await startupLog(DiamondPayModule.forRoot({ ...connection, notifications: true }));
    expect(lines).toContain('InstanceLoader: DiamondPayModule dependencies initialized');
    expect(lines.join('\n')).not.toContain('InternalModuleClass');
  });

  it("names DiamondPayModule in Nest's startup log (forRootAsync)", async () => {
    const lines = await startupLog(
      DiamondPayModule.forRootAsync({ useFactory: async () => connection, notifications: true }),
    );
    expect(lines).toContain('InstanceLoader: DiamondPayModule dependencies initialized');
    expect(lines.join('\n')).not.toContain('InternalModuleClass');
  });
});

describe('forRoot({ notifications: true })', () => {
  it('serves the default route with the default receiver options', async () => {
    const lines = await startupLog(DiamondPayModule.forRoot({ ...connection, notifications: true }));
    expect(lines).toContain('RouterExplorer: Mapped {/diamondpay/notifications/deposit, ALL} route');
  });

  it('is not global unless isGlobal is given', async () => {
    @Injectable()
    class Consumer {
      constructor(readonly diamondPay: DiamondPayService) {}
    }
    @Module({ providers: [Consumer] })
    class FeatureModule {}
    const build = async (isGlobal: boolean) => {
      @Module({ imports: [DiamondPayModule.forRoot({ ...connection, isGlobal }), FeatureModule] })
      class AppModule {}
      const app = await NestFactory.createApplicationContext(AppModule, {
        logger: false,
        abortOnError: false,
      });
      apps.push(app);
      return app.get(Consumer).diamondPay;
    };
    await expect(build(false)).rejects.toThrow(/DiamondPayService/);
    expect(await build(true)).toBeInstanceOf(DiamondPayService);
  });
});
