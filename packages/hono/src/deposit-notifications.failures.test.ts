// Failures are visible by default: a 5xx reply sets c.error (what error-tracking middleware reads after
// `await next()`) and is printed with console.error unless onError is given.
import { depositNotifications } from '@diamondpay/hono';
import { Hono } from 'hono';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { jsonPost, PLATFORM_ID, PLATFORM_KEY, signedDeposit } from './test-support.js';

afterEach(() => {
  vi.restoreAllMocks();
});

function app(options: { onError?: (error: unknown) => void } = {}) {
  const seen: (Error | undefined)[] = [];
  const hono = new Hono();
  // An error-tracking middleware, as @hono/sentry and friends are written.
  hono.use('*', async (c, next) => {
    await next();
    seen.push(c.error);
  });
  hono.all(
    '/notify',
    depositNotifications({
      platformId: PLATFORM_ID,
      platformKey: PLATFORM_KEY,
      onDeposit() {
        throw new Error('the shop database is down');
      },
      ...options,
    }),
  );
  return { hono, seen };
}

describe('depositNotifications: failures are visible by default', () => {
  it('sets c.error and prints the handler error for the 500 reply; a 4xx sets nothing', async () => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { hono, seen } = app();
    const res = await hono.request('/notify', jsonPost(await signedDeposit({ payment_id: 'PMFAIL0001' })));
    expect(res.status).toBe(500);
    expect(seen[0]?.message).toBe('the shop database is down');
    expect(printed).toHaveBeenCalledTimes(1);
    expect(printed.mock.calls[0]!.join(' ')).toContain('failed (500)');

    const refused = await hono.request('/notify', jsonPost('{"broken":'));
    expect(refused.status).toBe(400);
    expect(seen[1]).toBeUndefined();
    expect(printed).toHaveBeenCalledTimes(1);
  });

  it('does not print when onError is given (it gets the error), and still sets c.error', async () => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {});
    const reported: unknown[] = [];
    const { hono, seen } = app({ onError: (error) => reported.push(error) });
    const res = await hono.request('/notify', jsonPost(await signedDeposit({ payment_id: 'PMFAIL0002' })));
    expect(res.status).toBe(500);
    expect(seen[0]?.message).toBe('the shop database is down');
    expect((reported[0] as Error).message).toBe('the shop database is down');
    expect(printed).not.toHaveBeenCalled();
  });

  it('answers another method with 405 and Allow: POST when mounted with app.all', async () => {
    const { hono } = app();
    const res = await hono.request('/notify', { method: 'GET' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });
});
