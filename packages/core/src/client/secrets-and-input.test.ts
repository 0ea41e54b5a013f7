// Defect 5 (secrets never leave through errors) and the input checks the client owns: the
// authorization header value, extraParams, order ids made of dots, own-property field checks.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { DiamondPayValidationError } from '../errors.js';
import { json } from '../testing/fake-gateway.js';
import { TEST_KEY } from '../testing/independent-signer.js';
import { DiamondPay } from './client.js';
import {
  AUTH,
  answerCreated,
  caught,
  client,
  closeGatewaysAfterEach,
  createOrder,
  gateway,
  params,
} from './test-support.js';
import type { FetchLike } from './transport.js';

closeGatewaysAfterEach();

/** Everything a logger or an error reporter could print about an error, its causes included. */
function everything(e: unknown): string {
  const parts = [inspect(e, { depth: 10, showHidden: true }), JSON.stringify(e)];
  for (let c: unknown = e, i = 0; c && i < 10; c = (c as { cause?: unknown }).cause, i++) {
    const err = c as { message?: unknown; stack?: unknown };
    parts.push(String(err.message), String(err.stack), JSON.stringify(c), inspect(c, { depth: 10 }));
  }
  return parts.join('\n');
}

describe('defect 5: secrets', () => {
  // A fetch whose error echoes the request (some proxies and polyfills do).
  const leakyFetch: FetchLike = async (_url, init) => {
    const headers = JSON.stringify(init.headers);
    const inner = Object.assign(new Error(`socket hang up; headers ${headers}`), {
      code: 'ECONNRESET',
      headers: init.headers,
    });
    throw Object.assign(new TypeError(`fetch failed for ${AUTH} with key ${TEST_KEY}`), { cause: inner });
  };
  const leaky = () => client({ url: 'http://127.0.0.1:9' }, { fetch: leakyFetch, maxRetries: 1 });

  it.each([
    ['deposits.create', (dp: DiamondPay) => dp.deposits.create(params)],
    ['deposits.retrieve', (dp: DiamondPay) => dp.deposits.retrieve('ORDER-1')],
    ['platforms.balance', (dp: DiamondPay) => dp.platforms.balance()],
  ])('%s: no secret in message, cause, stack, JSON or inspect', async (_name, call) => {
    const e = await caught(call(leaky()));
    expect(['outcome_unknown', 'connection_error']).toContain(e.code);
    const shown = everything(e);
    expect(shown).not.toContain(AUTH);
    expect(shown).not.toContain(TEST_KEY);
    // What is kept of the foreign error: its name and code, not its text.
    expect(shown).toContain('ECONNRESET');
    expect(shown).toContain('TypeError');
  });

  it.each([
    ['a line break', 'abc\r\nX-Injected: 1'],
    ['a tab', 'abc\tdef'],
    ['a control character', 'abc\u0000def'],
    ['non-ASCII', 'abc토큰'],
  ])('refuses an authorization with %s at construction, without echoing it', (_what, authorization) => {
    let error: DiamondPayValidationError | undefined;
    try {
      new DiamondPay({
        baseUrl: 'https://gw.example',
        platformId: 'PF0002',
        platformKey: TEST_KEY,
        authorization,
      });
    } catch (e) {
      error = e as DiamondPayValidationError;
    }
    expect(error?.code).toBe('configuration_error');
    expect(error?.issues).toEqual([
      expect.objectContaining({ field: 'authorization', rule: 'header_value' }),
    ]);
    expect(error?.message).not.toContain('abc');
  });

  it('accepts a token with inner spaces (visible ASCII)', () => {
    expect(
      () =>
        new DiamondPay({
          baseUrl: 'https://gw.example',
          platformId: 'PF0002',
          platformKey: TEST_KEY,
          authorization: 'Token abc-DEF_123.=/+',
        }),
    ).not.toThrow();
  });
});

describe('extraParams and field names', () => {
  it.each([
    [{ ratio: 1e-7 }, 'ratio', 'integer'],
    [{ big: 2 ** 53 }, 'big', 'integer'],
    [{ note: 'a&b' }, 'note', 'characters'],
    [{ note: 'x=1' }, 'note', 'characters'],
    [{ flag: true }, 'flag', 'type'],
  ])('refuses %j', async (extraParams, field, rule) => {
    const g = await gateway((_req, res) => json(res, {}));
    const e = (await caught(
      client(g).deposits.create(params, { extraParams: extraParams as never }),
    )) as unknown as DiamondPayValidationError;
    expect(e.code).toBe('validation_error');
    expect(e.issues).toEqual([expect.objectContaining({ field, rule })]);
    expect(g.requests).toHaveLength(0);
  });

  it('judges names by own properties: "constructor" is a fine extra param, "toString" an unknown field', async () => {
    const g = await gateway((req, res, gw) => answerCreated(res, createOrder(req, gw)));
    await client(g).deposits.create(params, { extraParams: { constructor: 'x', device: 7 } });
    expect(JSON.parse(g.requests[0]!.body)).toMatchObject({ constructor: 'x', device: 7 });
    const e = (await caught(
      client(g).deposits.create({ ...params, toString: 'x' } as never),
    )) as unknown as DiamondPayValidationError;
    expect(e.issues).toEqual([expect.objectContaining({ field: 'toString', rule: 'unknown_field' })]);
    expect(g.requests).toHaveLength(1);
  });

  it.each([
    '.',
    '..',
    '...',
  ])('refuses the order id %j (a URL dot-segment) in create and retrieve', async (id) => {
    const g = await gateway((_req, res) => json(res, {}));
    const dp = client(g);
    const created = (await caught(
      dp.deposits.create({ ...params, payment_cl_id: id }),
    )) as unknown as DiamondPayValidationError;
    expect(created.issues).toEqual([expect.objectContaining({ field: 'payment_cl_id', rule: 'pattern' })]);
    const queried = (await caught(dp.deposits.retrieve(id))) as unknown as DiamondPayValidationError;
    expect(queried.code).toBe('validation_error');
    expect(queried.message).toContain('not only dots');
    expect(g.requests).toHaveLength(0);
  });

  it('still accepts ids with dots among other characters', async () => {
    const g = await gateway((req, res, gw) => answerCreated(res, createOrder(req, gw)));
    expect((await client(g).deposits.create({ ...params, payment_cl_id: 'a.b..c' })).payment_cl_id).toBe(
      'a.b..c',
    );
  });
});
