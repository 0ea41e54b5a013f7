import {
  type DepositNotification,
  DiamondPayService,
  type LedgerHandlerContext,
  OnDepositNotification,
  OnPayoutNotification,
  type PayoutNotification,
} from '@diamondpay/nestjs';
import {
  notifyUrlFor,
  refundRequestResponse,
  Shop,
  type ShopBadge,
  type ShopConfig,
  type ShopOrder,
  type ShopResponse,
  type ShopStorage,
} from '@diamondpay-demo/shop';
import { Inject, Injectable } from '@nestjs/common';
import { NOTIFICATION_PATH, REFUND_NOTIFICATION_PATH } from './app.constants.js';
import { SHOP_CONFIG, SHOP_STORAGE } from './shop.module.js';

/** Orders through the shop kit; payments through Diamond Pay. */
@Injectable()
export class ShopService {
  constructor(
    @Inject(Shop) readonly shop: Shop,
    @Inject(DiamondPayService) private readonly diamondPay: DiamondPayService,
    @Inject(SHOP_CONFIG) private readonly config: ShopConfig,
    @Inject(SHOP_STORAGE) private readonly storage: ShopStorage,
  ) {}

  /** Creates the order and its deposit; the payer goes to the returned order's `link`. */
  async placeOrder(input: { productId: string; serviceId: string }): Promise<ShopOrder> {
    const order = await this.shop.newOrder(input);
    const created = await this.diamondPay.deposits.create({
      service_id: order.serviceId,
      payment_cl_id: order.id,
      amount: order.amount,
      notify_url: notifyUrlFor(this.config, NOTIFICATION_PATH),
    });
    return this.shop.attachDeposit(order.id, created);
  }

  /** POST /orders/:id/refund: the shop kit refunds through the module's client (with the ledger's outbox). */
  refund(
    orderId: string,
    body: Record<string, unknown> | undefined,
    accept: string | undefined,
    badge: ShopBadge,
  ): Promise<ShopResponse> {
    return refundRequestResponse(this.shop, {
      orderId,
      body,
      accept,
      client: this.diamondPay.client,
      notifyUrl: notifyUrlFor(this.config, REFUND_NOTIFICATION_PATH),
      badge,
    });
  }

  /**
   * Verified by the module's route; throwing (unknown order) makes the gateway retry. With the
   * ledger the second argument is its `{ tx }`: the credit is one UPDATE in the notification's
   * transaction (without it, the request).
   */
  @OnDepositNotification()
  async onDeposit(notification: DepositNotification, second: unknown): Promise<void> {
    if (this.storage.ledger) await this.shop.applyNotification(notification, second as LedgerHandlerContext);
    else await this.shop.applyNotification(notification);
  }

  /** A refund's payout result; with the ledger one UPDATE in the notification's transaction. */
  @OnPayoutNotification()
  async onPayout(notification: PayoutNotification, second: unknown): Promise<void> {
    if (this.storage.ledger)
      await this.shop.refunds.applyNotification(notification, second as LedgerHandlerContext);
    else await this.shop.refunds.applyNotification(notification);
  }
}
