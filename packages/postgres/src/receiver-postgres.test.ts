// Core's receiver on the PostgreSQL ledger, on a real server: copies of one notification arriving at
// once on several "instances" (pools) run the handler once; the merchant's SQL commits or rolls back
// with the inbox row; a database that is down answers 503 and nothing is lost for the retry.
import { createNotificationReceiver } from '@diamondpay/core';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { depositFields, signedBody, TEST_KEY } from '../../core/src/testing/independent-signer.js';
import { createPostgresLedger } from './postgres-ledger.js';
import { freshPrefix, testPool } from './testing/databases.js';
import { startTestPostgres, type TestPostgres } from './testing/postgres-server.js';

const ACK = '{"error_code":"0000"}';
const base = { platformId: 'PF0002', platformKey: TEST_KEY };

let server: TestPostgres;
let pools: pg.Pool[];
beforeAll(async () => {
  server = await startTestPostgres();
  pools = [0, 1, 2].map(() => testPool(server.url, { max: 5, connectionTimeoutMillis: 1_000 }));
}, 60_000);
afterAll(async () => {
  await Promise.all((pools ?? []).map((p) => p.end()));
  await server?.destroy();
});

/** Three receivers, as on three app instances, on one database; the handler credits a shop table. */
async function instances(prefix: string, onCredit?: () => Promise<void>) {
  const shop = `${prefix}shop`;
  const ledgers = pools.map((db) => createPostgresLedger({ db, tablePrefix: prefix }));
  await ledgers[0]!.migrate();
  await pools[0]!.query(`CREATE TABLE ${shop} (id text PRIMARY KEY, credits integer NOT NULL DEFAULT 0)`);
  const receivers = ledgers.map((ledger) =>
    createNotificationReceiver({
      ...base,
      ledger,
      onDeposit: async (n, _ctx, { tx }) => {
        await tx.query(`UPDATE ${shop} SET credits = credits + 1 WHERE id = $1`, [n.payment_cl_id]);
        await onCredit?.();
      },
    }),
  );
  const credits = async (id: string) =>
    Number((await pools[0]!.query(`SELECT credits FROM ${shop} WHERE id = $1`, [id])).rows[0]?.credits);
  const addOrder = (id: string) => pools[0]!.query(`INSERT INTO ${shop} (id) VALUES ($1)`, [id]);
  return { receivers, ledgers, credits, addOrder };
}

describe('the receiver on the PostgreSQL ledger', () => {
  it('runs the handler once for 12 concurrent copies spread over three instances', async () => {
    const { receivers, credits, addOrder } = await instances(
      freshPrefix('rx'),
      () => new Promise((r) => setTimeout(r, 50)),
    );
    await addOrder('ORDER-1');
    const body = signedBody(depositFields({ payment_cl_id: 'ORDER-1' }));
    const replies = await Promise.all(
      Array.from({ length: 12 }, (_, i) => receivers[i % 3]!.receive(body, undefined)),
    );
    expect(replies.every((r) => r.status === 200 && r.body === ACK)).toBe(true);
    expect(replies.filter((r) => r.outcome === 'processed')).toHaveLength(1);
    expect(replies.filter((r) => r.outcome === 'duplicate')).toHaveLength(11);
    expect(await credits('ORDER-1')).toBe(1);
  });

  it('rolls the credit back with the inbox row when the handler throws, and the retry credits once', async () => {
    let fail = true;
    const { receivers, credits, addOrder, ledgers } = await instances(freshPrefix('rx'), async () => {
      if (fail) throw new Error('the shop failed after crediting');
    });
    await addOrder('ORDER-2');
    const body = signedBody(depositFields({ payment_cl_id: 'ORDER-2', payment_id: 'PM2' }));
    const first = await receivers[0]!.receive(body, undefined);
    expect(first.status).toBe(500);
    expect(first.body).not.toBe(ACK);
    expect(await credits('ORDER-2')).toBe(0);
    expect(await ledgers[0]!.getInboxEntry('deposit:PF0002:PM2:2')).toBeUndefined();
    fail = false;
    expect(await receivers[1]!.receive(body, undefined)).toMatchObject({ status: 200, outcome: 'processed' });
    expect(await receivers[2]!.receive(body, undefined)).toMatchObject({ status: 200, outcome: 'duplicate' });
    expect(await credits('ORDER-2')).toBe(1);
  });

  it('answers 503 while the database is down, and the retry after it is back credits once', async () => {
    const { receivers, credits, addOrder } = await instances(freshPrefix('rx'));
    await addOrder('ORDER-3');
    const body = signedBody(depositFields({ payment_cl_id: 'ORDER-3', payment_id: 'PM3' }));
    await server.stop();
    try {
      const down = await receivers[0]!.receive(body, undefined);
      expect(down.status).toBe(503);
      expect(down.body).not.toBe(ACK);
    } finally {
      await server.start();
    }
    expect(await receivers[0]!.receive(body, undefined)).toMatchObject({ status: 200, outcome: 'processed' });
    expect(await credits('ORDER-3')).toBe(1);
  });

  it('answers 503 when the pool has no free connection in time', async () => {
    const prefix = freshPrefix('rx');
    const small = testPool(server.url, { max: 1, connectionTimeoutMillis: 200 });
    try {
      const ledger = createPostgresLedger({ db: small, tablePrefix: prefix });
      await ledger.migrate();
      const receiver = createNotificationReceiver({ ...base, ledger, onDeposit: () => {} });
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let started!: () => void;
      const isStarted = new Promise<void>((r) => (started = r));
      const holder = ledger.transaction(async () => {
        started();
        await held;
      });
      await isStarted;
      const body = signedBody(depositFields({ payment_id: 'PM4' }));
      expect((await receiver.receive(body, undefined)).status).toBe(503);
      release();
      await holder;
      expect((await receiver.receive(body, undefined)).status).toBe(200);
    } finally {
      await small.end();
    }
  });
});
