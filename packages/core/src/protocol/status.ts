// What a gateway `status` number means. The safe rule: only the documented success code counts as
// paid; unknown numbers are passed through and never treated as paid.

/** Deposit `status` codes (protocol reference §4). */
export const DepositStatus = {
  PENDING: 0,
  PROCESSING: 1,
  SUCCESS: 2,
  CANCELLED: 3,
} as const;

/** `paid`: money received; `not_paid`: final, nothing to credit; `pending`: wait for another notification. */
export type DepositOutcome = 'paid' | 'not_paid' | 'pending' | 'unknown';

/** Maps a deposit `status`: 2 paid; 3, 4, 5 final not paid; 0, 1 pending; anything else unknown. */
export function depositOutcome(status: number): DepositOutcome {
  switch (status) {
    case 2:
      return 'paid';
    case 3:
    case 4:
    case 5:
      return 'not_paid';
    case 0:
    case 1:
      return 'pending';
    default:
      return 'unknown';
  }
}

/** Payout `status` codes (protocol reference §4). */
export const PayoutStatus = {
  PENDING: 1,
  PROCESSING: 2,
  SUCCESS: 3,
  CANCELLED: 4,
} as const;

export type PayoutOutcome = 'paid_out' | 'failed' | 'pending';

/** Maps a payout `status`: 3 paid out; 4, 5 failed; anything else still in progress. */
export function payoutOutcome(status: number): PayoutOutcome {
  if (status === 3) return 'paid_out';
  if (status === 4 || status === 5) return 'failed';
  return 'pending';
}

/** Korea deposit services (any `SVC` + 4 digits enabled for your merchant is accepted too). */
export const KoreaService = {
  /** SVC0015: bank card (Korea channel). */
  BANK_CARD: 'SVC0015',
  /** SVC0016: bank direct (Korea channel). */
  BANK_DIRECT: 'SVC0016',
  /** SVC0017: QR code (Korea channel). */
  QR_CODE: 'SVC0017',
} as const;
