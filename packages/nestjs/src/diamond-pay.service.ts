import type { DiamondPay } from '@diamondpay/core';
import { Inject, Injectable } from '@nestjs/common';
import { DIAMONDPAY_CLIENT } from './diamond-pay.constants.js';

/** The configured Diamond Pay client, injectable anywhere the module is imported. */
@Injectable()
export class DiamondPayService {
  /** `create(params)` a deposit (amounts in cents), `retrieve(paymentClId)`. */
  readonly deposits: DiamondPay['deposits'];
  /** `balance()` of your platform. */
  readonly platforms: DiamondPay['platforms'];
  /** `parseDeposit(rawBody)` verifies a notification yourself (the module's route already does it). */
  readonly notifications: DiamondPay['notifications'];

  constructor(@Inject(DIAMONDPAY_CLIENT) readonly client: DiamondPay) {
    this.deposits = client.deposits;
    this.platforms = client.platforms;
    this.notifications = client.notifications;
  }
}
