// What a gateway `status` number means. The safe rule: only the documented success code counts as
// paid; unknown numbers are passed through and never treated as paid.

/**
 * Deposit `status` codes (protocol reference §4). 0–3 are documented; 4 and 5 are not, but public
 * integrations treat them as final failures ("seen in integrations"), so they are final, not paid.
 */
export const DepositStatus = {
  PENDING: 0,
  PROCESSING: 1,
  SUCCESS: 2,
  CANCELLED: 3,
  /** Seen in integrations: a final failure. */
  FAILED: 4,
  /** Seen in integrations: a final failure (e.g. expired). */
  FAILED_OTHER: 5,
} as const;

/** `paid`: money received; `not_paid`: final, nothing to credit; `pending`: wait for another notification. */
export type DepositOutcome = 'paid' | 'not_paid' | 'pending' | 'unknown';

/** Maps a deposit `status`: 2 paid; 3, 4, 5 final not paid; 0, 1 pending; any other number unknown (never paid). */
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

/**
 * Payout `status` codes (protocol reference §4). 1–4 are documented; 0, 5 and 6 are "seen in
 * integrations": 0 and 6 still in progress, 5 a failure.
 */
export const PayoutStatus = {
  /** Seen in integrations: created, still in progress. */
  CREATED: 0,
  PENDING: 1,
  PROCESSING: 2,
  SUCCESS: 3,
  CANCELLED: 4,
  /** Seen in integrations: a final failure. */
  FAILED: 5,
  /** Seen in integrations: still in progress (e.g. under review). */
  IN_REVIEW: 6,
} as const;

/** `paid_out`: the money left; `failed`: final, nothing was sent; `pending`: wait for another notification (unknown numbers too, never paid). */
export type PayoutOutcome = 'paid_out' | 'failed' | 'pending';

/** Maps a payout `status`: 3 paid out; 4, 5 failed; 0, 1, 2, 6 and any other number still in progress (never paid out). */
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
