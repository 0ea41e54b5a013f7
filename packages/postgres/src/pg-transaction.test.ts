// The round-trip-saving transaction on a real PostgreSQL server: BEGIN and COMMIT travel with the
// ledger's statements, values written as literals read back exactly, and a connection whose prepared
// statements are not what this process believes (DISCARD ALL, another copy of the package) recovers.
import { createHmac } from 'node:crypto';
import { createNotificationReceiver, type LedgerOrderRef } from '@diamondpay/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlLiteral } from './pg-transaction.js';
import { createPostgresLedger, type PostgresLedger } from './postgres-ledger.js';
import { freshPrefix } from './testing/databases.js';
import { startTestPostgres, type TestPostgres } from './testing/postgres-server.js';

const KEY = 'round-trip-test-key';
let server: TestPostgres;
let client: pg.Client;
// Every message the ledger sends on the connection, in order.
const sent: string[] = [];

beforeAll(async () => {
  server = await startTestPostgres();
  client = new pg.Client({ connectionString: server.url });
  client.on('error', () => {});
  await client.connect();
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
  (client as unknown as { query: typeof query }).query = (...args: unknown[]) => {
    if (typeof args[0] === 'string') sent.push(args[0]);
    return query(...args);
  };
}, 60_000);
afterAll(async () => {
  await client?.end();
  await server?.destroy();
});

// Signed like the gateway (HMAC-SHA256 over the sorted fields), independently of the SDK.
function notification(fields: Record<string, string | number>): string {
  const canonical = Object.keys(fields)
    .sort()
    .map((k) => `${k}=${fields[k]}`)
    .join('&');
  const sign = createHmac('sha256', KEY).update(canonical).digest('hex');
  return JSON.stringify({ ...fields, sign_type: 'HMAC-SHA256', sign });
}

function paid(i: number): string {
  const now = Math.floor(Date.now() / 1000);
  return notification({
    payment_id: `PM${String(i).padStart(8, '0')}`,
    payment_cl_id: `ORDER-${i}`,
    platform_id: 'PF0002',
    amount: 100,
    real_amount: 100,
    fee: 1,
    status: 2,
    create_time: now - 5,
    update_time: now,
  });
}

async function shop(): Promise<{ ledger: PostgresLedger; table: string }> {
  const prefix = freshPrefix('rt');
  const ledger = createPostgresLedger({ db: client, tablePrefix: prefix });
  await ledger.migrate();
  const table = `${prefix}shop`;
  await client.query(`CREATE TABLE ${table} (id text PRIMARY KEY, credits integer NOT NULL DEFAULT 0)`);
  return { ledger, table };
}

function receiverFor(ledger: PostgresLedger, table: string) {
  return createNotificationReceiver({
    platformId: 'PF0002',
    platformKey: KEY,
    ledger,
    onDeposit: async (n, _ctx, { tx }) => {
      await tx.query(
        `INSERT INTO ${table} (id, credits) VALUES ($1, 1) ON CONFLICT (id) DO UPDATE SET credits = ${table}.credits + 1`,
        [n.payment_cl_id],
      );
    },
  });
}

