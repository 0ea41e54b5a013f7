// Type-level checks of the module's public API (run by `tsc -p packages/nestjs`, i.e. `pnpm typecheck`).
import type { DynamicModule } from '@nestjs/common';
import { expectTypeOf } from 'vitest';
import {
  type DepositNotification,
  type DepositNotificationHandler,
  DiamondPayModule,
  type DiamondPayModuleAsyncOptions,
  type DiamondPayModuleOptions,
  type DiamondPayModuleSyncOptions,
  type DiamondPayOptionsFactory,
  OnDepositNotification,
  OnPayoutNotification,
  type PayoutNotification,
  type PayoutNotificationHandler,
} from './index.js';

const connection = { baseUrl: 'http://127.0.0.1:4010', platformId: 'PF0002', platformKey: 'k' };

expectTypeOf(DiamondPayModule.forRoot(connection)).toEqualTypeOf<DynamicModule>();
expectTypeOf(DiamondPayModule.forRootAsync({ useFactory: () => connection })).toEqualTypeOf<DynamicModule>();

// forRoot: notifications as `true` or the options; isGlobal.
DiamondPayModule.forRoot({ ...connection, notifications: true, isGlobal: true });
DiamondPayModule.forRoot({ ...connection, notifications: { path: 'hooks/dp', maxBodyBytes: 8192 } });
// @ts-expect-error notifications is true or an options object
DiamondPayModule.forRoot({ ...connection, notifications: false });
// @ts-expect-error platformKey is required
DiamondPayModule.forRoot({ baseUrl: 'http://127.0.0.1:4010', platformId: 'PF0002' });

// forRootAsync: every provider form; the factory's return type is the module options.
DiamondPayModule.forRootAsync({
  useFactory: async (key: string) => ({ ...connection, platformKey: key, notifications: {} }),
  inject: ['KEY'],
  notifications: true,
  isGlobal: true,
});
class Options implements DiamondPayOptionsFactory {
  createDiamondPayOptions(): DiamondPayModuleOptions {
    return connection;
  }
}
DiamondPayModule.forRootAsync({ useClass: Options });
DiamondPayModule.forRootAsync({ useExisting: Options, notifications: { path: 'hooks/dp' } });
// @ts-expect-error the factory must return the connection options
DiamondPayModule.forRootAsync({ useFactory: () => ({ platformId: 'PF0002' }) });
expectTypeOf<DiamondPayModuleAsyncOptions['notifications']>().toEqualTypeOf<
  | true
  | { path?: string | undefined; decorators?: (ClassDecorator | MethodDecorator)[] | undefined }
  | undefined
>();
expectTypeOf<DiamondPayModuleSyncOptions['isGlobal']>().toEqualTypeOf<boolean | undefined>();

// Handler decorators go on methods; the handler types name the notification each receives.
class Handlers {
  @OnDepositNotification()
  onDeposit(n: DepositNotification): void {
    expectTypeOf(n.payment_cl_id).toBeString();
  }
  @OnPayoutNotification()
  onPayout(n: PayoutNotification): void {
    expectTypeOf(n.kind).toEqualTypeOf<'payout'>();
  }
}
void Handlers;
expectTypeOf<Parameters<DepositNotificationHandler>[0]>().toEqualTypeOf<DepositNotification>();
expectTypeOf<Parameters<PayoutNotificationHandler>[0]>().toEqualTypeOf<PayoutNotification>();
expectTypeOf(OnPayoutNotification()).toEqualTypeOf<MethodDecorator>();
