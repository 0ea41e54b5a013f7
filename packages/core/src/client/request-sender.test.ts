// The one request sender, seen through the GET endpoints: what is retried, and how long it waits.
import { describe, expect, it } from 'vitest';
import { json } from '../testing/fake-gateway.js';
import { caught, client, closeGatewaysAfterEach, gateway } from './test-support.js';
import { MAX_RETRY_AFTER_MS, retryAfterMs } from './transport.js';

closeGatewaysAfterEach();

const balance = {
  error_code: '0000',
  data: { platform_id: 'PF0002', total_balance: 5, total_frozen_balance: 0 },
};

describe('defect 8: GET retries only connection errors, timeouts, 429 and 5xx', () => {
  it.each([
    ['a 404 HTML page', 404, '<html>Not Found</html>', /HTTP 404 .*check baseUrl/],
    ['a 302 redirect', 302, '', /HTTP 302 .*redirect/],
    ['a 200 without data', 200, '{"error_code":"0000"}', /0000 without data/],
    ['a 200 that is not JSON', 200, 'hello', /not JSON/],
  ])('%s is a clear api_error after one request', async (_what, status, body, message) => {
    const g = await gateway((_req, res) => {
      if (status === 302) {
        res.writeHead(302, { location: 'https://elsewhere.example/' });
        res.end();
        return;
      }
      json(res, body, status);
    });
    const e = await caught(client(g).platforms.balance());
    expect(e.code).toBe('api_error');
    expect(e.httpStatus).toBe(status);
    expect(e.message).toMatch(message);
    expect(g.requests).toHaveLength(1);
  });

  it('an error envelope below 500 is not retried; a 5xx one is', async () => {
    let n = 0;
    const g = await gateway((_req, res) => {
      n++;
      if (n === 1) return json(res, { error_code: '9999', error_msg: 'busy' }, 502);
      json(res, balance);
    });
    expect((await client(g).platforms.balance()).total_balance).toBe(5);
    expect(n).toBe(2);
  });
});

describe('Retry-After', () => {
  it('is read as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-12-01T00:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('Tue, 01 Dec 2026 00:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('Tue, 01 Dec 2025 00:00:05 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs('1.5', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(MAX_RETRY_AFTER_MS).toBe(60_000);
  });

  it.each([
    ['seconds', () => '1'],
    ['an HTTP date', () => new Date(Date.now() + 2000).toUTCString()],
  ])('as %s is honoured beyond retryMaxDelayMs', async (_what, header) => {
    const at: number[] = [];
    const g = await gateway((_req, res) => {
      at.push(performance.now());
      if (at.length === 1) {
        res.writeHead(503, { 'retry-after': header() });
        res.end('busy');
        return;
      }
      json(res, balance);
    });
    const dp = client(g, { retryBaseDelayMs: 0, retryMaxDelayMs: 0, now: Date.now });
    expect((await dp.platforms.balance()).total_balance).toBe(5);
    expect(at).toHaveLength(2);
    // Lower bound only: the client waited (about) one second instead of retryMaxDelayMs (0).
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(900);
  });
});
