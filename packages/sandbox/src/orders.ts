// In-memory order book: merchants, their orders and balances. Nothing is persisted: a restarted
// sandbox starts empty, like a fresh test gateway.
import { fromMinorUnits, KoreaService, MAX_AMOUNT_CENTS, type SignType } from '@diamondpay/core';
import { Balances } from './balances.js';
import { invalid, SandboxError } from './errors.js';
import { mulberry32 } from './rng.js';

export interface SandboxMerchant {
  platformId: string;
  platformKey: string;
  /** Token the GET endpoints expect in `Authorization` (raw, no "Bearer"). */
  authorization: string;
  /** Opening balance in cents. Default 0. */
  balance?: number;
}

/** The docs' published test merchant, plus a sandbox token for the GET endpoints. */
export const DEFAULT_MERCHANT: SandboxMerchant = Object.freeze({
  platformId: 'PF0002',
  platformKey: 'ThisIsYourSecretKey123',
  authorization: 'sandbox-authorization-token',
});

/** Deposit status codes the sandbox produces (protocol reference §4). */
export type FinalStatus = 2 | 3 | 4 | 5;

export interface SandboxOrder {
  platformId: string;
  /** Gateway order id, `PM` + 8 digits. */
  paymentId: string;
  paymentClId: string;
  serviceId: string;
  /** Cents. */
  amount: number;
  /** Cents actually received; 0 until paid. */
  realAmount: number;
  /** Cents: floor(realAmount × 0.8 %). */
  fee: number;
  /** 0 pending, 2 paid, 3/4/5 cancelled or failed. */
  status: number;
  notifyUrl: string;
  signType: SignType;
  /** Unix seconds. */
  createTime: number;
  /** Unix seconds. */
  updateTime: number;
  /** Unix seconds; 0 until paid. */
  successTime: number;
  /** Transfer reference the payer quotes. */
  token: string;
  /** Cashier page URL. */
  link: string;
  /** Receiving bank, account number and holder shown to the payer. */
  bankName: string;
  bankCode: string;
  cardName: string;
  cardNumber: string;
  /** Only for the QR service (SVC0017). */
  qrCodeContent?: string;
  /** The request's `name` (payer), reported as `payment_cl_name`. */
  payerName?: string;
  /** The request's `bank_name` (payer's bank). */
  payerBankName?: string;
}

/** The fee the sandbox charges: 0.8 % of the received amount, rounded down (the docs' 3200 of 400000). */
export function feeFor(realAmount: number): number {
  return Math.floor((realAmount * 8) / 1000);
}

const RECEIVING_ACCOUNTS = [
  { bankName: '국민은행', bankCode: 'KB', prefix: '4370' },
  { bankName: '신한은행', bankCode: 'SHINHAN', prefix: '1100' },
  { bankName: '우리은행', bankCode: 'WOORI', prefix: '1002' },
  { bankName: '하나은행', bankCode: 'HANA', prefix: '3910' },
] as const;
const PAYEE_NAME = '다이아몬드페이';

// Process-wide and randomly started, so two sandboxes in one test run never hand out the same
// payment_id (receivers de-duplicate on it).
let nextPaymentNumber = 10_000_000 + Math.floor(Math.random() * 80_000_000);

function takePaymentNumber(): number {
  const n = nextPaymentNumber;
  nextPaymentNumber = n >= 99_999_999 ? 10_000_000 : n + 1;
  return n;
}

function transferToken(n: number): string {
  const random = mulberry32(n ^ 0x5bd1e995);
  let s = '';
  for (let i = 0; i < 10; i++) s += String.fromCharCode(97 + Math.floor(random() * 26));
  return s;
}

