import { describe, expect, it } from 'vitest';
import type { LedgerOrder, LedgerOrderKind } from './ledger.js';
import { decideTransition } from './order-state.js';

function order(
  kind: LedgerOrderKind,
  status: number | null,
  final: boolean,
  extra: Partial<LedgerOrder> = {},
): LedgerOrder {
  return {
    kind,
    platform_id: 'PF0002',
    cl_id: 'ORD-1',
    create_state: 'created',
    gateway_id: 'G1',
    amount: 5_000_000,
    service_id: 'SVC0015',
    notify_url: null,
    intent: null,
    link: null,
    error_code: null,
    error_msg: null,
    status,
    final,
    real_amount: null,
    fee: null,
    created_at: 0,
    updated_at: 0,
    next_check_at: 60_000,
    checks: 0,
    ...extra,
  };
}

// A: applied (waiting), F: applied and final, S: stale, C: conflicting final, U: unknown status.
type Mark = 'A' | 'F' | 'S' | 'C' | 'U';

function expectMark(
  kind: LedgerOrderKind,
  recorded: number | null,
  recordedFinal: boolean,
  incoming: number,
  mark: Mark,
) {
  const d = decideTransition(order(kind, recorded, recordedFinal), {
    gateway_id: 'G1',
    status: incoming,
    amount: 5_000_000,
    real_amount: 5_000_000,
    fee: 100,
  });
  const label = `${kind} ${recorded} → ${incoming}`;
  switch (mark) {
    case 'A':
      expect(d, label).toEqual({
        effect: 'applied',
        final: false,
        changes: {
          gateway_id: 'G1',
          status: incoming,
          final: false,
          fee: 100,
          ...(kind === 'deposit' ? { real_amount: 5_000_000 } : {}),
        },
      });
      break;
    case 'F':
      expect(d, label).toEqual({
        effect: 'applied',
        final: true,
        changes: {
          gateway_id: 'G1',
          status: incoming,
          final: true,
          fee: 100,
          next_check_at: null,
          ...(kind === 'deposit' ? { real_amount: 5_000_000 } : {}),
        },
      });
      break;
    case 'S':
      expect(d.effect, label).toBe('stale');
      expect(d.changes, label).toEqual({});
      break;
    case 'C':
      expect(d, label).toMatchObject({ effect: 'discrepancy', reason: 'conflicting_final', changes: {} });
      break;
    case 'U':
      expect(d, label).toMatchObject({ effect: 'discrepancy', reason: 'unknown_status', changes: {} });
      break;
  }
}

describe('decideTransition: deposits, every recorded status × every incoming status', () => {
  const incoming = [0, 1, 2, 3, 4, 5, 7];
  // rows: recorded status (final for 2..5); columns: incoming 0 1 2 3 4 5 7
  const table: [number | null, Mark[]][] = [
    [null, ['A', 'A', 'F', 'F', 'F', 'F', 'U']],
    [0, ['S', 'A', 'F', 'F', 'F', 'F', 'U']],
    [1, ['S', 'S', 'F', 'F', 'F', 'F', 'U']],
    [2, ['S', 'S', 'S', 'C', 'C', 'C', 'U']],
    [3, ['S', 'S', 'C', 'S', 'S', 'S', 'U']],
    [4, ['S', 'S', 'C', 'S', 'S', 'S', 'U']],
    [5, ['S', 'S', 'C', 'S', 'S', 'S', 'U']],
  ];
  for (const [recorded, marks] of table) {
    it(`recorded ${recorded}`, () => {
      const final = recorded !== null && recorded >= 2;
      for (const [i, status] of incoming.entries())
        expectMark('deposit', recorded, final, status, marks[i] as Mark);
    });
  }
});

