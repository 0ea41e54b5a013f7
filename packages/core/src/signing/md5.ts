// MD5 (RFC 1321) in a few hundred bytes, for the runtime-neutral backend: Web Crypto has no MD5, and
// the gateway's legacy signatures need it. Checked against node:crypto on any input (md5.test.ts)
// and against the published vectors. Replaces @noble/hashes, which cost a Workers bundle ~1.5 KB gzip.

// Per-round shift amounts, four per round.
const SHIFTS = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
let sines: Int32Array | undefined;

/** The 16-byte MD5 digest of `bytes`, as four little-endian 32-bit words (A, B, C, D). */
export function md5Words(bytes: Uint8Array): [number, number, number, number] {
  // K[i] = floor(|sin(i + 1)| · 2^32): exact in IEEE doubles, as RFC 1321's table is computed.
  sines ??= Int32Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32));
  const k = sines;
  const n = bytes.length;
  // Message, the 0x80 byte, zero padding and the 64-bit bit length fill whole 64-byte blocks.
  const words = (((n + 8) >>> 6) + 1) * 16;
  const x = new Int32Array(words);
  for (let i = 0; i < n; i++) x[i >> 2]! |= bytes[i]! << ((i & 3) * 8);
  x[n >> 2]! |= 0x80 << ((n & 3) * 8);
  x[words - 2] = n << 3;
  x[words - 1] = Math.floor(n / 2 ** 29);
  let a = 0x67452301;
  let b = 0xefcdab89 | 0;
  let c = 0x98badcfe | 0;
  let d = 0x10325476;
  for (let block = 0; block < words; block += 16) {
    let A = a;
    let B = b;
    let C = c;
    let D = d;
    for (let j = 0; j < 64; j++) {
      let f: number;
      let g: number;
      if (j < 16) {
        f = (B & C) | (~B & D);
        g = j;
      } else if (j < 32) {
        f = (D & B) | (~D & C);
        g = (5 * j + 1) & 15;
      } else if (j < 48) {
        f = B ^ C ^ D;
        g = (3 * j + 5) & 15;
      } else {
        f = C ^ (B | ~D);
        g = (7 * j) & 15;
      }
      const sum = (A + f + k[j]! + x[block + g]!) | 0;
      const s = SHIFTS[(j >> 4) * 4 + (j & 3)]!;
      A = D;
      D = C;
      C = B;
      B = (B + ((sum << s) | (sum >>> (32 - s)))) | 0;
    }
    a = (a + A) | 0;
    b = (b + B) | 0;
    c = (c + C) | 0;
    d = (d + D) | 0;
  }
  return [a, b, c, d];
}
