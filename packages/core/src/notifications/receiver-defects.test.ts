// Regression tests for the receiver defects of issue #10 (1: key count before verifying; 6: onError,
// complete retries, update_time, nested key order, consumed Node streams).
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { describe, expect, it, vi } from 'vitest';
import { depositFields, independentCanonical, signedBody, TEST_KEY } from '../testing/independent-signer.js';
import { readBodyLimited } from './body.js';
import { createNotificationReceiver } from './receiver.js';
import { MemoryNotificationStore, type NotificationStore } from './store.js';
import type { DepositNotification } from './verify.js';

const ACK = '{"error_code":"0000"}';
const base = { platformId: 'PF0002', platformKey: TEST_KEY };

function receiverWith(onDeposit: (n: DepositNotification) => unknown = () => {}, extra = {}) {
  return createNotificationReceiver({ ...base, onDeposit, ...extra });
}

function errorCode(body: string): string {
  return (JSON.parse(body) as { error_code: string }).error_code;
}

describe('too many fields (defect 1)', () => {
  it('refuses a correctly signed body with more than 64 top-level fields before the handler', async () => {
    const fields: Record<string, unknown> = depositFields();
    for (let i = 0; i < 60; i++) fields[`x${i}`] = 'v';
    const onDeposit = vi.fn();
    const res = await receiverWith(onDeposit).receive(signedBody(fields), undefined);
    expect(res).toMatchObject({ status: 400, outcome: 'rejected' });
    expect(errorCode(res.body)).toBe('notification_malformed');
    expect(res.body).toContain('more than 64 fields');
    expect(onDeposit).not.toHaveBeenCalled();
  });

  it('refuses the hostile 64 KiB body of 6,400 keys in descending order as malformed', async () => {
    const parts: string[] = [];
    for (let i = 6400; i > 0; i--) parts.push(`"k${String(i).padStart(4, '0')}":1`);
    const hostile = `{${parts.join(',')},"sign":"${'0'.repeat(64)}","sign_type":"HMAC-SHA256"}`;
    const onDeposit = vi.fn();
    const onError = vi.fn();
    const res = await receiverWith(onDeposit, { onError }).receive(hostile, undefined);
    expect(res).toMatchObject({ status: 400, outcome: 'rejected' });
    expect(errorCode(res.body)).toBe('notification_malformed');
    expect(onDeposit).not.toHaveBeenCalled();
    expect(onError).toHaveBeenCalledTimes(1);
  });

  it('still accepts a notification with 64 fields', async () => {
    const fields: Record<string, unknown> = depositFields();
    // 10 fields + sign_type + sign = 12; 52 extra make 64.
    for (let i = 0; i < 52; i++) fields[`x${i}`] = 'v';
    const res = await receiverWith().receive(signedBody(fields), undefined);
    expect(res).toMatchObject({ status: 200, body: ACK });
  });
});

describe('onError and store.complete (defect 6)', () => {
  it('resolves (acknowledged) when complete keeps failing and onError throws', async () => {
    const store: NotificationStore = {
      claim: () => Promise.resolve('claimed'),
      complete: () => Promise.reject(new Error('store down')),
      release: () => Promise.resolve(),
    };
    const onError = vi.fn(() => {
      throw new Error('logger broke');
    });
    const onDeposit = vi.fn();
    const res = await receiverWith(onDeposit, { store, onError }).receive(
      signedBody(depositFields()),
      undefined,
    );
    expect(res).toMatchObject({ status: 200, body: ACK, outcome: 'processed' });
    expect(onDeposit).toHaveBeenCalledTimes(1);
    expect(onError).toHaveBeenCalledTimes(1);
  });

  it('retries a failing complete (bounded) so the success is recorded', async () => {
    const memory = new MemoryNotificationStore();
    let failures = 2;
    const complete = vi.fn((key: string, token: string, ms: number) =>
      failures-- > 0 ? Promise.reject(new Error('blip')) : memory.complete(key, token, ms),
    );
    const store: NotificationStore = {
      claim: (k, t, ms) => memory.claim(k, t, ms),
      complete,
      release: (k, t) => memory.release(k, t),
    };
    const onError = vi.fn();
    const onDeposit = vi.fn();
    const r = receiverWith(onDeposit, { store, onError });
    const body = signedBody(depositFields());
    expect((await r.receive(body, undefined)).outcome).toBe('processed');
    expect(complete).toHaveBeenCalledTimes(3);
    expect(onError).not.toHaveBeenCalled();
    expect((await r.receive(body, undefined)).outcome).toBe('duplicate');
    expect(onDeposit).toHaveBeenCalledTimes(1);
  });

  it('gives up after 3 tries of complete and reports it once', async () => {
    const complete = vi.fn(() => Promise.reject(new Error('store down')));
    const store: NotificationStore = {
      claim: () => Promise.resolve('claimed'),
      complete,
      release: () => Promise.resolve(),
    };
    const onError = vi.fn();
    const res = await receiverWith(() => {}, { store, onError }).receive(
      signedBody(depositFields()),
      undefined,
    );
    expect(res.status).toBe(200);
    expect(complete).toHaveBeenCalledTimes(3);
    expect(onError).toHaveBeenCalledTimes(1);
  });
});

