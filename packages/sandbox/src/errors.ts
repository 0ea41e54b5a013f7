// The sandbox's own error: thrown by the control methods (pay, cancel, completePayout, setFaults...) and mapped
// one-to-one onto the HTTP control API's JSON errors.

export type SandboxErrorCode =
  | 'order_not_found'
  | 'order_final'
  | 'payout_not_found'
  | 'payout_final'
  | 'invalid_request'
  | 'closed';

const HTTP_STATUS: Record<SandboxErrorCode, number> = {
  order_not_found: 404,
  order_final: 409,
  payout_not_found: 404,
  payout_final: 409,
  invalid_request: 400,
  closed: 503,
};

export class SandboxError extends Error {
  readonly code: SandboxErrorCode;
  /** The status the HTTP control API answers with. */
  readonly httpStatus: number;

  constructor(code: SandboxErrorCode, message: string) {
    super(message);
    this.code = code;
    this.httpStatus = HTTP_STATUS[code];
    Object.defineProperty(this, 'name', { value: 'SandboxError', enumerable: false, configurable: true });
  }

  toJSON(): { error: SandboxErrorCode; message: string } {
    return { error: this.code, message: this.message };
  }
}

export function invalid(message: string): SandboxError {
  return new SandboxError('invalid_request', message);
}