describe('a ledger transaction on pg', () => {
  it('costs three messages per notification: BEGIN with the first statement, COMMIT with the last', async () => {
    const { ledger, table } = await shop();
    const receiver = receiverFor(ledger, table);
    // Orders created through the outbox, as a shop with the ledger creates them.
    for (const i of [1, 2]) {
      const ref = { kind: 'deposit' as const, platform_id: 'PF0002', cl_id: `ORDER-${i}` };
      await ledger.beginCreate({
        ...ref,
        amount: 100,
        service_id: 'SVC0015',
        notify_url: 'https://shop.example/notify',
        intent: null,
        now: Date.now(),
        next_check_at: Date.now() + 60_000,
      });
      const gateway_id = `PM${String(i).padStart(8, '0')}`;
      await ledger.finishCreate(ref, { state: 'created', gateway_id, link: null }, Date.now());
    }
    // The first notification on the connection also prepares the ledger's statements.
    expect((await receiver.receive(paid(1), undefined)).status).toBe(200);
    sent.length = 0;
    expect(await receiver.receive(paid(2), undefined)).toMatchObject({ status: 200, effect: 'applied' });
    expect(sent).toHaveLength(3);
    expect(sent[0]).toMatch(/^BEGIN;\s*EXECUTE diamondpay_ledger_/);
    expect(sent[1]).toMatch(new RegExp(`^INSERT INTO ${table}`));
    expect(sent[2]).toMatch(/^EXECUTE diamondpay_ledger_\w+\(.*\);\s*COMMIT$/s);
    const { rows } = await client.query(`SELECT id, credits FROM ${table} ORDER BY id`);
    expect(rows).toEqual([
      { id: 'ORDER-1', credits: 1 },
      { id: 'ORDER-2', credits: 1 },
    ]);
    const ref: LedgerOrderRef = { kind: 'deposit', platform_id: 'PF0002', cl_id: 'ORDER-2' };
    expect(await ledger.getOrder(ref)).toMatchObject({ status: 2, final: true, real_amount: 100, fee: 1 });
    expect(await ledger.getInboxEntry('deposit:PF0002:PM00000002:2')).toMatchObject({ effect: 'applied' });
  });

  it('re-prepares after DISCARD ALL dropped the statements behind its back', async () => {
    const { ledger, table } = await shop();
    const receiver = receiverFor(ledger, table);
    expect((await receiver.receive(paid(11), undefined)).status).toBe(200);
    await client.query('DISCARD ALL');
    expect(await receiver.receive(paid(12), undefined)).toMatchObject({ status: 200, effect: 'applied' });
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${table} WHERE credits = 1`);
    expect(rows[0].n).toBe(2);
  });

  it('learns what a connection already holds when another copy of the package prepared it', async () => {
    const { ledger, table } = await shop();
    const receiver = receiverFor(ledger, table);
    expect((await receiver.receive(paid(21), undefined)).status).toBe(200);
    // What another copy of this package would see: a connection it has no record of.
    const registry = (globalThis as Record<symbol, WeakMap<object, Set<string>>>)[
      Symbol.for('@diamondpay/postgres:prepared-statements')
    ];
    registry?.delete(client);
    expect(await receiver.receive(paid(22), undefined)).toMatchObject({ status: 200, effect: 'applied' });
    // A duplicate is still a duplicate, and nothing was credited twice.
    expect(await receiver.receive(paid(22), undefined)).toMatchObject({ status: 200, outcome: 'duplicate' });
    const { rows } = await client.query(`SELECT id, credits FROM ${table} ORDER BY id`);
    expect(rows).toEqual([
      { id: 'ORDER-21', credits: 1 },
      { id: 'ORDER-22', credits: 1 },
    ]);
  });
});

describe('sqlLiteral', () => {
  it('writes values that read back exactly, whatever standard_conforming_strings is', async () => {
    const texts = ["it's", 'back\\slash', "both \\' mixed", '한국어 ✓', '$1 and $$dollar$$', ''];
    for (const setting of ['on', 'off']) {
      await client.query(`SET standard_conforming_strings = ${setting}`);
      const select = `SELECT ${texts.map((t, i) => `${sqlLiteral(t)} AS t${i}`).join(', ')}`;
      const { rows } = await client.query(select);
      expect(Object.values(rows[0])).toEqual(texts);
    }
    await client.query('SET standard_conforming_strings = on');
    expect(sqlLiteral(null)).toBe('NULL');
    expect(sqlLiteral(undefined)).toBe('NULL');
    expect(sqlLiteral(true)).toBe('TRUE');
    expect(sqlLiteral(-1_733_000_000_000)).toBe('-1733000000000');
  });

  it('refuses what it cannot write safely', () => {
    expect(() => sqlLiteral('a\u0000b')).toThrow(/NUL/);
    expect(() => sqlLiteral(1.5)).toThrow(/not an integer/);
    expect(() => sqlLiteral(Number.NaN)).toThrow(/not an integer/);
    expect(() => sqlLiteral({})).toThrow(TypeError);
  });
});
