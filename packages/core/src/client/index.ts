// The merchant-facing HTTP client: one request sender, thin resources (deposits, platforms).
export {
  type Balance,
  type CreateDepositOptions,
  type CreateDepositParams,
  type CreatedDeposit,
  type DepositRecord,
  DiamondPay,
  type DiamondPayConfig,
  type RequestOptions,
  SDK_VERSION,
} from './client.js';
export { type FetchLike, wasNotSent } from './transport.js';
