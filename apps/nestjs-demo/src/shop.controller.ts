import { isDiamondPayError } from '@diamondpay/nestjs';
import { orderJson, renderHome, renderOrder, Shop } from '@diamondpay-demo/shop';
import {
  BadGatewayException,
  BadRequestException,
  Body,
  Controller,
  Get,
  Header,
  Headers,
  Inject,
  NotFoundException,
  Param,
  Post,
  Res,
} from '@nestjs/common';
import { ShopService } from './shop.service.js';

/** The part of Express's response used here (the app runs on the Express platform). */
interface Response {
  status(code: number): Response;
  location(url: string): Response;
  json(body: unknown): void;
  redirect(status: number, url: string): void;
  type(contentType: string): Response;
}

const wantsJson = (accept: string | undefined) => (accept ?? '').includes('application/json');

@Controller()
export class ShopController {
  constructor(
    @Inject(ShopService) private readonly shopService: ShopService,
    @Inject(Shop) private readonly shop: Shop,
  ) {}

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  home(): string {
    return renderHome(this.shop);
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
      throw new BadRequestException(`unknown product ${JSON.stringify(input.productId)}`);
    }
    if (!this.shop.services.some((s) => s.id === input.serviceId)) {
      throw new BadRequestException(`unknown service ${JSON.stringify(input.serviceId)}`);
    }
    let order: Awaited<ReturnType<ShopService['placeOrder']>>;
    try {
      order = await this.shopService.placeOrder(input);
    } catch (error) {
      // The gateway refused or could not be reached.
      if (isDiamondPayError(error)) throw new BadGatewayException(error.message);
      throw error;
    }
    if (wantsJson(accept)) {
      res.status(201).location(`/orders/${order.id}`).json(orderJson(order));
    } else {
      res.redirect(303, order.link!);
    }
  }

  /** The order page, or its JSON (`Accept: application/json` or `/orders/:id.json`). */
  @Get('orders/:id')
  async order(
    @Param('id') id: string,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<unknown> {
    const json = wantsJson(accept) || id.endsWith('.json');
    const order = await this.shop.getOrder(id.replace(/\.json$/, ''));
    if (!order) throw new NotFoundException('order not found');
    if (json) return orderJson(order);
    res.type('html');
    return renderOrder(order);
  }
}