describe('decideTransition: payouts, every recorded status × every incoming status', () => {
  const incoming = [0, 1, 2, 3, 4, 5, 9];
  const table: [number | null, Mark[]][] = [
    [null, ['A', 'A', 'A', 'F', 'F', 'F', 'A']],
    [1, ['S', 'S', 'A', 'F', 'F', 'F', 'A']],
    [2, ['S', 'S', 'S', 'F', 'F', 'F', 'A']],
    [3, ['S', 'S', 'S', 'S', 'C', 'C', 'S']],
    [4, ['S', 'S', 'S', 'C', 'S', 'S', 'S']],
    [5, ['S', 'S', 'S', 'C', 'S', 'S', 'S']],
  ];
  for (const [recorded, marks] of table) {
    it(`recorded ${recorded}`, () => {
      const final = recorded !== null && recorded >= 3;
      for (const [i, status] of incoming.entries())
        expectMark('payout', recorded, final, status, marks[i] as Mark);
    });
  }
});

describe('decideTransition: stale reasons', () => {
  it('names a status after a final one after_final, and an earlier waiting one behind', () => {
    const base = { gateway_id: 'G1', amount: 5_000_000 };
    expect(decideTransition(order('deposit', 2, true), { ...base, status: 0 })).toMatchObject({
      effect: 'stale',
      reason: 'after_final',
    });
    expect(decideTransition(order('deposit', 1, false), { ...base, status: 0 })).toMatchObject({
      effect: 'stale',
      reason: 'behind',
    });
  });
});

describe('decideTransition: amounts and ids', () => {
  it('makes an amount that differs from the intent a discrepancy, still recording the gateway’s final status', () => {
    const d = decideTransition(order('deposit', 0, false), {
      gateway_id: 'G1',
      status: 2,
      amount: 5_000_001,
      real_amount: 5_000_001,
      fee: 0,
    });
    expect(d).toMatchObject({
      effect: 'discrepancy',
      reason: 'amount_mismatch',
      changes: { status: 2, final: true, real_amount: 5_000_001, next_check_at: null },
    });
    if (d.effect === 'discrepancy') expect(d.message).toContain('5000000');
  });

  it('a mismatched amount with a waiting status records it as waiting', () => {
    const d = decideTransition(order('deposit', null, false), { gateway_id: 'G1', status: 1, amount: 1 });
    expect(d).toMatchObject({
      effect: 'discrepancy',
      reason: 'amount_mismatch',
      changes: { status: 1, final: false },
    });
  });

  it('checks no amount for an order created elsewhere (no intent)', () => {
    const d = decideTransition(order('deposit', null, false, { amount: null, create_state: 'external' }), {
      gateway_id: 'G1',
      status: 2,
      amount: 123,
      real_amount: 100,
    });
    expect(d).toMatchObject({ effect: 'applied', final: true, changes: { real_amount: 100 } });
  });

  it('applies an underpayment (real_amount below amount) as paid: the handler sees both', () => {
    const d = decideTransition(order('deposit', 0, false), {
      gateway_id: 'G1',
      status: 2,
      amount: 5_000_000,
      real_amount: 4_000_000,
    });
    expect(d).toMatchObject({ effect: 'applied', final: true, changes: { real_amount: 4_000_000 } });
  });

  it('makes a status for another gateway id a discrepancy and changes nothing', () => {
    const d = decideTransition(order('deposit', 0, false), {
      gateway_id: 'G2',
      status: 2,
      amount: 5_000_000,
    });
    expect(d).toMatchObject({ effect: 'discrepancy', reason: 'gateway_id_mismatch', changes: {} });
  });

  it('learns the gateway id of a create still in flight', () => {
    const o = order('deposit', null, false, { gateway_id: null, create_state: 'sending' });
    expect(decideTransition(o, { gateway_id: 'G9', status: 0, amount: 5_000_000 })).toMatchObject({
      effect: 'applied',
      changes: { gateway_id: 'G9', status: 0 },
    });
    expect(decideTransition(o, { gateway_id: 'G9', status: 8, amount: 5_000_000 })).toEqual({
      effect: 'discrepancy',
      reason: 'unknown_status',
      message: expect.stringContaining('8'),
      changes: { gateway_id: 'G9' },
    });
  });

  it('never treats an unknown deposit status as paid, even on a fresh order', () => {
    const d = decideTransition(order('deposit', null, false), {
      gateway_id: 'G1',
      status: 6,
      amount: 5_000_000,
    });
    expect(d.effect).toBe('discrepancy');
    expect(d.changes).not.toHaveProperty('status');
    expect(d.changes).not.toHaveProperty('final');
  });
});
