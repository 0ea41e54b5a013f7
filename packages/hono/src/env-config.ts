// `diamondPay()` with no options: the connection options from the `DIAMONDPAY_*` environment variables or
// bindings, read with `env(c)` (Workers bindings, Deno/Bun/Node environment), as `@hono/clerk-auth` does.
import { type DiamondPayConfig, DiamondPayValidationError, type SignType } from '@diamondpay/core';

/** The variables and bindings `diamondPay()` reads when called without options, by option. */
export const DIAMONDPAY_ENV = {
  baseUrl: 'DIAMONDPAY_BASE_URL',
  platformId: 'DIAMONDPAY_PLATFORM_ID',
  platformKey: 'DIAMONDPAY_PLATFORM_KEY',
  authorization: 'DIAMONDPAY_AUTHORIZATION',
  signType: 'DIAMONDPAY_SIGN_TYPE',
} as const;

const REQUIRED = ['baseUrl', 'platformId', 'platformKey'] as const;

/** Connection options from `DIAMONDPAY_*` values; a missing required one is a configuration error naming it. */
export function configFromEnv(values: Readonly<Record<string, unknown>>): DiamondPayConfig {
  const read = (name: string): string | undefined => {
    const value = values[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const missing = REQUIRED.filter((option) => read(DIAMONDPAY_ENV[option]) === undefined);
  if (missing.length > 0) {
    throw new DiamondPayValidationError(
      missing.map((option) => ({
        field: DIAMONDPAY_ENV[option],
        rule: 'required',
        message: `is not set: diamondPay() was called without options, so it reads ${option} from env(c) (a Workers binding or an environment variable)`,
      })),
      'Invalid Diamond Pay configuration',
      'configuration_error',
    );
  }
  const config: DiamondPayConfig = {
    baseUrl: read(DIAMONDPAY_ENV.baseUrl)!,
    platformId: read(DIAMONDPAY_ENV.platformId)!,
    platformKey: read(DIAMONDPAY_ENV.platformKey)!,
  };
  const authorization = read(DIAMONDPAY_ENV.authorization);
  if (authorization !== undefined) config.authorization = authorization;
  const signType = read(DIAMONDPAY_ENV.signType);
  // An unknown value is passed on, so the client's own validation names the field and the allowed values.
  if (signType !== undefined) config.signType = signType as SignType;
  return config;
}