/** CRC-16/CCITT-FALSE, the checksum EMVCo QR payloads end with. */
function crc16(text: string): string {
  let crc = 0xffff;
  for (let i = 0; i < text.length; i++) {
    crc ^= text.charCodeAt(i) << 8;
    for (let b = 0; b < 8; b++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc.toString(16).toUpperCase().padStart(4, '0');
}

function tlv(tag: string, value: string): string {
  return `${tag}${String(value.length).padStart(2, '0')}${value}`;
}

/** An EMVCo-shaped dynamic QR payload (KRW, amount in won); plausible, not routable anywhere. */
function qrPayload(paymentId: string, amount: number): string {
  const body =
    tlv('00', '01') +
    tlv('01', '12') +
    tlv('26', tlv('00', 'KR.DIAMONDPAY') + tlv('01', paymentId)) +
    tlv('53', '410') +
    tlv('54', fromMinorUnits(amount)) +
    tlv('58', 'KR') +
    tlv('59', 'DIAMONDPAY') +
    '6304';
  return body + crc16(body);
}

export interface NewOrder {
  serviceId: string;
  paymentClId: string;
  amount: number;
  notifyUrl: string;
  signType: SignType;
  payerName?: string | undefined;
  payerBankName?: string | undefined;
}

interface MerchantState {
  merchant: SandboxMerchant;
  orders: Map<string, SandboxOrder>;
}

function checkMerchants(merchants: SandboxMerchant[]): void {
  if (!Array.isArray(merchants) || merchants.length === 0)
    throw invalid('merchants must be a non-empty array');
  const ids = new Set<string>();
  const tokens = new Set<string>();
  for (const m of merchants) {
    if (typeof m.platformId !== 'string' || !/^[A-Za-z0-9]{1,6}$/.test(m.platformId))
      throw invalid(`merchant platformId ${JSON.stringify(m.platformId)} must be 1–6 letters or digits`);
    if (typeof m.platformKey !== 'string' || m.platformKey === '')
      throw invalid(`merchant ${m.platformId}: platformKey is required`);
    if (typeof m.authorization !== 'string' || m.authorization === '')
      throw invalid(`merchant ${m.platformId}: authorization is required`);
    if (m.balance !== undefined && !Number.isSafeInteger(m.balance))
      throw invalid(`merchant ${m.platformId}: balance must be an integer number of cents`);
    if (ids.has(m.platformId)) throw invalid(`merchant ${m.platformId} is listed twice`);
    if (tokens.has(m.authorization)) throw invalid(`merchant ${m.platformId}: authorization token is shared`);
    ids.add(m.platformId);
    tokens.add(m.authorization);
  }
}

export class OrderBook {
  readonly #byPlatform = new Map<string, MerchantState>();
  readonly #byToken = new Map<string, MerchantState>();
  readonly #byPaymentId = new Map<string, SandboxOrder>();
  readonly #merchants: SandboxMerchant[];
  created = 0;
  /** Create requests refused because the payment_cl_id already existed (a client that sent an order twice). */
  duplicateCreates = 0;
  /** The merchants' balances: a paid deposit credits real_amount − fee. */
  readonly balances: Balances;

  constructor(merchants: SandboxMerchant[], balances?: Balances) {
    checkMerchants(merchants);
    this.#merchants = merchants.map((m) => ({ ...m }));
    this.balances = balances ?? new Balances(this.#merchants);
    for (const merchant of this.#merchants) {
      const state: MerchantState = { merchant, orders: new Map() };
      this.#byPlatform.set(merchant.platformId, state);
      this.#byToken.set(merchant.authorization, state);
    }
  }

  get merchants(): readonly SandboxMerchant[] {
    return this.#merchants;
  }

  merchant(platformId: string): SandboxMerchant | undefined {
    return this.#byPlatform.get(platformId)?.merchant;
  }

  merchantByToken(token: string): SandboxMerchant | undefined {
    return this.#byToken.get(token)?.merchant;
  }

  has(platformId: string, paymentClId: string): boolean {
    return this.#byPlatform.get(platformId)?.orders.has(paymentClId) ?? false;
  }

  /** Creates an order; the caller has checked that `paymentClId` is new for this merchant. */
  create(platformId: string, input: NewOrder, baseUrl: string, nowSeconds: number): SandboxOrder {
    const state = this.#byPlatform.get(platformId);
    if (!state) throw invalid(`unknown platform_id ${platformId}`);
    const n = takePaymentNumber();
    const paymentId = `PM${n}`;
    const account = RECEIVING_ACCOUNTS[n % RECEIVING_ACCOUNTS.length]!;
    const order: SandboxOrder = {
      platformId,
      paymentId,
      paymentClId: input.paymentClId,
      serviceId: input.serviceId,
      amount: input.amount,
      realAmount: 0,
      fee: 0,
      status: 0,
      notifyUrl: input.notifyUrl,
      signType: input.signType,
      createTime: nowSeconds,
      updateTime: nowSeconds,
      successTime: 0,
      token: transferToken(n),
      link: `${baseUrl}/cashier/${paymentId}`,
      bankName: account.bankName,
      bankCode: account.bankCode,
      cardName: PAYEE_NAME,
      cardNumber: `${account.prefix}${String(n).padStart(10, '0')}`,
    };
    if (input.serviceId === KoreaService.QR_CODE) order.qrCodeContent = qrPayload(paymentId, input.amount);
    if (input.payerName) order.payerName = input.payerName;
    if (input.payerBankName) order.payerBankName = input.payerBankName;
    state.orders.set(input.paymentClId, order);
    this.#byPaymentId.set(paymentId, order);
    this.created++;
    return order;
  }

  get(platformId: string, paymentClId: string): SandboxOrder | undefined {
    return this.#byPlatform.get(platformId)?.orders.get(paymentClId);
  }

  /** Finds an order by merchant order id; without `platformId`, merchants are searched in configured order. */
  find(paymentClId: string, platformId?: string): SandboxOrder | undefined {
    if (platformId !== undefined) return this.get(platformId, paymentClId);
    for (const state of this.#byPlatform.values()) {
      const order = state.orders.get(paymentClId);
      if (order) return order;
    }
    return undefined;
  }

  byPaymentId(paymentId: string): SandboxOrder | undefined {
    return this.#byPaymentId.get(paymentId);
  }

  all(): SandboxOrder[] {
    return [...this.#byPaymentId.values()];
  }

  /** The merchant's total balance in cents (frozen payouts included). */
  balance(platformId: string): number {
    return this.#byPlatform.has(platformId) ? this.balances.get(platformId).total : 0;
  }

  /** Looks an order up for pay/cancel, refusing unknown and already-final orders. */
  pending(paymentClId: string, platformId?: string): SandboxOrder {
    const order = this.find(paymentClId, platformId);
    if (!order) {
      throw new SandboxError(
        'order_not_found',
        `No order with payment_cl_id ${JSON.stringify(paymentClId)}${platformId ? ` for ${platformId}` : ''}.`,
      );
    }
    if (order.status !== 0 && order.status !== 1) {
      throw new SandboxError(
        'order_final',
        `Order ${order.paymentId} (${order.paymentClId}) is already final with status ${order.status}; a final order cannot be paid or cancelled again.`,
      );
    }
    return order;
  }

  /** Marks an order paid with `realAmount` cents received (default: the full amount). */
  pay(order: SandboxOrder, realAmount: number | undefined, nowSeconds: number): void {
    const received = realAmount ?? order.amount;
    if (!Number.isSafeInteger(received) || received < 1 || received > MAX_AMOUNT_CENTS)
      throw invalid(`real_amount must be an integer from 1 to ${MAX_AMOUNT_CENTS} (cents)`);
    order.status = 2;
    order.realAmount = received;
    order.fee = feeFor(received);
    order.updateTime = nowSeconds;
    order.successTime = nowSeconds;
    this.balances.credit(order.platformId, received - order.fee);
  }

  /** Marks an order cancelled (3) or failed (4, 5). */
  cancel(order: SandboxOrder, status: number | undefined, nowSeconds: number): void {
    const final = status ?? 3;
    if (final !== 3 && final !== 4 && final !== 5) throw invalid('status must be 3, 4 or 5');
    order.status = final;
    order.updateTime = nowSeconds;
  }
}
