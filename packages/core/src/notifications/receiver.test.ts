import { describe, expect, it, vi } from 'vitest';
import vectors from '../__fixtures__/vectors.json' with { type: 'json' };
import { ACK_BODY } from '../protocol/constants.js';
import { depositFields, signedBody, TEST_KEY } from '../testing/independent-signer.js';
import { readBodyLimited } from './body.js';
import { createNotificationReceiver } from './receiver.js';
import { MemoryNotificationStore, type NotificationStore } from './store.js';
import type { DepositNotification } from './verify.js';

const ACK = '{"error_code":"0000"}';
const base = { platformId: 'PF0002', platformKey: TEST_KEY };

function receiverWith(onDeposit: (n: DepositNotification) => unknown = () => {}, extra = {}) {
  return createNotificationReceiver({ ...base, onDeposit, ...extra });
}

describe('notification receiver', () => {
  it('verifies the published notification vector (HMAC and MD5) as raw text and acknowledges', async () => {
    const v = vectors.vectors.find((x) => x.name === 'deposit-notification')!;
    const now = () => ((v.params.update_time as number) + 60) * 1000;
    const seen: DepositNotification[] = [];
    const r = createNotificationReceiver({
      platformId: 'PF0014',
      platformKey: TEST_KEY,
      onDeposit: (n) => void seen.push(n),
      now,
    });
    const hmacBody = JSON.stringify({ ...v.params, sign_type: 'HMAC-SHA256', sign: v.hmac_sha256 });
    const res = await r.receive(hmacBody, undefined);
    expect(res).toMatchObject({ status: 200, body: ACK, outcome: 'processed' });
    expect(res.headers['content-type']).toMatch(/application\/json/);
    const md5Body = JSON.stringify({ ...v.params, status: undefined, sign: v.md5 }).replace(
      '}',
      `,"status":2}`,
    );
    // MD5 vector, fields in another order: the signature does not depend on order.
    const res2 = await createNotificationReceiver({
      platformId: 'PF0014',
      platformKey: TEST_KEY,
      onDeposit: () => {},
      now,
    }).receive(md5Body, undefined);
    expect(res2.status).toBe(200);
    expect(seen[0]).toMatchObject({
      kind: 'deposit',
      payment_id: 'PM00000102',
      amount: 400000,
      real_amount: 400000,
      fee: 3200,
      status: 2,
      outcome: 'paid',
      sign_type: 'HMAC-SHA256',
    });
  });

  it('verifies numbers as the text that arrived (5000.00 is not 5000)', async () => {
    const fields = depositFields();
    // Signed over the text "5000.00", sent as the JSON number 5000.00: verifies.
    const body = signedBody({ ...fields, amount: '5000.00' }).replace(
      '"amount":"5000.00"',
      '"amount":5000.00',
    );
    // Signed over "5000" (what JSON.parse would turn 5000.00 into), sent as 5000.00: must not verify.
    const reparsed = signedBody({ ...fields, amount: 5000 }).replace('"amount":5000,', '"amount":5000.00,');
    const onDeposit = vi.fn();
    const res = await receiverWith(onDeposit).receive(body, undefined);
    expect(res.status).toBe(200);
    expect(onDeposit.mock.calls[0]![0].amount).toBe(5000);
    expect((await receiverWith().receive(reparsed, undefined)).status).toBe(401);
  });

  it('runs the handler once for 50 concurrent copies, and acknowledges all of them', async () => {
    let running = 0;
    let maxRunning = 0;
    const onDeposit = vi.fn(async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((r) => setTimeout(r, 20));
      running--;
    });
    const r = receiverWith(onDeposit);
    const body = signedBody(depositFields());
    const results = await Promise.all(Array.from({ length: 50 }, () => r.receive(body, undefined)));
    expect(onDeposit).toHaveBeenCalledTimes(1);
    expect(maxRunning).toBe(1);
    expect(results.every((x) => x.status === 200 && x.body === ACK)).toBe(true);
    expect(results.filter((x) => x.outcome === 'processed')).toHaveLength(1);
    // And later copies too.
    expect((await r.receive(body, undefined)).outcome).toBe('duplicate');
    expect(onDeposit).toHaveBeenCalledTimes(1);
  });

  it('treats another status of the same order as a new notification', async () => {
    const onDeposit = vi.fn();
    const r = receiverWith(onDeposit);
    await r.receive(signedBody(depositFields({ status: 1 })), undefined);
    await r.receive(signedBody(depositFields({ status: 2 })), undefined);
    expect(onDeposit.mock.calls.map((c) => c[0].status)).toEqual([1, 2]);
  });

  it('does not acknowledge when the handler throws, releases the claim, and acknowledges the retry', async () => {
    let fail = true;
    const onDeposit = vi.fn(async () => {
      if (fail) throw new Error('database down: secret=hunter2');
    });
    const onError = vi.fn();
    const r = receiverWith(onDeposit, { onError });
    const body = signedBody(depositFields());
    const first = await r.receive(body, undefined);
    expect(first.status).toBe(500);
    expect(first.body).not.toBe(ACK);
    expect(first.body).not.toContain('hunter2');
    expect(first.outcome).toBe('failed');
    expect(onError).toHaveBeenCalledTimes(1);
    fail = false;
    const second = await r.receive(body, undefined);
    expect(second).toMatchObject({ status: 200, body: ACK, outcome: 'processed' });
    expect(onDeposit).toHaveBeenCalledTimes(2);
  });

  it('concurrent copies of a failing notification are all refused', async () => {
    const r = receiverWith(async () => {
      await new Promise((res) => setTimeout(res, 10));
      throw new Error('no');
    });
    const body = signedBody(depositFields());
    const results = await Promise.all(Array.from({ length: 5 }, () => r.receive(body, undefined)));
    expect(results.every((x) => x.status !== 200)).toBe(true);
  });

  it.each([
    ['empty body', '', 400, 'notification_malformed'],
    ['malformed JSON', '{"payment_id":', 400, 'notification_malformed'],
    ['non-object JSON', '[1,2]', 400, 'notification_malformed'],
    ['JSON string', '"hello"', 400, 'notification_malformed'],
    ['JSON number', '42', 400, 'notification_malformed'],
    ['JSON true', 'true', 400, 'notification_malformed'],
    ['missing sign', JSON.stringify(depositFields()), 401, 'signature_invalid'],
    ['empty sign', JSON.stringify({ ...depositFields(), sign: '' }), 401, 'signature_invalid'],
    ['non-hex sign', JSON.stringify({ ...depositFields(), sign: 'z'.repeat(32) }), 401, 'signature_invalid'],
    [
      'unknown sign_type',
      JSON.stringify({ ...depositFields(), sign_type: 'SHA1', sign: 'a'.repeat(40) }),
      401,
      'signature_invalid',
    ],
    ['wrong key', signedBody(depositFields(), { key: 'another-key' }), 401, 'signature_invalid'],
    [
      'tampered amount',
      signedBody(depositFields()).replace('"real_amount":50000000', '"real_amount":50000001'),
      401,
      'signature_invalid',
    ],
    ['other platform_id', signedBody(depositFields({ platform_id: 'PF9999' })), 401, 'platform_mismatch'],
    ['non-integer amount', signedBody(depositFields({ amount: '1.5' })), 400, 'notification_invalid'],
    [
      'huge amount',
      signedBody(depositFields({ amount: '123456789012345678901234567890' })),
      400,
      'notification_invalid',
    ],
    ['missing status', signedBody(depositFields({ status: undefined })), 400, 'notification_invalid'],
    [
      'ancient update_time',
      signedBody(depositFields({ update_time: 1567614111 })),
      400,
      'notification_expired',
    ],
    ['duplicate keys', '{"a":1,"a":2}', 400, 'notification_malformed'],
  ])('refuses %s without running the handler', async (_name, body, status, code) => {
    const onDeposit = vi.fn();
    const res = await receiverWith(onDeposit).receive(body, undefined);
    expect(res.status).toBe(status);
    expect(res.outcome).toBe('rejected');
    expect(JSON.parse(res.body).error_code).toBe(code);
    expect(onDeposit).not.toHaveBeenCalled();
  });

  it('refuses bodies over the limit (413), in bytes, for strings and bytes', async () => {
    const r = receiverWith();
    const big = `{"x":"${'a'.repeat(70_000)}"}`;
    expect((await r.receive(big, undefined)).status).toBe(413);
    expect((await r.receive(new TextEncoder().encode(big), undefined)).status).toBe(413);
    // 30 000 Hangul characters = 90 000 bytes: over 64 KiB although under 64 Ki characters.
    expect((await r.receive(`{"x":"${'한'.repeat(30_000)}"}`, undefined)).status).toBe(413);
  });

  it('refuses invalid UTF-8 bytes', async () => {
    const res = await receiverWith().receive(new Uint8Array([0x7b, 0xff, 0x7d]), undefined);
    expect(res.status).toBe(400);
  });

  it('can refuse MD5 notifications', async () => {
    const body = signedBody(depositFields(), { signType: 'MD5' });
    expect((await receiverWith(() => {}).receive(body, undefined)).status).toBe(200);
    expect((await receiverWith(() => {}, { acceptMd5: false }).receive(body, undefined)).status).toBe(401);
  });

  it('answers 503 and runs nothing when the store fails, 409 when another instance holds the claim', async () => {
    const broken: NotificationStore = {
      claim: () => Promise.reject(new Error('store down')),
      complete: () => Promise.resolve(),
      release: () => Promise.resolve(),
    };
    const onDeposit = vi.fn();
    const body = signedBody(depositFields());
    expect((await receiverWith(onDeposit, { store: broken }).receive(body, undefined)).status).toBe(503);
    const shared = new MemoryNotificationStore();
    let aStarted!: () => void;
    let finishA!: () => void;
    const started = new Promise<void>((res) => {
      aStarted = res;
    });
    const a = receiverWith(
      () => {
        aStarted();
        return new Promise<void>((res) => {
          finishA = res;
        });
      },
      { store: shared },
    );
    const b = receiverWith(onDeposit, { store: shared });
    // b is sent while a holds the claim, and a finishes only after b was answered (verification is
    // asynchronous: fixed delays could let b win or let a finish first on a loaded machine).
    const pendingA = a.receive(body, undefined);
    await started;
    const rb = await b.receive(body, undefined);
    finishA();
    const ra = await pendingA;
    expect(ra.status).toBe(200);
    expect(rb).toMatchObject({ status: 409, outcome: 'busy' });
    expect((await b.receive(body, undefined)).outcome).toBe('duplicate');
    expect(onDeposit).not.toHaveBeenCalled();
  });

  it('lets a crashed claim be retried after the processing timeout', async () => {
    let now = Date.now();
    const store = new MemoryNotificationStore({ now: () => now });
    const body = signedBody(depositFields());
    await store.claim('deposit:PF0002:PM00000102:2', 'crashed-instance', 300_000);
    const onDeposit = vi.fn();
    const r = receiverWith(onDeposit, { store, now: () => now });
    expect((await r.receive(body, undefined)).status).toBe(409);
    now += 301_000;
    expect((await r.receive(body, undefined)).status).toBe(200);
    expect(onDeposit).toHaveBeenCalledTimes(1);
  });

  it('handles Web Requests: method, content type, streamed size limit', async () => {
    const onDeposit = vi.fn();
    const results: string[] = [];
    const r = receiverWith(onDeposit, { onResult: (x: { outcome: string }) => results.push(x.outcome) });
    const body = signedBody(depositFields());
    const ok = await r.handleRequest(
      new Request('http://localhost/n', {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      }),
      undefined,
    );
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe(ACK);
    const get = await r.handleRequest(new Request('http://localhost/n'), undefined);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    const text = await r.handleRequest(
      new Request('http://localhost/n', { method: 'POST', body, headers: { 'content-type': 'text/plain' } }),
      undefined,
    );
    expect(text.status).toBe(415);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 20; i++) c.enqueue(new Uint8Array(8192).fill(0x20));
        c.close();
      },
    });
    const big = await r.handleRequest(
      new Request('http://localhost/n', { method: 'POST', body: stream, duplex: 'half' } as RequestInit),
      undefined,
    );
    expect(big.status).toBe(413);
    expect(onDeposit).toHaveBeenCalledTimes(1);
    expect(results).toEqual(['processed', 'rejected', 'rejected', 'rejected']);
  });

  it('prechecks method, content type and declared length for adapters, and reports refusals to onResult', async () => {
    const seen: [string, number, string][] = [];
    const r = createNotificationReceiver<string>({
      ...base,
      onDeposit: () => {},
      onResult: (x, ctx) => void seen.push([x.outcome, x.status, ctx]),
    });
    expect(
      r.precheck(
        { method: 'POST', contentType: 'application/json; charset=utf-8', contentLength: '300' },
        'a',
      ),
    ).toBeUndefined();
    expect(r.precheck({ method: 'PUT' }, 'b')?.status).toBe(405);
    expect(
      r.precheck({ method: 'POST', contentType: 'application/x-www-form-urlencoded' }, 'c')?.status,
    ).toBe(415);
    expect(r.precheck({ method: 'POST', contentLength: 65_537 }, 'd')?.status).toBe(413);
    const rejected = r.reject(new Error('stream consumed'), 'e');
    expect(rejected.status).toBe(500);
    expect(rejected.body).not.toContain('stream consumed');
    expect(seen).toEqual([
      ['rejected', 405, 'b'],
      ['rejected', 415, 'c'],
      ['rejected', 413, 'd'],
      ['rejected', 500, 'e'],
    ]);
  });

  it('reads a Node request stream with the limit and can still answer 413 on the same socket', async () => {
    const { createServer } = await import('node:http');
    const r = receiverWith(() => {});
    const server = createServer(async (req, res) => {
      const result = await readBodyLimited(req, r.maxBodyBytes).then(
        (body) => r.receive(body, undefined),
        (error) => r.reject(error, undefined),
      );
      res.writeHead(result.status, result.headers).end(result.body);
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    try {
      const ok = await fetch(url, { method: 'POST', body: signedBody(depositFields()) });
      expect([ok.status, await ok.text()]).toEqual([200, ACK]);
      // Chunked (no Content-Length), 160 KiB: refused while streaming, and the reply still arrives.
      const chunks = new ReadableStream<Uint8Array>({
        start(c) {
          for (let i = 0; i < 20; i++) c.enqueue(new Uint8Array(8192).fill(0x20));
          c.close();
        },
      });
      const big = await fetch(url, { method: 'POST', body: chunks, duplex: 'half' } as RequestInit);
      expect(big.status).toBe(413);
      expect(JSON.parse(await big.text()).error_code).toBe('notification_too_large');
    } finally {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    }
  });

  it('refuses unsafe options', () => {
    expect(() => createNotificationReceiver({ ...base })).toThrow(/onDeposit/);
    expect(() => createNotificationReceiver({ ...base, onDeposit: () => {}, retentionSeconds: 60 })).toThrow(
      /retentionSeconds/,
    );
    expect(() =>
      createNotificationReceiver({ ...base, platformKey: `${TEST_KEY} `, onDeposit: () => {} }),
    ).toThrow(/white space/);
  });

  it('exports the exact ack body', () => {
    expect(ACK_BODY).toBe(ACK);
  });
});
