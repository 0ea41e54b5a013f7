// The refund part of `pnpm demo`'s purchase day: once the deposits have settled, each shop refunds
// its three underpaid orders to a bank account through its own refund route. One refund is paid out;
// one has its create answer lost (and the query after it fails too), so the shop shows it "unknown"
// and resolves it by query, never by sending it again; one is refused for insufficient balance
// (0018) because the merchant has just withdrawn its balance to its own account.
import { DiamondPay, formatKrw, PayoutService } from '@diamondpay/core';
import { payoutFeeFor, type Sandbox } from '@diamondpay/sandbox';

export interface RefundShop {
  name: string;
  url: string;
  /** The shop's underpaid orders, in the order they were made (one per service). */
  underpaid: string[];
}

export interface RefundRow {
  /** Refunds paid out. */
  refunded: number;
  /** Refused for insufficient balance (0018). */
  refused: number;
  /** Unknown after a lost create answer, then found by query. */
  'by query': number;
}

type Fate = 'pay-out' | 'lose-answer' | 'insufficient';
const EXPECTED: Record<Fate, string> = {
  'pay-out': 'paid_out',
  'lose-answer': 'paid_out',
  insufficient: 'refused',
};

interface RefundView {
  payoutClId: string;
  amount: number;
  state: string;
  errorCode?: string;
}

const BENEFICIARY = {
  bank_code: 'KB',
  account_number: '1002123456789',
  account_holder: '홍길동',
  phone_number: '01012345678',
};

async function postRefund(shop: RefundShop, orderId: string, attempt = 1): Promise<RefundView> {
  const res = await fetch(`${shop.url}/orders/${encodeURIComponent(orderId)}/refund`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ ...BENEFICIARY, attempt }),
    signal: AbortSignal.timeout(20_000),
  });
  const body = (await res.json()) as RefundView & { error?: string };
  if (res.status !== 201 && res.status !== 200)
    throw new Error(
      `${shop.name}: POST /orders/${orderId}/refund answered ${res.status} ${JSON.stringify(body)}`,
    );
  return body;
}

async function refundOf(shop: RefundShop, orderId: string): Promise<RefundView | null> {
  const res = await fetch(`${shop.url}/orders/${encodeURIComponent(orderId)}`, {
    headers: { accept: 'application/json' },
    signal: AbortSignal.timeout(10_000),
  });
  return ((await res.json()) as { refund: RefundView | null }).refund;
}

