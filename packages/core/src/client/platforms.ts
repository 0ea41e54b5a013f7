// The merchant's balance.
import { FieldReader } from '../json/field-reader.js';
import { GatewayPath } from '../protocol/constants.js';
import { typed } from './envelope.js';
import type { RequestOptions, RequestSender } from './request-sender.js';

export interface Balance {
  platform_id: string;
  /** Cents. */
  total_balance: number;
  /** Cents. */
  total_frozen_balance: number;
}

/** Merchant balance. */
export class Platforms {
  readonly #sender: RequestSender;

  constructor(sender: RequestSender) {
    this.#sender = sender;
  }

  /** Current balance in cents. */
  async balance(options: RequestOptions = {}): Promise<Balance> {
    const path = GatewayPath.BALANCE;
    const { data, status } = await this.#sender.get(path, options);
    const r = new FieldReader(data);
    const balance = {
      platform_id: r.string('platform_id'),
      total_balance: r.integer('total_balance'),
      total_frozen_balance: r.integer('total_frozen_balance'),
    };
    return typed(r, balance, 'balance', path, status);
  }
}
