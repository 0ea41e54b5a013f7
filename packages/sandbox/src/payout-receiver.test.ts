// Payout notifications from the sandbox into core's receiver (`onPayout`): exactly once per
// (payout, status) through duplicates, lost replies, handler failures and stale notices.
import { createNotificationReceiver, type PayoutNotification } from '@diamondpay/core';
import { signedBody } from '@diamondpay-internal/test-signer';
import { afterEach, describe, expect, it } from 'vitest';
import { type DeliveryFaults, type Sandbox, type SandboxMerchant, startSandbox } from './index.js';
import { startReceiver } from './test-receiver.js';

const SHOP: SandboxMerchant = {
  platformId: 'PF0321',
  platformKey: 'payout-receiver-key',
  authorization: 'token-0321',
  balance: 10_000_000_000,
};
const opened: { close(): Promise<void> }[] = [];
let seq = 0;
afterEach(async () => {
  await Promise.all(opened.splice(0).map((x) => x.close()));
});

/** A shop whose onPayout records each run, optionally failing the first `failRuns` runs. */
async function shop(failRuns = 0) {
  const runs: PayoutNotification[] = [];
  let failures = 0;
  const receiver = createNotificationReceiver({
    platformId: SHOP.platformId,
    platformKey: SHOP.platformKey,
    onPayout: (n) => {
      if (failures < failRuns) {
        failures++;
        throw new Error('database unavailable');
      }
      runs.push(n);
    },
  });
  const results: string[] = [];
  const http = await startReceiver(async (_n, req) => {
    const r = await receiver.receive(req.body, undefined);
    results.push(r.outcome);
    return { status: r.status, body: r.body };
  });
  const sandbox = await startSandbox({ merchants: [SHOP], timeScale: 0.0001 });
  opened.push(sandbox, http);
  return { sandbox, url: http.url, runs, results, received: http.received };
}

async function createPayout(
  sandbox: Sandbox,
  notifyUrl: string,
  signType: 'HMAC-SHA256' | 'MD5' = 'HMAC-SHA256',
) {
  const payoutClId = `rcv-${Date.now()}-${++seq}`;
  const body = signedBody(
    {
      platform_id: SHOP.platformId,
      service_id: 'SVC0004',
      payout_cl_id: payoutClId,
      amount: 3_000_000,
      notify_url: notifyUrl,
      bank_name: 'SHINHAN',
      name: '김철수',
      number: '110123456789',
      phone_number: '01098765432',
      currency: 'krw',
      request_time: Math.floor(Date.now() / 1000),
    },
    { key: SHOP.platformKey, signType },
  );
  const res = await fetch(`${sandbox.url}/gateway/api/v2/payouts`, { method: 'POST', body });
  const json = (await res.json()) as { error_code: string; data: { payout_id: string } };
  expect(json.error_code).toBe('0000');
  return { payoutClId, payoutId: json.data.payout_id };
}

describe('payout notifications into onPayout', () => {
  it('duplicates and lost replies: the handler runs once, every later copy is acknowledged as a duplicate', async () => {
    const { sandbox, url, runs, results } = await shop();
    const { payoutClId, payoutId } = await createPayout(sandbox, url);
    const delivery: DeliveryFaults = { duplicates: 2, failFirst: 2, lose: 'reply' };
    await sandbox.completePayout(payoutClId, { delivery });
    const acked = await sandbox.waitForPayoutDelivery(payoutClId);
    await sandbox.idle();
    expect(acked.attempt).toBe(3);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      kind: 'payout',
      payout_id: payoutId,
      payout_cl_id: payoutClId,
      amount: 3_000_000,
      fee: 15_000,
      status: 3,
      outcome: 'paid_out',
    });
    // 2 duplicates + 3 attempts reached the shop; one processed, the others duplicates (or busy while the first ran).
    expect(results).toHaveLength(5);
    expect(results.filter((r) => r === 'processed')).toHaveLength(1);
    expect(results.every((r) => ['processed', 'duplicate', 'busy'].includes(r))).toBe(true);
    expect(results.at(-1)).toBe('duplicate');
  });

  it('a failing handler is not acknowledged: the sandbox retries and the payout is processed once', async () => {
    const { sandbox, url, runs, results } = await shop(2);
    const { payoutClId } = await createPayout(sandbox, url);
    await sandbox.failPayout(payoutClId, { errorMsg: 'account closed' });
    const acked = await sandbox.waitForPayoutDelivery(payoutClId);
    expect(acked.attempt).toBe(3);
    expect(results).toEqual(['failed', 'failed', 'processed']);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 5, outcome: 'failed', error_msg: 'account closed', fee: 0 });
  });

  it('a stale processing notice after success is its own (payout, status) key: once each, never paid out twice', async () => {
    const { sandbox, url, runs } = await shop();
    const { payoutClId } = await createPayout(sandbox, url);
    await sandbox.completePayout(payoutClId, { delivery: { outOfOrder: true, duplicates: 1 } });
    await sandbox.waitForPayoutDelivery(payoutClId, { status: 2 });
    await sandbox.idle();
    expect(runs.map((n) => [n.status, n.outcome])).toEqual([
      [3, 'paid_out'],
      [2, 'pending'],
    ]);
    expect(runs.filter((n) => n.outcome === 'paid_out')).toHaveLength(1);
  });

  it('MD5-signed payouts (no sign_type) verify too', async () => {
    const { sandbox, url, runs } = await shop();
    const { payoutClId } = await createPayout(sandbox, url, 'MD5');
    await sandbox.failPayout(payoutClId, { status: 4 });
    await sandbox.waitForPayoutDelivery(payoutClId);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 4, outcome: 'failed', error_msg: 'Payout cancelled' });
    expect(runs[0]!.sign_type).toBeUndefined();
  });

  it('a notification signed with another key is refused and never reaches onPayout', async () => {
    const { sandbox, url, runs, results } = await shop();
    const { payoutClId } = await createPayout(sandbox, url);
    const forged = signedBody(
      {
        payout_id: 'PO99999999',
        payout_cl_id: payoutClId,
        platform_id: SHOP.platformId,
        amount: 3_000_000,
        fee: 15_000,
        status: 3,
        create_time: Math.floor(Date.now() / 1000) - 5,
        update_time: Math.floor(Date.now() / 1000),
      },
      { key: 'not-the-shop-key' },
    );
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: forged,
    });
    expect(res.status).toBe(401);
    expect(results).toEqual(['rejected']);
    expect(runs).toEqual([]);
    await sandbox.close();
  });
});
