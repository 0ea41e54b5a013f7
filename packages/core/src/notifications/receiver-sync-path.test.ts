// The receiver's synchronous path (node:crypto hashing + an unmodified in-memory store): the same
// behaviour as the promise path, which the other receiver tests run on the default Web Crypto backend.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setSignatureCrypto, signatureCrypto } from '../signing/crypto.js';
import { nodeCrypto } from '../signing/crypto-node.js';
import { depositFields, signedBody, TEST_KEY } from '../testing/independent-signer.js';
import { createNotificationReceiver } from './receiver.js';
import { type ClaimResult, MemoryNotificationStore } from './store.js';
import type { DepositNotification } from './verify.js';

const ACK = '{"error_code":"0000"}';
const base = { platformId: 'PF0002', platformKey: TEST_KEY };
const original = signatureCrypto();
beforeEach(() => setSignatureCrypto(nodeCrypto));
afterEach(() => setSignatureCrypto(original));

describe.each([
  ['node:crypto (synchronous verify)', () => setSignatureCrypto(nodeCrypto)],
  ['Web Crypto (verify as a promise)', () => setSignatureCrypto(original)],
])('receiver with the in-memory store, %s', (_name, useBackend) => {
  beforeEach(useBackend);

  it('runs a synchronous handler once, acknowledges, then answers duplicate', async () => {
    const onDeposit = vi.fn((_n: DepositNotification) => {});
    const store = new MemoryNotificationStore();
    const r = createNotificationReceiver({ ...base, onDeposit, store });
    const body = signedBody(depositFields());
    const first = r.receive(body, undefined);
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toMatchObject({ status: 200, body: ACK, outcome: 'processed' });
    expect(await r.receive(body, undefined)).toMatchObject({ status: 200, body: ACK, outcome: 'duplicate' });
    expect(onDeposit).toHaveBeenCalledTimes(1);
    expect(store.size).toBe(1);
  });

  it('runs an async handler once for 20 concurrent copies and acknowledges all', async () => {
    let running = 0;
    let maxRunning = 0;
    const onDeposit = vi.fn(async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((res) => setTimeout(res, 10));
      running--;
    });
    const r = createNotificationReceiver({ ...base, onDeposit });
    const body = signedBody(depositFields());
    const results = await Promise.all(Array.from({ length: 20 }, () => r.receive(body, undefined)));
    expect(onDeposit).toHaveBeenCalledTimes(1);
    expect(maxRunning).toBe(1);
    expect(results.every((x) => x.status === 200 && x.body === ACK)).toBe(true);
    expect(results.filter((x) => x.outcome === 'processed')).toHaveLength(1);
  });

  it('a handler throwing synchronously is not acknowledged, releases the claim, and the retry runs', async () => {
    let fail = true;
    const onDeposit = vi.fn(() => {
      if (fail) throw new Error('database down');
    });
    const onResult = vi.fn();
    const r = createNotificationReceiver({ ...base, onDeposit, onResult });
    const body = signedBody(depositFields());
    expect(await r.receive(body, undefined)).toMatchObject({ status: 500, outcome: 'failed' });
    fail = false;
    expect(await r.receive(body, undefined)).toMatchObject({ status: 200, outcome: 'processed' });
    expect(onDeposit).toHaveBeenCalledTimes(2);
    expect(onResult.mock.calls.map((c) => c[0].outcome)).toEqual(['failed', 'processed']);
  });

  it('a rejected handler promise is not acknowledged and releases the claim', async () => {
    let fail = true;
    const r = createNotificationReceiver({
      ...base,
      onDeposit: async () => {
        if (fail) throw new Error('no');
      },
    });
    const body = signedBody(depositFields());
    expect(await r.receive(body, undefined)).toMatchObject({ status: 500, outcome: 'failed' });
    fail = false;
    expect(await r.receive(body, undefined)).toMatchObject({ status: 200, outcome: 'processed' });
  });

  it('a handler delivering its own notification again from inside itself does not run twice', async () => {
    const body = signedBody(depositFields());
    const nested: Promise<{ outcome: string; status: number }>[] = [];
    const onDeposit = vi.fn(() => {
      if (nested.length === 0) nested.push(r.receive(body, undefined));
    });
    const r = createNotificationReceiver({ ...base, onDeposit });
    expect(await r.receive(body, undefined)).toMatchObject({ status: 200, outcome: 'processed' });
    // Synchronous verify: the inner copy arrives while the handler runs (busy); with Web Crypto it
    // is verified after the first completed (duplicate). Never a second run.
    const inner = await nested[0]!;
    expect(['busy', 'duplicate']).toContain(inner.outcome);
    expect(onDeposit).toHaveBeenCalledTimes(1);
    expect(await r.receive(body, undefined)).toMatchObject({ status: 200, outcome: 'duplicate' });
  });

  it('a bad signature is refused with 401', async () => {
    const body = signedBody(depositFields(), { key: 'another key' });
    const r = createNotificationReceiver({ ...base, onDeposit: () => {} });
    expect(await r.receive(body, undefined)).toMatchObject({ status: 401, outcome: 'rejected' });
  });
});

describe('receiver with a modified in-memory store', () => {
  it('calls an overriding subclass (no synchronous shortcut past it)', async () => {
    const claims: string[] = [];
    class Counting extends MemoryNotificationStore {
      override claim(key: string, token: string, leaseMs: number): Promise<ClaimResult> {
        claims.push(key);
        return super.claim(key, token, leaseMs);
      }
    }
    const r = createNotificationReceiver({ ...base, onDeposit: () => {}, store: new Counting() });
    const body = signedBody(depositFields());
    expect((await r.receive(body, undefined)).outcome).toBe('processed');
    expect((await r.receive(body, undefined)).outcome).toBe('duplicate');
    expect(claims).toHaveLength(2);
  });

  it('calls a spied instance method', async () => {
    const store = new MemoryNotificationStore();
    const complete = vi.spyOn(store, 'complete');
    const r = createNotificationReceiver({ ...base, onDeposit: () => {}, store });
    expect((await r.receive(signedBody(depositFields()), undefined)).outcome).toBe('processed');
    expect(complete).toHaveBeenCalledTimes(1);
  });
});
