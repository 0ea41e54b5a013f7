// DiamondPayModule with a ledger: creates go through the outbox, the @OnDepositNotification() method
// gets { tx, order, source } as its second parameter and runs in the ledger's transaction.
import 'reflect-metadata';
import {
  type DepositNotification,
  DiamondPay,
  type DiscrepancyEvent,
  type LedgerHandlerContext,
  MemoryLedger,
  sign,
} from '@diamondpay/core';
import { type Sandbox, startSandbox } from '@diamondpay/sandbox';
import { type INestApplication, Injectable } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiamondPayModule, DiamondPayService, OnDepositNotification } from './index.js';

const PLATFORM_KEY = 'ThisIsYourSecretKey123';
const ACK = '{"error_code":"0000"}';
const PATH = '/diamondpay/notifications/deposit';

@Injectable()
class LedgerOrders {
  readonly calls: { notification: DepositNotification; ledger: LedgerHandlerContext; request: unknown }[] =
    [];
  failNext = false;

  @OnDepositNotification()
  async onDeposit(notification: DepositNotification, ledger: LedgerHandlerContext, request: unknown) {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('shop database hiccup');
    }
    this.calls.push({ notification, ledger, request });
  }
}

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ timeScale: 0.001, seed: 3 });
});
afterAll(async () => {
  await sandbox?.close();
});

let seq = 0;
const uniqueId = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${seq++}`;

async function signedBody(fields: Record<string, string | number>): Promise<string> {
  const body: Record<string, string | number> = { ...fields, sign_type: 'HMAC-SHA256' };
  body.sign = await sign(body, PLATFORM_KEY);
  return JSON.stringify(body);
}

async function post(url: string, body: string) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: res.status, body: await res.text() };
}

describe.each(['express', 'fastify'] as const)('DiamondPayModule with a ledger · %s', (platform) => {
  const ledger = new MemoryLedger();
  const discrepancies: DiscrepancyEvent[] = [];
  let app: INestApplication;
  let url: string;
  let orders: LedgerOrders;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        DiamondPayModule.forRoot({
          baseUrl: sandbox.url,
          ...sandbox.merchant,
          maxRetries: 0,
          ledger,
          notifications: {
            onDiscrepancy: (event, { tx }) => {
              expect(typeof tx.query).toBe('function');
              discrepancies.push(event);
            },
          },
        }),
      ],
      providers: [LedgerOrders],
    }).compile();
    const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter();
    app = moduleRef.createNestApplication(adapter as never, { logger: false });
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as { port: number };
    url = `http://127.0.0.1:${port}`;
    orders = app.get(LedgerOrders);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('records the create in the ledger and runs the handler once with { tx, order } for the paid notification', async () => {
    const id = uniqueId('ord');
    const created = await app.get(DiamondPayService).deposits.create({
      service_id: 'SVC0015',
      payment_cl_id: id,
      amount: 5_000_000,
      notify_url: `${url}${PATH}`,
    });
    expect(await ledger.getOrder({ kind: 'deposit', platform_id: 'PF0002', cl_id: id })).toMatchObject({
      create_state: 'created',
      gateway_id: created.payment_id,
    });
    await sandbox.pay(id, { realAmount: 4_000_000, delivery: { duplicates: 3 } });
    await sandbox.waitForDelivery(id);
    await sandbox.idle();
    const mine = orders.calls.filter((c) => c.notification.payment_cl_id === id);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.ledger).toMatchObject({
      source: 'notification',
      order: { amount: 5_000_000, real_amount: 4_000_000, status: 2, final: true },
    });
    expect(typeof mine[0]!.ledger.tx.query).toBe('function');
    expect(mine[0]!.request).toBeTruthy();
  });

  it('answers 500 and records nothing when the handler throws; a conflicting final goes to onDiscrepancy', async () => {
    const now = Math.floor(Date.now() / 1000);
    const fields = {
      payment_id: uniqueId('P'),
      payment_cl_id: uniqueId('ord'),
      platform_id: 'PF0002',
      amount: 5_000_000,
      real_amount: 0,
      fee: 0,
      status: 3,
      create_time: now - 60,
      update_time: now,
    };
    orders.failNext = true;
    const cancelled = await signedBody(fields);
    expect((await post(`${url}${PATH}`, cancelled)).status).toBe(500);
    expect(await ledger.getInboxEntry(`deposit:PF0002:${fields.payment_id}:3`)).toBeUndefined();
    expect(await post(`${url}${PATH}`, cancelled)).toEqual({ status: 200, body: ACK });
    const before = orders.calls.length;
    const paid = await signedBody({ ...fields, status: 2, real_amount: 5_000_000 });
    expect(await post(`${url}${PATH}`, paid)).toEqual({ status: 200, body: ACK });
    expect(orders.calls.length).toBe(before);
    expect(discrepancies.filter((d) => d.recorded.cl_id === fields.payment_cl_id)).toEqual([
      expect.objectContaining({ reason: 'conflicting_final' }),
    ]);
  });
});

