// The merchant-facing HTTP client: one request sender, thin resources (deposits, payouts, platforms).
export { DiamondPay, SDK_VERSION } from './client.js';
export type { DiamondPayConfig } from './config.js';
export type { CreateDepositOptions, CreateDepositParams, CreatedDeposit, DepositRecord } from './deposits.js';
export type { CreatedPayout, CreatePayoutParams, PayoutRecord } from './payouts.js';
export type { Balance } from './platforms.js';
export type { RequestOptions } from './request-sender.js';
export { type FetchLike, MAX_RETRY_AFTER_MS, wasNotSent } from './transport.js';
