// A refund's state only moves forward, in memory and in PostgreSQL (PGlite) alike, and a payout
// notification is counted every time it is applied (the ledger's inbox makes that once per status).
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryRefundRepository, type Refund, type RefundRepository } from './refunds.js';
import { shopSchemaSql } from './sql-orders.js';
import { refundSchemaSql, SqlRefundRepository } from './sql-refunds.js';

const refund = (payoutClId: string, attempt = 1): Refund => ({
  payoutClId,
  orderId: payoutClId.replace(/-R\d+$/, ''),
  attempt,
  amount: 8_400_000,
  state: 'requested',
  bankCode: 'KB',
  accountNumber: '1002123456789',
  accountHolder: '홍길동',
  phoneNumber: '01012345678',
  notificationsApplied: 0,
  finalNotificationsApplied: 0,
  createdAt: 1,
  updatedAt: 1,
});

let lite: PGlite;
beforeAll(async () => {
  lite = await PGlite.create();
  await lite.query(shopSchemaSql('t_orders'));
  for (const kind of ['memory', 'SQL'])
    for (const test of ['once', 'fwd'])
      await lite.query(
        "INSERT INTO t_orders (id, product_id, service_id, amount, status, created_at, updated_at) VALUES ($1, 'p', 'SVC0016', 8900000, 'underpaid', 1, 1)",
        [`${kind}-${test}`],
      );
  await lite.query(refundSchemaSql('t_refunds', 't_orders'));
}, 60_000);
afterAll(() => lite?.close());

const repositories: [string, () => RefundRepository][] = [
  ['memory', () => new MemoryRefundRepository()],
  [
    'SQL',
    () =>
      new SqlRefundRepository(async (text, params) => {
        const r = await lite.query<Record<string, unknown>>(text, params ? [...params] : undefined);
        return { rows: r.rows as never[], rowCount: r.affectedRows ?? r.rows.length };
      }, 't_refunds'),
  ],
];

describe.each(repositories)('%s refund repository', (kind, make) => {
  it('inserts a payout_cl_id once', async () => {
    const store = make();
    const id = `${kind}-once-R1`;
    expect(await store.insert(refund(id))).toMatchObject({ payoutClId: id, state: 'requested' });
    expect(await store.insert({ ...refund(id), amount: 1 })).toBeUndefined();
    // One row per order and attempt, whatever the payout_cl_id.
    expect(await store.insert({ ...refund(`${kind}-once-other`), orderId: `${kind}-once` })).toBeUndefined();
    expect(await store.get(id)).toMatchObject({ amount: 8_400_000 });
  });

  it('moves forward only: a paid-out refund never goes back, a refused one is never accepted', async () => {
    const store = make();
    const id = `${kind}-fwd-R1`;
    await store.insert(refund(id));
    expect((await store.advance(id, 'unknown', {})).changed).toBe(true);
    expect((await store.advance(id, 'accepted', { payoutId: 'PO1' })).refund).toMatchObject({
      state: 'accepted',
      payoutId: 'PO1',
    });
    expect((await store.advance(id, 'unknown', {})).changed).toBe(false);
    expect((await store.advance(id, 'refused', { errorCode: '0018' })).changed).toBe(false);
    const paid = await store.applyNotification(id, 'paid_out', { payoutId: 'PO1' }, true);
    expect(paid).toMatchObject({ state: 'paid_out', notificationsApplied: 1, finalNotificationsApplied: 1 });
    // A failure after paid out (a contradicting status that reached the handler) changes nothing but the count.
    const after = await store.applyNotification(id, 'failed', { errorMessage: 'late' }, true);
    expect(after).toMatchObject({ state: 'paid_out', notificationsApplied: 2, finalNotificationsApplied: 2 });
    expect(after?.errorMessage).toBeUndefined();
    expect((await store.advance(id, 'accepted', {})).changed).toBe(false);

    const refusedId = `${kind}-fwd-R2`;
    await store.insert(refund(refusedId, 2));
    expect(
      (await store.advance(refusedId, 'refused', { errorCode: '0018', errorMessage: 'short' })).refund,
    ).toMatchObject({ state: 'refused', errorCode: '0018' });
    expect((await store.advance(refusedId, 'accepted', { payoutId: 'PO2' })).changed).toBe(false);
    expect(await store.latestForOrder(`${kind}-fwd`)).toMatchObject({ payoutClId: refusedId, attempt: 2 });
  });

  it('answers undefined for a notification of an unknown refund', async () => {
    expect(await make().applyNotification('nope', 'paid_out', {}, true)).toBeUndefined();
  });
});
