// Payouts under faults: a merchant (core's client and receiver on a loopback server) sends 300
// payouts while the sandbox injects latency, 5xx answers, resets before and after processing and
// hung requests on create-payout, 5xx on query-payout, and duplicated, lost and stale deliveries.
// Afterwards: no payout was ever sent twice, the merchant's records and the sandbox's agree on every
// payout, each final result was handled exactly once, and the balance adds up.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createNotificationReceiver,
  DiamondPay,
  DiamondPayApiError,
  isDiamondPayError,
  PayoutService,
} from '@diamondpay/core';
import { payoutFeeFor, type Sandbox, type SandboxMerchant, startSandbox } from '@diamondpay/sandbox';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { inBatches } from './support/demo-process.js';

const PAYOUTS = 300;
const CONCURRENCY = 10;
const OPENING = 50_000_000_000; // ₩500,000,000 in cents
const MERCHANT: SandboxMerchant = {
  platformId: 'PF0300',
  platformKey: 'reliability-payout-key',
  authorization: 'reliability-payout-token',
  balance: OPENING,
};

/** The merchant's own record of one payout: what it knows, moving forward only. */
interface Refund {
  payoutClId: string;
  amount: number;
  state: 'accepted' | 'unknown' | 'refused' | 'not_accepted' | 'paid_out' | 'failed';
  payoutId?: string;
  errorCode?: string;
}

let sandbox: Sandbox;
let server: http.Server;
let notifyUrl = '';
const refunds = new Map<string, Refund>();
const handled: { key: string; status: number }[] = [];

