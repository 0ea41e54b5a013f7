// What a deposit's status means to a person: one word per state, shared by the cashier page and the
// dashboard. A paid order that received less than its amount is "underpaid", never "paid".
import type { SandboxOrder } from './orders.js';

export type DepositState = 'pending' | 'paid' | 'underpaid' | 'cancelled' | 'failed' | 'expired' | 'unknown';

export const DEPOSIT_STATES: readonly DepositState[] = [
  'pending',
  'paid',
  'underpaid',
  'cancelled',
  'failed',
  'expired',
];

/** The state of an order from its status code and the cents received. */
export function depositState(order: Pick<SandboxOrder, 'status' | 'amount' | 'realAmount'>): DepositState {
  switch (order.status) {
    case 0:
    case 1:
      return 'pending';
    case 2:
      return order.realAmount < order.amount ? 'underpaid' : 'paid';
    case 3:
      return 'cancelled';
    case 4:
      return 'failed';
    case 5:
      return 'expired';
    default:
      return 'unknown';
  }
}

/** Korean, then the English word tests and people look for. */
export const DEPOSIT_STATE_LABEL: Record<DepositState, string> = {
  pending: '결제 대기 · pending',
  paid: '결제 완료 · paid',
  underpaid: '부분 입금 · underpaid',
  cancelled: '취소됨 · cancelled',
  failed: '실패 · cancelled (failed)',
  expired: '만료 · cancelled (expired)',
  unknown: '알 수 없음 · unknown',
};
