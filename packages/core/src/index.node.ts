// Entry for the `node` export condition: same API as index.ts, hashing through node:crypto.
import { setSignatureCrypto } from './crypto.js';
import { nodeCrypto } from './crypto-node.js';

setSignatureCrypto(nodeCrypto);

export * from './index.js';
