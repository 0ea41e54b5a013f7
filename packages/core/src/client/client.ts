// The merchant-facing client: checked configuration, one request sender, thin resources.
import type { SignType } from '../signing/signature.js';
import { checkConfig, type DiamondPayConfig, type ResolvedConfig } from './config.js';
import { Deposits } from './deposits.js';
import { Notifications } from './notifications.js';
import { Payouts } from './payouts.js';
import { Platforms } from './platforms.js';
import { RequestSender } from './request-sender.js';
import type { FetchLike } from './transport.js';

export type { DiamondPayConfig } from './config.js';
export type { CreateDepositOptions, CreateDepositParams, CreatedDeposit, DepositRecord } from './deposits.js';
export type { CreatedPayout, CreatePayoutParams, PayoutRecord } from './payouts.js';
export type { Balance } from './platforms.js';
export type { RequestOptions } from './request-sender.js';
export { SDK_VERSION } from './version.js';

// Node's inspect hook, set per instance in the constructor: a class with a computed `[Symbol.for()]`
// method counts as a side effect to bundlers, which then keep the whole client in bundles that
// never use it (a receiver-only worker).
const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');

/** The Diamond Pay client. Secrets passed in `config` are never exposed by logging or inspecting it. */
export class DiamondPay {
  readonly deposits: Deposits;
  /** Payouts to bank accounts: never sent twice. */
  readonly payouts: Payouts;
  readonly notifications: Notifications;
  readonly platforms: Platforms;
  readonly #config: ResolvedConfig;

  constructor(config: DiamondPayConfig) {
    this.#config = checkConfig(config);
    const fetchImpl: FetchLike = config.fetch ?? ((input, init) => globalThis.fetch(input, init));
    const sender = new RequestSender(this.#config, fetchImpl);
    this.deposits = new Deposits(sender);
    this.payouts = new Payouts(sender);
    this.notifications = new Notifications(this.#config);
    this.platforms = new Platforms(sender);
    Object.defineProperty(this, inspectSymbol, { value: () => this.toString() });
  }

  get platformId(): string {
    return this.#config.platformId;
  }

  get baseUrl(): string {
    return this.#config.baseUrl;
  }

  get signType(): SignType {
    return this.#config.signType;
  }

  toJSON() {
    return { baseUrl: this.baseUrl, platformId: this.platformId, signType: this.signType };
  }

  toString(): string {
    return `DiamondPay(${this.platformId} @ ${this.baseUrl})`;
  }
}