beforeAll(async () => {
  const receiver = createNotificationReceiver({
    platformId: MERCHANT.platformId,
    platformKey: MERCHANT.platformKey,
    onPayout: (n) => {
      handled.push({ key: `${n.payout_id}:${n.status}`, status: n.status });
      const refund = refunds.get(n.payout_cl_id);
      if (!refund) throw new Error(`unknown payout ${n.payout_cl_id}`);
      refund.payoutId ??= n.payout_id;
      // Monotonic: a final state never changes; a stale "processing" notice is ignored.
      if (refund.state === 'paid_out' || refund.state === 'failed') return;
      if (n.outcome === 'paid_out') refund.state = 'paid_out';
      else if (n.outcome === 'failed') refund.state = 'failed';
      else refund.state = 'accepted';
    },
  });
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const r = await receiver.receive(Buffer.concat(chunks).toString('utf8'), undefined);
      res.writeHead(r.status, r.headers);
      res.end(r.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  notifyUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/diamondpay/notifications/payout`;
  sandbox = await startSandbox({
    merchants: [MERCHANT],
    timeScale: 0.002,
    seed: 20261201,
    unsupportedBankCodes: ['NOBANK'],
    faults: {
      createPayout: {
        latencyMs: 25,
        error5xxRate: 0.08,
        resetBeforeRate: 0.04,
        resetAfterRate: 0.06,
        hangRate: 0.01,
      },
      queryPayout: { error5xxRate: 0.1 },
      delivery: { latencyMs: 15, duplicates: 1 },
    },
  });
});

afterAll(async () => {
  await sandbox?.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

it('sends no payout twice and agrees with the gateway on every payout under faults', async () => {
  const client = new DiamondPay({
    baseUrl: sandbox.url,
    ...MERCHANT,
    timeoutMs: 1_500,
    settleMs: 300,
    maxRetries: 3,
    retryBaseDelayMs: 20,
    retryMaxDelayMs: 200,
    resendUnknown: true, // must not matter: payouts are never resent
  });
  const created: Record<string, number> = {};
  await inBatches(
    Array.from({ length: PAYOUTS }, (_, i) => i),
    CONCURRENCY,
    async (i) => {
      const payoutClId = `rel-payout-${i}`;
      const amount = 1_000_000 + i * 1_000;
      const refund: Refund = { payoutClId, amount, state: 'unknown' };
      refunds.set(payoutClId, refund);
      try {
        const r = await client.payouts.create({
          service_id: PayoutService.BANK_CARD,
          payout_cl_id: payoutClId,
          amount,
          bank_name: i % 50 === 7 ? 'NOBANK' : ['KB', 'SHINHAN', 'WOORI'][i % 3]!,
          name: '홍길동',
          number: `1002${String(i).padStart(8, '0')}`,
          phone_number: '01012345678',
          currency: 'krw',
          notify_url: notifyUrl,
        });
        refund.payoutId = r.payout_id;
        refund.state = 'accepted';
      } catch (error) {
        if (error instanceof DiamondPayApiError && error.errorCode) {
          refund.state = 'refused';
          refund.errorCode = error.errorCode;
        } else if (!(isDiamondPayError(error) && error.code === 'outcome_unknown')) throw error;
      }
      created[refund.state] = (created[refund.state] ?? 0) + 1;
    },
  );
  // One POST per payout, whatever happened to the answer: never a second one.
  expect(sandbox.stats().requests.createPayout).toBe(PAYOUTS);
  expect(sandbox.stats().duplicatePayouts).toBe(0);

  // The unknown ones are resolved later by query (never by resending), on a healthy query endpoint.
  sandbox.setFaults({ delivery: { latencyMs: 15, duplicates: 1 } });
  for (const refund of refunds.values()) {
    if (refund.state !== 'unknown') continue;
    try {
      const record = await client.payouts.retrieve(refund.payoutClId);
      refund.payoutId = record.payout_id;
      refund.state = 'accepted';
    } catch (error) {
      if (!(error instanceof DiamondPayApiError && error.errorCode === '0050')) throw error;
      refund.state = 'not_accepted';
    }
  }

  // Settle every payout the gateway holds: most paid out, some failed, some cancelled; lost and stale deliveries.
  const held = sandbox.payouts();
  const fates = new Map<string, 'paid_out' | 'failed'>();
  await inBatches(
    held.map((p, i) => ({ p, i })),
    20,
    async ({ p, i }) => {
      const delivery =
        i % 7 === 0
          ? { failFirst: 1, lose: 'reply' as const }
          : i % 11 === 0
            ? { failFirst: 2, lose: 'request' as const }
            : i % 13 === 0
              ? { outOfOrder: true }
              : {};
      if (i % 9 === 4) {
        fates.set(p.payoutClId, 'failed');
        await sandbox.failPayout(p.payoutClId, { errorMsg: 'account closed', delivery });
      } else if (i % 17 === 5) {
        fates.set(p.payoutClId, 'failed');
        await sandbox.failPayout(p.payoutClId, { status: 4, delivery });
      } else {
        fates.set(p.payoutClId, 'paid_out');
        await sandbox.completePayout(p.payoutClId, { delivery });
      }
    },
  );
  await Promise.all(held.map((p) => sandbox.waitForPayoutDelivery(p.payoutClId, { timeoutMs: 60_000 })));
  await sandbox.idle();

  // The merchant's records and the gateway's agree on every payout.
  const wrong: string[] = [];
  for (const p of held) {
    const refund = refunds.get(p.payoutClId);
    if (refund?.payoutId !== p.payoutId)
      wrong.push(`${p.payoutClId}: id ${refund?.payoutId} ≠ ${p.payoutId}`);
    if (refund?.state !== fates.get(p.payoutClId))
      wrong.push(`${p.payoutClId}: ${refund?.state} ≠ ${fates.get(p.payoutClId)}`);
  }
  const heldIds = new Set(held.map((p) => p.payoutClId));
  for (const refund of refunds.values()) {
    const shouldBeHeld = refund.state === 'paid_out' || refund.state === 'failed';
    if (shouldBeHeld !== heldIds.has(refund.payoutClId))
      wrong.push(
        `${refund.payoutClId}: merchant says ${refund.state}, gateway ${heldIds.has(refund.payoutClId) ? 'holds it' : 'does not'}`,
      );
  }
  expect(wrong).toEqual([]);
  expect(new Set(held.map((p) => p.payoutClId)).size).toBe(held.length);
  // Each final result ran the handler exactly once, through duplicates and retried deliveries.
  const finals = handled.filter((h) => h.status !== 2);
  expect(finals.length).toBe(held.length);
  expect(new Set(handled.map((h) => h.key)).size).toBe(handled.length);
  // Only payouts to the unsupported bank were refused (0012), and the gateway holds none of those
  // (one whose answer a fault lost is "never accepted" instead of refused).
  const refused = [...refunds.values()].filter((r) => r.state === 'refused');
  const noBank = (id: string) => Number(id.slice('rel-payout-'.length)) % 50 === 7;
  expect(refused.length).toBeGreaterThan(0);
  expect(refused.every((r) => r.errorCode === '0012' && noBank(r.payoutClId))).toBe(true);
  expect(held.filter((p) => noBank(p.payoutClId))).toEqual([]);

  // The balance adds up: every paid-out payout left with its fee; nothing is frozen any more.
  const paidOut = held.filter((p) => fates.get(p.payoutClId) === 'paid_out');
  const spent = paidOut.reduce((sum, p) => sum + p.amount + payoutFeeFor(p.amount), 0);
  const balance = await client.platforms.balance();
  expect(balance).toEqual({
    platform_id: MERCHANT.platformId,
    total_balance: OPENING - spent,
    total_frozen_balance: 0,
  });

  const stats = sandbox.stats();
  expect(stats.duplicatePayouts).toBe(0);
  console.table([
    {
      'payouts sent': PAYOUTS,
      'create answers': JSON.stringify(created),
      'held by gateway': held.length,
      'paid out': paidOut.length,
      failed: held.length - paidOut.length,
      'never accepted': [...refunds.values()].filter((r) => r.state === 'not_accepted').length,
      refused: refused.length,
      'handler runs': handled.length,
      'duplicate payouts': stats.duplicatePayouts,
    },
  ]);
  console.log(
    `gateway: ${stats.requests.createPayout} create-payout requests, ${stats.requests.queryPayout} queries, ` +
      `${stats.payoutsCreated} payouts, ${stats.deliveriesAttempted} delivery attempts, ${stats.deliveriesAcked} acknowledged`,
  );
});
