// Compiled with `exactOptionalPropertyTypes: true` (type-tests/tsconfig.json): options read from the
// environment (`string | undefined`) compile as apps naturally write them.
import { depositNotifications, diamondPay } from '@diamondpay/hono';

const maybe = process.env.DIAMONDPAY_AUTHORIZATION;
const maybeNumber: number | undefined = process.env.MAX ? Number(process.env.MAX) : undefined;
const connection = { baseUrl: 'http://127.0.0.1:4010', platformId: 'PF0002', platformKey: 'k' };

diamondPay({ ...connection, authorization: maybe, timeoutMs: maybeNumber });
depositNotifications({
  ...connection,
  authorization: maybe,
  onDeposit: () => {},
  maxBodyBytes: maybeNumber,
  retentionSeconds: maybeNumber,
  onError: undefined,
});
