// Node-only hashing backend, reached only through the `node` export condition (index.node.ts).
import { createHash, createHmac } from 'node:crypto';
import type { SignatureCrypto } from './crypto.js';

export const nodeCrypto: SignatureCrypto = {
  hmacSha256Hex(key, message) {
    return Promise.resolve(createHmac('sha256', key).update(message, 'utf8').digest('hex'));
  },
  md5Hex(message) {
    return Promise.resolve(createHash('md5').update(message, 'utf8').digest('hex'));
  },
};
