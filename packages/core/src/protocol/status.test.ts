import { describe, expect, it } from 'vitest';
import { DepositStatus, depositOutcome, PayoutStatus, payoutOutcome } from './status.js';

describe('deposit status codes', () => {
  it('names 4 and 5 (seen in integrations) as final, not paid', () => {
    expect(DepositStatus.FAILED).toBe(4);
    expect(DepositStatus.FAILED_OTHER).toBe(5);
    expect(depositOutcome(DepositStatus.FAILED)).toBe('not_paid');
    expect(depositOutcome(DepositStatus.FAILED_OTHER)).toBe('not_paid');
  });
  it('never treats an unknown number as paid', () => {
    for (const s of [-1, 6, 7, 20, 99, 1.5]) expect(depositOutcome(s)).toBe('unknown');
    expect(depositOutcome(DepositStatus.SUCCESS)).toBe('paid');
  });
});

describe('payout status codes', () => {
  it('names 0 and 6 as in progress and 5 as failed (seen in integrations)', () => {
    expect(PayoutStatus.CREATED).toBe(0);
    expect(PayoutStatus.IN_REVIEW).toBe(6);
    expect(PayoutStatus.FAILED).toBe(5);
    expect(payoutOutcome(PayoutStatus.CREATED)).toBe('pending');
    expect(payoutOutcome(PayoutStatus.IN_REVIEW)).toBe('pending');
    expect(payoutOutcome(PayoutStatus.FAILED)).toBe('failed');
    expect(payoutOutcome(PayoutStatus.CANCELLED)).toBe('failed');
  });
  it('never treats an unknown number as paid out', () => {
    for (const s of [-1, 7, 30, 99]) expect(payoutOutcome(s)).toBe('pending');
    expect(payoutOutcome(PayoutStatus.SUCCESS)).toBe('paid_out');
  });
});
