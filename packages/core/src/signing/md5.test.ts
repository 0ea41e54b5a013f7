import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { webCrypto } from './crypto-web.js';

// node:crypto is the independent reference for the plain-JS MD5 of the runtime-neutral backend.
const reference = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

describe('runtime-neutral MD5', () => {
  it('matches RFC 1321 test suite', async () => {
    expect(await webCrypto.md5Hex('')).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(await webCrypto.md5Hex('abc')).toBe('900150983cd24fb0d6963f7d28e17f72');
    expect(await webCrypto.md5Hex('message digest')).toBe('f96b697d7cb7938d525a2f31aaf161d0');
    expect(await webCrypto.md5Hex('1234567890'.repeat(8))).toBe('57edf4a22be3c955ac49da2e2107b67a');
  });

  it('matches node:crypto at every length around the block boundaries (0–300 bytes)', async () => {
    for (let n = 0; n <= 300; n++) {
      const s = 'a'.repeat(n);
      expect(await webCrypto.md5Hex(s), `length ${n}`).toBe(reference(s));
    }
  });

  it('matches node:crypto on any text, UTF-8 encoded (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 400 }), async (s) => {
        expect(await webCrypto.md5Hex(s)).toBe(reference(s));
      }),
      { numRuns: 500 },
    );
  });

  it('matches node:crypto on a 100 KiB message', async () => {
    const s = '가나다라마바사'.repeat(5000);
    expect(await webCrypto.md5Hex(s)).toBe(reference(s));
  });
});
