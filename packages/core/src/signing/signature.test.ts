import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import vectors from '../__fixtures__/vectors.json' with { type: 'json' };
import { setSignatureCrypto, signatureCrypto } from './crypto.js';
import { nodeCrypto } from './crypto-node.js';
import { webCrypto } from './crypto-web.js';
import { canonicalString, parseSignType, sign, verify } from './signature.js';

const KEY = vectors.platform_key;
const original = signatureCrypto();
afterEach(() => setSignatureCrypto(original));

describe.each([
  ['Web Crypto + pure MD5 (default entry)', webCrypto],
  ['node:crypto (node entry)', nodeCrypto],
])('published vectors with %s', (_name, impl) => {
  for (const v of vectors.vectors) {
    it(`${v.name}: canonical string, HMAC-SHA256, MD5, verify`, async () => {
      setSignatureCrypto(impl);
      expect(canonicalString(v.params)).toBe(v.canonical);
      expect(await sign(v.params, KEY)).toBe(v.hmac_sha256);
      expect(await sign(v.params, KEY, 'HMAC-SHA256')).toBe(v.hmac_sha256);
      expect(await sign(v.params, KEY, 'MD5')).toBe(v.md5);
      expect(await verify({ ...v.params, sign_type: 'HMAC-SHA256', sign: v.hmac_sha256 }, KEY)).toBe(true);
      expect(await verify({ ...v.params, sign_type: undefined, sign: v.md5 }, KEY)).toBe(true);
      expect(await verify({ ...v.params, sign_type: 'MD5', sign: v.md5 }, KEY)).toBe(true);
      // Hex case does not matter.
      expect(
        await verify({ ...v.params, sign_type: 'HMAC-SHA256', sign: v.hmac_sha256.toUpperCase() }, KEY),
      ).toBe(true);
      // An HMAC signature is not accepted as MD5 and vice versa.
      expect(await verify({ ...v.params, sign_type: undefined, sign: v.hmac_sha256 }, KEY)).toBe(false);
      expect(await verify({ ...v.params, sign_type: 'HMAC-SHA256', sign: v.md5 }, KEY)).toBe(false);
    });
  }
});

describe('parseSignType', () => {
  it('takes the gateway spelling and any other case; anything else is unsupported (null)', () => {
    expect(['HMAC-SHA256', 'hmac-sha256', 'Hmac-Sha256'].map(parseSignType)).toEqual(
      Array(3).fill('HMAC-SHA256'),
    );
    expect(['MD5', 'md5', 'Md5'].map(parseSignType)).toEqual(['MD5', 'MD5', 'MD5']);
    expect([undefined, null, ''].map(parseSignType)).toEqual([undefined, undefined, undefined]);
    expect(['SHA1', 'HMAC-SHA256 ', 5, {}].map(parseSignType)).toEqual([null, null, null, null]);
  });
});

describe('canonicalString rules', () => {
  it('drops sign, sign_type and empty values but keeps 0 and false', () => {
    expect(
      canonicalString({ b: 0, a: '', c: null, d: undefined, sign: 'x', sign_type: 'MD5', e: false, f: 'v' }),
    ).toBe('b=0&e=false&f=v');
  });
  it('sorts by ASCII (uppercase before lowercase, "_" between) and does not URL-encode', () => {
    expect(canonicalString({ b_x: 'a&b=c', B: '한글 값', a: 'https://x.y/?q=1 2' })).toBe(
      'B=한글 값&a=https://x.y/?q=1 2&b_x=a&b=c',
    );
  });
  it('writes arrays and objects as compact JSON without escaping non-ASCII', () => {
    expect(canonicalString({ list: ['테스', 1, true], obj: { k: 'v' } })).toBe(
      'list=["테스",1,true]&obj={"k":"v"}',
    );
  });
  it('writes large integers as plain decimal text', () => {
    expect(canonicalString({ n: 1e21, m: 12345678901234567890n })).toBe(
      'm=12345678901234567890&n=1000000000000000000000',
    );
  });
  it('refuses values that cannot be signed', () => {
    expect(() => canonicalString({ n: Number.NaN })).toThrow(/n: must be a finite number/);
    expect(() => canonicalString({ f: () => 1 })).toThrow(/f: a function cannot be signed/);
  });
});

describe('verify refuses', () => {
  const v = vectors.vectors[3]!;
  it('a missing, non-string, malformed or unknown-type signature', async () => {
    expect(await verify({ ...v.params }, KEY)).toBe(false);
    expect(await verify({ ...v.params, sign: 123 }, KEY)).toBe(false);
    expect(await verify({ ...v.params, sign_type: 'HMAC-SHA256', sign: `${v.hmac_sha256}00` }, KEY)).toBe(
      false,
    );
    expect(
      await verify({ ...v.params, sign_type: 'HMAC-SHA256', sign: `${v.hmac_sha256.slice(0, 63)}g` }, KEY),
    ).toBe(false);
    expect(await verify({ ...v.params, sign_type: 'SHA1', sign: v.md5 }, KEY)).toBe(false);
  });
  it('a signature with any character outside the hex alphabet, even one that lowercases onto a hex digit', async () => {
    for (const [signType, good] of [
      ['HMAC-SHA256', v.hmac_sha256],
      [undefined, v.md5],
    ] as const) {
      const at = good.search(/[0-9]/);
      const digit = good.charCodeAt(at);
      const letter = good.search(/[a-f]/);
      const swap = (i: number, c: string) => `${good.slice(0, i)}${c}${good.slice(i + 1)}`;
      const params = { ...v.params, ...(signType ? { sign_type: signType } : {}) };
      // The reference itself, and in upper case, verify.
      expect(await verify({ ...params, sign: good }, KEY)).toBe(true);
      expect(await verify({ ...params, sign: good.toUpperCase() }, KEY)).toBe(true);
      for (const bad of [
        swap(at, String.fromCharCode(digit - 0x20)), // a control character: digit ^ 0x20
        swap(at, String.fromCharCode(0x0660 + digit - 0x30)), // an Arabic-Indic digit
        swap(letter, String.fromCharCode(good.charCodeAt(letter) - 0x20 + 0x80)), // past ASCII
        swap(letter, String.fromCharCode(good.charCodeAt(letter) + 6)), // g..l
      ]) {
        expect(bad).toHaveLength(good.length);
        expect(await verify({ ...params, sign: bad }, KEY)).toBe(false);
      }
    }
  });
  it('an empty key, loudly', async () => {
    await expect(verify({ ...v.params, sign: v.md5 }, '')).rejects.toThrow(/platformKey/);
    expect(() => sign(v.params, '')).toThrow(/platformKey/);
  });
});

