import { isDiamondPayError } from '@diamondpay/nestjs';
import {
  errorResponse,
  orderCreatedResponse,
  orderPageResponse,
  renderHome,
  Shop,
  type ShopBadge,
  type ShopResponse,
  type ShopStorage,
  shopBadge,
} from '@diamondpay-demo/shop';
import { Body, Controller, Get, Header, Headers, Inject, Param, Post, Res } from '@nestjs/common';
import { SHOP_STORAGE } from './shop.module.js';
import { ShopService } from './shop.service.js';

/** The part of Express's response used here (the app runs on the Express platform). */
interface Response {
  status(code: number): Response;
  set(headers: Record<string, string>): Response;
  send(body: string): void;
  end(): void;
}

/** Writes the shop kit's answer onto Express's response. */
function reply(res: Response, r: ShopResponse): void {
  res.status(r.status).set(r.headers);
  if (r.status === 303) res.end();
  else res.send(r.body);
}

@Controller()
export class ShopController {
  private readonly badge: ShopBadge;

  constructor(
    @Inject(ShopService) private readonly shopService: ShopService,
    @Inject(Shop) private readonly shop: Shop,
    @Inject(SHOP_STORAGE) storage: ShopStorage,
  ) {
    this.badge = shopBadge('NestJS', storage, shop.store);
  }

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  home(): string {
    return renderHome(this.shop, this.badge);
  }

  /** A form post (urlencoded) redirects to the cashier page; a JSON client gets 201 and the order. */
  @Post('orders')
  async placeOrder(
    @Body() body: Record<string, unknown> | undefined,
    @Headers('accept') accept: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const input = { productId: String(body?.product_id ?? ''), serviceId: String(body?.service_id ?? '') };
    if (!this.shop.products.some((p) => p.id === input.productId)) {
      return reply(
        res,
        errorResponse(400, `unknown product ${JSON.stringify(input.productId)}`, accept, this.badge),
      );
    }
    if (!this.shop.services.some((s) => s.id === input.serviceId)) {
      return reply(
        res,
        errorResponse(400, `unknown service ${JSON.stringify(input.serviceId)}`, accept, this.badge),
      );
    }
    let order: Awaited<ReturnType<ShopService['placeOrder']>>;
    try {
      order = await this.shopService.placeOrder(input);
    } catch (error) {
      // The gateway refused or could not be reached.
      if (!isDiamondPayError(error)) throw error;
      return reply(res, errorResponse(502, error.message, accept, this.badge));
    }
    reply(res, orderCreatedResponse(order, accept));
  }

  /** The order page, or its JSON (`Accept: application/json` or `/orders/:id.json`), with its refund. */
  @Get('orders/:id')
  async order(
    @Param('id') param: string,
    @Headers('accept') accept: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    reply(res, await orderPageResponse(this.shop, param, accept, this.badge));
  }

  /** A refund to a bank account (form post: back to the order page; JSON: 201/200 and the refund). */
  @Post('orders/:id/refund')
  async refund(
    @Param('id') id: string,
    @Body() body: Record<string, unknown> | undefined,
    @Headers('accept') accept: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    reply(res, await this.shopService.refund(id, body, accept, this.badge));
  }
}
