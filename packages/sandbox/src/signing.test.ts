// The sandbox's own signing against the published vectors (checked with openssl and md5sum), and a
// guard that the gateway, notifier and CLI never fall back to core's signer.
import { readFileSync } from 'node:fs';
import { JsonNumber, parseJsonRaw } from '@diamondpay/core';
import { describe, expect, it } from 'vitest';
import vectors from './__fixtures__/vectors.json' with { type: 'json' };
import { canonical, signParams, signTypeOf, verifyParams } from './signing.js';

const KEY = vectors.platform_key;

describe('sandbox signing', () => {
  for (const v of vectors.vectors) {
    it(`matches the vector ${v.name}`, () => {
      const params = v.params as Record<string, unknown>;
      expect(canonical(params)).toBe(v.canonical);
      expect(signParams(params, KEY, 'HMAC-SHA256')).toBe(v.hmac_sha256);
      expect(signParams(params, KEY, 'MD5')).toBe(v.md5);
    });
  }

  it('signs a JSON number as the text that arrived, arrays as compact JSON, keeps 0, drops empties', () => {
    const body = parseJsonRaw('{"amount":100.00,"last":["1","2"],"fee":0,"x":"","y":null}') as Record<
      string,
      unknown
    >;
    expect(body.amount).toBeInstanceOf(JsonNumber);
    expect(canonical(body)).toBe('amount=100.00&fee=0&last=["1","2"]');
  });

  it('verifies with the algorithm sign_type names (absent: MD5), case-insensitive hex, and refuses others', () => {
    const fields = { platform_id: 'PF0002', amount: '5000' };
    const hmac = { ...fields, sign_type: 'HMAC-SHA256', sign: signParams(fields, KEY, 'HMAC-SHA256') };
    const md5 = { ...fields, sign: signParams(fields, KEY, 'MD5').toUpperCase() };
    expect(verifyParams(hmac, KEY)).toBe(true);
    expect(verifyParams(md5, KEY)).toBe(true);
    expect(verifyParams(hmac, 'OtherKey')).toBe(false);
    expect(verifyParams({ ...hmac, sign_type: undefined }, KEY)).toBe(false);
    expect(verifyParams({ ...hmac, sign: 42 }, KEY)).toBe(false);
    expect(signTypeOf({ sign_type: 'SHA1' })).toBeNull();
  });

  it("is the only signer in the gateway, the notifier and the CLI (no import of core's sign/verify)", () => {
    for (const file of [
      'gateway.ts',
      'payout-gateway.ts',
      'notifier.ts',
      'cli-commands.ts',
      'cli-trigger.ts',
      'server.ts',
    ]) {
      const source = readFileSync(new URL(`./${file}`, import.meta.url), 'utf8');
      const coreImports = [...source.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@diamondpay\/core'/g)].map(
        (m) => m[1],
      );
      for (const names of coreImports) expect(names, file).not.toMatch(/\b(sign|verify|canonicalString)\b/);
    }
  });
});
