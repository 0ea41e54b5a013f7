// Compiled with `exactOptionalPropertyTypes: true` (type-tests/tsconfig.json): module options read from the
// environment (`string | undefined`) compile as apps naturally write them.
import { DiamondPayModule } from '@diamondpay/nestjs';

const maybe = process.env.DIAMONDPAY_AUTHORIZATION;
const maybeNumber: number | undefined = process.env.MAX ? Number(process.env.MAX) : undefined;

DiamondPayModule.forRoot({
  baseUrl: 'http://127.0.0.1:4010',
  platformId: 'PF0002',
  platformKey: 'k',
  authorization: maybe,
  maxRetries: maybeNumber,
  isGlobal: process.env.GLOBAL ? true : undefined,
  notifications: { path: process.env.DIAMONDPAY_PATH, maxBodyBytes: maybeNumber, decorators: undefined },
});
DiamondPayModule.forRootAsync({
  useFactory: () => ({
    baseUrl: 'http://127.0.0.1:4010',
    platformId: 'PF0002',
    platformKey: 'k',
    authorization: maybe,
    notifications: { store: undefined, acceptMd5: undefined },
  }),
  notifications: process.env.NOTIFY ? true : undefined,
});