/** Runs the refunds of every shop; returns a table row per shop and the wrong outcomes. */
export async function refundDay(
  sandbox: Sandbox,
  shops: RefundShop[],
  log: (who: string, line: string) => void,
): Promise<{ rows: Map<string, RefundRow>; wrong: string[] }> {
  // The merchant's own view of its balance (the gateway's balance endpoint), beside the sandbox's books.
  const treasury = new DiamondPay({ baseUrl: sandbox.url, ...sandbox.merchant });
  const showBalance = async (when: string) => {
    const b = await treasury.platforms.balance();
    const s = sandbox.balance();
    log(
      'gateway',
      `balance ${when}: total ${formatKrw(b.total_balance)}, frozen ${formatKrw(b.total_frozen_balance)}, ` +
        `available ${formatKrw(b.total_balance - b.total_frozen_balance)} (sandbox books: total ${formatKrw(s.total)}, frozen ${formatKrw(s.frozen)})`,
    );
  };
  await showBalance('after the deposits');
  const plan: { shop: RefundShop; orderId: string; fate: Fate }[] = [];
  for (const shop of shops) {
    const [payOut, loseAnswer, insufficient] = shop.underpaid;
    if (!payOut || !loseAnswer || !insufficient)
      throw new Error(`${shop.name}: three underpaid orders expected`);
    plan.push({ shop, orderId: payOut, fate: 'pay-out' });
    plan.push({ shop, orderId: loseAnswer, fate: 'lose-answer' });
    plan.push({ shop, orderId: insufficient, fate: 'insufficient' });
  }
  const resolvedByQuery = new Map<string, number>();
  const completed: string[] = [];
  const notResolved: string[] = [];

  // One shop at a time: the three shops share the sandbox's merchant, its balance and its faults.
  for (const step of plan.filter((p) => p.fate !== 'insufficient')) {
    const { shop, orderId } = step;
    if (step.fate === 'pay-out') {
      const r = await postRefund(shop, orderId);
      log(
        shop.name,
        `refund ${r.payoutClId} (${formatKrw(r.amount)}, what order ${orderId} received): ${r.state}`,
      );
      await sandbox.completePayout(r.payoutClId);
      completed.push(r.payoutClId);
      log(shop.name, `refund ${r.payoutClId}: paid out on the sandbox`);
      continue;
    }
    // The create is processed but its answer is lost, and the query the SDK makes after it fails too.
    sandbox.injectFault('createPayout', 'resetAfter');
    sandbox.setFaults({ queryPayout: { error5xxRate: 1 } });
    let r: RefundView;
    try {
      r = await postRefund(shop, orderId);
    } finally {
      sandbox.setFaults({});
    }
    log(
      shop.name,
      `refund ${r.payoutClId}: create answer lost, query failed → ${r.state} ("checking with the gateway")`,
    );
    // The shop's query path: the same refund asked for again is checked with the gateway, not resent.
    const checked = await postRefund(shop, orderId);
    log(shop.name, `refund ${r.payoutClId}: checked by query → ${checked.state}`);
    if (r.state === 'unknown' && checked.state === 'accepted')
      resolvedByQuery.set(shop.name, (resolvedByQuery.get(shop.name) ?? 0) + 1);
    else
      notResolved.push(
        `${shop.name}: refund ${r.payoutClId} was ${r.state} then ${checked.state}, expected unknown then accepted`,
      );
    await sandbox.completePayout(checked.payoutClId);
    completed.push(checked.payoutClId);
    log(shop.name, `refund ${r.payoutClId}: paid out on the sandbox`);
  }

  // End of the day the merchant withdraws its balance to its own account, all but ₩1,000: the last
  // refunds now exceed what is available and the gateway refuses them (0018), creating nothing.
  const available = sandbox.balance().available;
  const sweep = Math.floor(((available - 100_000) * 1000) / 1005 / 100) * 100;
  const sweepId = `SWEEP-${Date.now().toString(36)}`;
  await treasury.payouts.create({
    service_id: PayoutService.BANK_CARD,
    payout_cl_id: sweepId,
    amount: sweep,
    bank_name: 'SHINHAN',
    name: 'Diamond shop',
    number: '110123456789',
    phone_number: '01099998888',
    currency: 'krw',
  });
  log(
    'gateway',
    `merchant withdraws ${formatKrw(sweep)} (+ fee ${formatKrw(payoutFeeFor(sweep))}) to its own account (payout ${sweepId}): ` +
      `available now ${formatKrw(sandbox.balance().available)}, less than any refund`,
  );
  const refused = new Map<string, number>();
  for (const { shop, orderId } of plan.filter((p) => p.fate === 'insufficient')) {
    const r = await postRefund(shop, orderId);
    log(
      shop.name,
      `refund ${r.payoutClId} (${formatKrw(r.amount)}): ${r.state}${r.errorCode ? ` ${r.errorCode}` : ''}`,
    );
    if (r.errorCode === '0018') refused.set(shop.name, (refused.get(shop.name) ?? 0) + 1);
  }
  await sandbox.completePayout(sweepId);
  log('gateway', `withdrawal ${sweepId} paid out`);

  await Promise.all(completed.map((id) => sandbox.waitForPayoutDelivery(id, { timeoutMs: 20_000 })));
  await sandbox.idle();
  await showBalance('after the refunds');

  const wrong: string[] = [...notResolved];
  const rows = new Map<string, RefundRow>();
  for (const shop of shops) rows.set(shop.name, { refunded: 0, refused: 0, 'by query': 0 });
  for (const { shop, orderId, fate } of plan) {
    const refund = await refundOf(shop, orderId);
    const row = rows.get(shop.name)!;
    if (refund?.state === 'paid_out') row.refunded++;
    if (refund?.state !== EXPECTED[fate] || (fate === 'insufficient' && refund.errorCode !== '0018'))
      wrong.push(
        `${shop.name}: refund of ${orderId} (${fate}) is ${refund?.state ?? 'missing'}, expected ${EXPECTED[fate]}`,
      );
  }
  for (const shop of shops) {
    const row = rows.get(shop.name)!;
    row.refused = refused.get(shop.name) ?? 0;
    row['by query'] = resolvedByQuery.get(shop.name) ?? 0;
  }
  const duplicates = sandbox.stats().duplicatePayouts;
  if (duplicates !== 0) wrong.push(`the gateway saw ${duplicates} payout(s) sent twice`);
  log('gateway', `payouts sent twice: ${duplicates}`);
  return { rows, wrong };
}
