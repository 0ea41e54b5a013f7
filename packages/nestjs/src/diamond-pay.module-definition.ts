import { ConfigurableModuleBuilder } from '@nestjs/common';
import { DIAMONDPAY_OPTIONS } from './diamond-pay.constants.js';
import type { DiamondPayModuleOptions } from './diamond-pay.interfaces.js';

export const {
  ConfigurableModuleClass: DiamondPayConfigurableModule,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<DiamondPayModuleOptions>({
  moduleName: 'DiamondPay',
  optionsInjectionToken: DIAMONDPAY_OPTIONS,
})
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createDiamondPayOptions')
  // `isGlobal?: boolean | undefined`, so `isGlobal: process.env.X === '1' || undefined` compiles under
  // exactOptionalPropertyTypes; undefined means the default (not global).
  .setExtras<{ isGlobal?: boolean | undefined }>({ isGlobal: false }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal ?? false,
  }))
  .build();