describe('DiamondPayModule with a reconciler', () => {
  it('starts with the app, completes an order whose notifications were all lost, and stops on close', async () => {
    const ledger = new MemoryLedger();
    const errors: unknown[] = [];
    const moduleRef = await Test.createTestingModule({
      imports: [
        DiamondPayModule.forRoot({
          baseUrl: sandbox.url,
          ...sandbox.merchant,
          maxRetries: 0,
          ledger,
          notifications: {},
          // Ten minutes ahead: the order's first check (a minute after its creation) is already due.
          reconciler: { intervalMs: 10, now: () => Date.now() + 10 * 60_000, onError: (e) => errors.push(e) },
        }),
      ],
      providers: [LedgerOrders],
    }).compile();
    const app = moduleRef.createNestApplication(new ExpressAdapter(), { logger: false });
    await app.listen(0, '127.0.0.1');
    try {
      const orders = app.get(LedgerOrders);
      const id = uniqueId('rec');
      await app.get(DiamondPayService).deposits.create({
        service_id: 'SVC0015',
        payment_cl_id: id,
        amount: 5_000_000,
        notify_url: 'http://127.0.0.1:1/unreachable',
      });
      await sandbox.pay(id, { delivery: { failFirst: 10, lose: 'request' } });
      for (let i = 0; i < 500 && !orders.calls.some((c) => c.notification.payment_cl_id === id); i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      const mine = orders.calls.filter((c) => c.notification.payment_cl_id === id);
      expect(mine).toHaveLength(1);
      expect(mine[0]!.ledger.source).toBe('reconciliation');
      expect(mine[0]!.request).toBeUndefined();
      expect(errors).toEqual([]);
    } finally {
      await app.close();
    }
    // Closed: the reconciler stopped, so a newly due order is left alone.
    await new DiamondPay({ baseUrl: sandbox.url, ...sandbox.merchant, ledger }).deposits.create({
      service_id: 'SVC0015',
      payment_cl_id: uniqueId('after'),
      amount: 5_000_000,
      notify_url: 'http://127.0.0.1:1/unreachable',
    });
    const queries = sandbox.stats().requests.queryDeposit;
    await new Promise((r) => setTimeout(r, 50));
    expect(sandbox.stats().requests.queryDeposit).toBe(queries);
  });

  it('refuses a reconciler without a ledger at startup', async () => {
    const build = Test.createTestingModule({
      imports: [
        DiamondPayModule.forRoot({
          baseUrl: sandbox.url,
          ...sandbox.merchant,
          notifications: {},
          reconciler: { intervalMs: 1000 },
        }),
      ],
      providers: [LedgerOrders],
    }).compile();
    await expect(build).rejects.toThrow(/reconciler.*ledger/);
  });
});
