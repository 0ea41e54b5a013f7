// Verifying one notification with the client's credentials, without the receiver's duplicate tracking.
import { DiamondPayValidationError } from '../errors.js';
import { type DepositNotification, verifyNotification } from '../notifications/verify.js';
import type { ResolvedConfig } from './config.js';

/** Verifying notifications without the receiver's duplicate tracking. */
export class Notifications {
  readonly #config: ResolvedConfig;

  constructor(config: ResolvedConfig) {
    this.#config = config;
  }

  /** Verifies a deposit notification from the raw body and returns it typed; throws a typed error otherwise. */
  async parseDeposit(rawBody: string | Uint8Array | ArrayBuffer): Promise<DepositNotification> {
    const { platformId, platformKey } = this.#config;
    const n = await verifyNotification(rawBody, { platformId, platformKey });
    if (n.kind !== 'deposit') {
      throw new DiamondPayValidationError(
        [{ field: 'payout_id', rule: 'kind', message: 'this is a payout notification, not a deposit one' }],
        'Not a deposit notification',
        'notification_unsupported',
      );
    }
    return n;
  }
}