describe('update_time guard (defect 6)', () => {
  const nowS = 1_767_225_600; // 2026-01-01T00:00:00Z
  const now = () => nowS * 1000;

  it.each([
    ['16 minutes ahead', nowS + 16 * 60],
    ['a day ahead', nowS + 86_400],
    ['milliseconds', nowS * 1000],
  ])('refuses an update_time %s', async (_what, updateTime) => {
    const onDeposit = vi.fn();
    const res = await receiverWith(onDeposit, { now }).receive(
      signedBody(depositFields({ create_time: nowS - 60, update_time: updateTime })),
      undefined,
    );
    expect(res).toMatchObject({ status: 400, outcome: 'rejected' });
    expect(errorCode(res.body)).toBe('notification_time_invalid');
    expect(onDeposit).not.toHaveBeenCalled();
  });

  it('accepts an update_time up to 15 minutes ahead (clock skew)', async () => {
    const res = await receiverWith(() => {}, { now }).receive(
      signedBody(depositFields({ create_time: nowS - 60, update_time: nowS + 15 * 60 })),
      undefined,
    );
    expect(res.status).toBe(200);
  });
});

describe('nested objects are signed in source key order (defect 6)', () => {
  it('verifies {"b":1,"2":2} as it arrived, not reordered to {"2":2,"b":1}', async () => {
    const fields = depositFields();
    const nested = '{"b":1,"2":2,"a":{"9":0,"x":1}}';
    // The gateway signs the nested object as its compact JSON text.
    const canonical = independentCanonical({ ...fields, meta: nested });
    const sign = createHmac('sha256', TEST_KEY).update(canonical).digest('hex');
    const body = `${JSON.stringify(fields).slice(0, -1)},"meta":${nested},"sign_type":"HMAC-SHA256","sign":"${sign}"}`;
    const seen: DepositNotification[] = [];
    const res = await receiverWith((n) => void seen.push(n)).receive(body, undefined);
    expect(res).toMatchObject({ status: 200, body: ACK });
    expect(seen[0]!.extra.meta).toEqual({ b: 1, 2: 2, a: { 9: 0, x: 1 } });
  });
});

describe('an already consumed Node stream (defect 6)', () => {
  it('is refused at once with 500 configuration_error, over a real server', async () => {
    const r = receiverWith(() => {});
    const server = createServer(async (req: IncomingMessage, res) => {
      // A body parser that kept no raw copy.
      for await (const _ of req) {
        // drain
      }
      const result = await readBodyLimited(req, r.maxBodyBytes).then(
        (body) => r.receive(body, undefined),
        (error) => r.reject(error, undefined),
      );
      res.writeHead(result.status, result.headers).end(result.body);
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    try {
      const res = await fetch(url, {
        method: 'POST',
        body: signedBody(depositFields()),
        signal: AbortSignal.timeout(3000),
      });
      expect(res.status).toBe(500);
      const body = await res.text();
      expect(errorCode(body)).toBe('configuration_error');
      expect(body).toContain('body parser');
    } finally {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    }
  });
});