// Property tests: any change to any signed field, or to the key, breaks the signature.
const key = fc.string({ minLength: 1, maxLength: 40 });
const value = fc.oneof(
  fc.string({ minLength: 1, maxLength: 30 }).filter((s) => s !== ''),
  fc.integer({ min: 0, max: 9_999_999_999 }),
);
const params = fc.dictionary(
  fc.stringMatching(/^[a-z][a-z_]{0,15}$/).filter((k) => k !== 'sign' && k !== 'sign_type'),
  value,
  { minKeys: 1, maxKeys: 12 },
);

describe.each([
  ['HMAC-SHA256', 'HMAC-SHA256'],
  ['MD5', undefined],
] as const)('properties with %s', (signType, wireType) => {
  it('round trip: what is signed verifies', async () => {
    await fc.assert(
      fc.asyncProperty(params, key, async (p, k) => {
        const s = await sign(p, k, signType);
        return verify({ ...p, sign_type: wireType, sign: s }, k);
      }),
      { numRuns: 200 },
    );
  });
  it('tampering any field value fails verification', async () => {
    await fc.assert(
      fc.asyncProperty(params, key, fc.nat(), async (p, k, pick) => {
        const s = await sign(p, k, signType);
        const keys = Object.keys(p);
        const field = keys[pick % keys.length]!;
        const tampered = { ...p, [field]: `${p[field]}1`, sign_type: wireType, sign: s };
        return !(await verify(tampered, k));
      }),
      { numRuns: 200 },
    );
  });
  it('adding a field or using another key fails verification', async () => {
    await fc.assert(
      fc.asyncProperty(params, key, key, async (p, k, other) => {
        fc.pre(k !== other);
        const s = await sign(p, k, signType);
        const added = { ...p, zz_added: 'x', sign_type: wireType, sign: s };
        return !(await verify({ ...p, sign_type: wireType, sign: s }, other)) && !(await verify(added, k));
      }),
      { numRuns: 200 },
    );
  });
});

describe('canonical string ordering (defects 1 and 6)', () => {
  it('sorts many keys (the Array#sort path) exactly like the independent signer', async () => {
    const { independentCanonical } = await import('../testing/independent-signer.js');
    const params: Record<string, unknown> = {};
    for (let i = 3000; i > 0; i--) params[`k${i.toString(36)}_${i % 7}`] = i;
    params.Z = 'upper';
    params._ = 'underscore';
    expect(canonicalString(params)).toBe(independentCanonical(params));
  });

  it('writes a parsed nested object in its source key order', async () => {
    const { parseJsonRaw } = await import('../json/raw-json.js');
    const parsed = parseJsonRaw('{"m":{"b":1,"2":2,"n":{"10":true,"1":null}},"a":[{"3":1,"c":2}]}');
    expect(canonicalString(parsed as Record<string, unknown>)).toBe(
      'a=[{"3":1,"c":2}]&m={"b":1,"2":2,"n":{"10":true,"1":null}}',
    );
  });
});

describe('canonical string with the key-order cache', () => {
  it('is right for shapes that alternate, share a length, or list the same keys in another order', async () => {
    const { independentCanonical } = await import('../testing/independent-signer.js');
    const shapes: Record<string, unknown>[] = [
      { b: 2, a: 1, sign: 'x' },
      { c: 3, a: 1, sign_type: 'MD5' },
      { a: 1, b: 2, sign: 'x' },
      { z: '', y: 'y', x: 0 },
      { b_: 'u', B: 'v', _b: 'w', b: 'x' },
      { e: 5, d: 4, c: 3, b: 2, a: 1 },
      { b: 2, a: 1, sign: 'x' },
    ];
    // More shapes than the cache holds, twice over, in changing order.
    for (let round = 0; round < 3; round++)
      for (const p of round === 1 ? [...shapes].reverse() : shapes)
        expect(canonicalString(p)).toBe(independentCanonical(p));
  });
});

describe('node:crypto MD5 with and without crypto.hash', () => {
  it('matches every published vector both ways', async () => {
    const nodeCryptoModule = await import('node:crypto');
    const { md5Hasher } = await import('./crypto-node.js');
    for (const md5 of [md5Hasher(nodeCryptoModule.hash), md5Hasher(undefined)])
      for (const v of vectors.vectors) expect(md5(`${v.canonical}&${KEY}`)).toBe(v.md5);
  });
});

describe('the key-order cache and long keys', () => {
  it('signs a shape of long keys correctly, call after call', async () => {
    const { independentCanonical } = await import('../testing/independent-signer.js');
    const long = { [`k${'x'.repeat(100)}`]: 'a', b: 1 };
    for (let i = 0; i < 3; i++) expect(canonicalString(long)).toBe(independentCanonical(long));
  });
});
