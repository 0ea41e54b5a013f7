import { Inject, SetMetadata } from '@nestjs/common';
import {
  DIAMONDPAY_CLIENT,
  ON_DEPOSIT_NOTIFICATION,
  ON_PAYOUT_NOTIFICATION,
} from './diamond-pay.constants.js';

/** Injects the configured `DiamondPay` client (`@InjectDiamondPay() private readonly diamondPay: DiamondPay`). */
export function InjectDiamondPay(): PropertyDecorator & ParameterDecorator {
  return Inject(DIAMONDPAY_CLIENT);
}

/**
 * Marks the provider method that handles deposit notifications: `(notification: DepositNotification, request)`,
 * or, with the module's `ledger`, `(notification, { tx, order, source }, request)` inside the ledger's
 * transaction. It runs once per (payment, status) after the signature verified; throw to have the gateway
 * deliver it again.
 */
export function OnDepositNotification(): MethodDecorator {
  return SetMetadata(ON_DEPOSIT_NOTIFICATION, true);
}

/**
 * Marks the provider method that handles payout notifications: `(notification: PayoutNotification, request)`.
 * Same rules as `@OnDepositNotification()`: once per (payout, status), throw to have the gateway deliver it again.
 */
export function OnPayoutNotification(): MethodDecorator {
  return SetMetadata(ON_PAYOUT_NOTIFICATION, true);
}
