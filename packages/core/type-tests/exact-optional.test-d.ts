// Compiled with `exactOptionalPropertyTypes: true` (type-tests/tsconfig.json): an optional option may be
// given a value that can be undefined, e.g. `authorization: process.env.X`, as apps naturally write it.
import {
  createNotificationReceiver,
  DiamondPay,
  type DiamondPayConfig,
  MemoryNotificationStore,
  type NotificationStore,
  type SignType,
} from '@diamondpay/core';

const maybeString = process.env.DIAMONDPAY_AUTHORIZATION;
const maybeNumber: number | undefined = process.env.TIMEOUT ? Number(process.env.TIMEOUT) : undefined;
const maybeSignType: SignType | undefined = undefined;
const maybeStore: NotificationStore | undefined = process.env.SHARED
  ? new MemoryNotificationStore()
  : undefined;

const config: DiamondPayConfig = {
  baseUrl: 'http://127.0.0.1:4010',
  platformId: 'PF0002',
  platformKey: 'k',
  authorization: maybeString,
  signType: maybeSignType,
  timeoutMs: maybeNumber,
  maxRetries: maybeNumber,
  retryBaseDelayMs: maybeNumber,
  retryMaxDelayMs: maybeNumber,
  fetch: undefined,
  now: undefined,
};
new DiamondPay(config);

createNotificationReceiver({
  platformId: 'PF0002',
  platformKey: 'k',
  onDeposit: () => {},
  onPayout: undefined,
  store: maybeStore,
  retentionSeconds: maybeNumber,
  processingTimeoutSeconds: maybeNumber,
  maxBodyBytes: maybeNumber,
  acceptMd5: process.env.MD5 ? true : undefined,
  onError: undefined,
  onResult: undefined,
  now: undefined,
});
