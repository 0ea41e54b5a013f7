// Entry for the `node` export condition: same API as index.ts, hashing through node:crypto.
import { setSignatureCrypto } from './signing/crypto.js';
import { nodeCrypto } from './signing/crypto-node.js';

setSignatureCrypto(nodeCrypto);

export * from './index.js';
