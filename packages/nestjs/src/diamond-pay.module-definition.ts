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
  .setExtras({ isGlobal: false }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
