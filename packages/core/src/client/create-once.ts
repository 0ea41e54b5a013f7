// The create flow, written once for every resource that creates an order under the merchant's own id
// (deposits and payouts). It never creates two orders for one id: after an attempt whose outcome
// is unknown it waits `settleMs`, then asks the gateway, and only resends when the deployment opted in
// (`resendUnknown`) and the order is not there. Outcomes are explicit values; the resource turns them
// into a result or a typed error (and a ledger can record them).
import { DiamondPayApiError, type DiamondPayConnectionError } from '../errors.js';
import type { RawJsonObject } from '../json/raw-json.js';
import { GatewayErrorCode } from '../protocol/constants.js';
import { sign } from '../signing/signature.js';
import type { ResolvedConfig } from './config.js';
import type { RequestOptions, RequestSender } from './request-sender.js';
import { sleep } from './transport.js';

/** A create's signed JSON body: the fields, `platform_id`, `request_time` (seconds) and the signature. */
export async function signedCreateBody(
  config: ResolvedConfig,
  fields: Record<string, unknown>,
): Promise<string> {
  const body: Record<string, unknown> = {
    ...fields,
    platform_id: config.platformId,
    request_time: Math.floor(config.now() / 1000),
  };
  if (config.signType === 'HMAC-SHA256') body.sign_type = 'HMAC-SHA256';
  body.sign = await sign(body, config.platformKey, config.signType);
  return JSON.stringify(body);
}

export interface CreateSpec<Created, Rec> {
  /** `POST` path, e.g. `GatewayPath.CREATE_DEPOSIT`. */
  path: string;
  /** The merchant's order id the create is for (`payment_cl_id`, `payout_cl_id`). */
  clId: string;
  /** The signed JSON body for one attempt (signed afresh each time: `request_time` moves). */
  body: () => Promise<string>;
  /** Types a success answer's `data`; throws `DiamondPayApiError` when it is malformed. */
  created: (data: RawJsonObject, status: number) => Created;
  /** The order id a success answer names. */
  createdId: (created: Created) => string;
  /** Queries the order by `clId`; rejects with the gateway's `0050` when it does not exist. */
  lookup: (options: RequestOptions) => Promise<Rec>;
  /** The order id a queried record names. */
  recordId: (record: Rec) => string;
  /** True when a queried record is the order asked for (same amount, …), not another one under the id. */
  sameOrder: (record: Rec) => boolean;
  /** Overrides the client's `resendUnknown` for this resource (payouts pass `false`: never sent twice). */
  resendUnknown?: boolean;
}

export type CreateOutcome<Created, Rec> =
  /** The gateway created the order and said so. */
  | { kind: 'created'; result: Created }
  /** The order exists (queried after an unknown outcome), but the answer with its details was lost. */
  | { kind: 'found'; record: Rec }
  /** An order exists under this id, and it is not the one asked for. */
  | { kind: 'conflict'; record: Rec }
  /** The gateway refused the order (an error envelope). Nothing was created. */
  | { kind: 'refused'; error: DiamondPayApiError }
  /** Nothing reached the gateway, on every attempt. */
  | { kind: 'not_sent'; error: DiamondPayConnectionError }
  /** The order may or may not exist and the SDK could not find out. */
  | { kind: 'unknown'; reason: string; cause: unknown };

type Lookup<Rec> =
  | { kind: 'found'; record: Rec }
  | { kind: 'conflict'; record: Rec }
  | { kind: 'not_found' }
  | { kind: 'unknown'; reason: string; cause: unknown };

/** Creates an order at most once; see the file comment. Rejects only with an abort before anything was sent. */
export async function createOnce<Created, Rec>(
  sender: RequestSender,
  spec: CreateSpec<Created, Rec>,
  options: RequestOptions,
): Promise<CreateOutcome<Created, Rec>> {
  const { maxRetries } = sender.config;
  const resendUnknown = spec.resendUnknown ?? sender.config.resendUnknown;
  const settleMs = sender.config.settleMs ?? sender.timeoutOf(options);
  // True once a POST may have reached the gateway: from then on an abort is an unknown outcome.
  let maybeSent = false;
  let resent = false;
  for (let attempt = 1; ; attempt++) {
    const a = await sender.attempt({ method: 'POST', path: spec.path, body: await spec.body() }, options);
    let unknown: { reason: string; cause: unknown };
    let retryAfter: number | undefined;
    switch (a.kind) {
      case 'answered': {
        let created: Created;
        try {
          created = spec.created(a.data, a.status);
        } catch (error) {
          unknown = { reason: 'the gateway answered success with a malformed order', cause: error };
          break;
        }
        if (spec.createdId(created) === spec.clId) return { kind: 'created', result: created };
        // Another order's answer (a mixed-up proxy or gateway): never a result. Ask about ours.
        unknown = {
          reason: `the gateway's success answer named another order ("${spec.createdId(created)}")`,
          cause: new DiamondPayApiError(
            { httpStatus: a.status, path: spec.path },
            `Diamond Pay ${spec.path}: the success answer is for another order id.`,
          ),
        };
        break;
      }
      case 'refused': {
        if (resent) {
          // A resend was refused: maybe because an earlier attempt did create the order after all.
          const found = await resolve(spec, options, a.error);
          if (found.kind === 'found' || found.kind === 'conflict') return found;
        }
        return { kind: 'refused', error: a.error };
      }
      case 'not_sent': {
        if (attempt > maxRetries) {
          if (maybeSent)
            return { kind: 'unknown', reason: 'the last resend could not connect', cause: a.error };
          return { kind: 'not_sent', error: a.error };
        }
        const paused = await pauseOrAbort(sender.pause(attempt, undefined, options.signal), maybeSent);
        if (paused) return paused;
        continue;
      }
      case 'aborted': {
        if (!a.requestSent && !maybeSent) throw a.reason;
        return {
          kind: 'unknown',
          reason: 'the call was aborted after the request was sent',
          cause: a.reason,
        };
      }
      case 'unknown':
        unknown = { reason: describeUnknown(a.error), cause: a.error };
        retryAfter = a.retryAfterMs;
        break;
    }
    maybeSent = true;
    if (sender.config.authorization === undefined) {
      const reason = `${unknown.reason}; no \`authorization\` token is configured, so the SDK cannot query the order`;
      return { kind: 'unknown', reason, cause: unknown.cause };
    }
    // The gateway may still be processing this very request: give it time before asking.
    const settled = await pauseOrAbort(sleep(settleMs, options.signal), true);
    if (settled)
      return { kind: 'unknown', reason: `${unknown.reason}; ${settled.reason}`, cause: settled.cause };
    const found = await resolve(spec, options, unknown.cause);
    if (found.kind === 'unknown')
      return { kind: 'unknown', reason: `${unknown.reason}; ${found.reason}`, cause: found.cause };
    if (found.kind !== 'not_found') return found;
    if (!resendUnknown || attempt > maxRetries) {
      return {
        kind: 'unknown',
        reason:
          `${unknown.reason}; ${settleMs} ms later the gateway had no such order, but it may still appear. ` +
          (resendUnknown
            ? 'No retries are left'
            : spec.resendUnknown === false
              ? 'It is never sent again after an unknown outcome'
              : 'Resending is safe only where your deployment refuses a reused order id (then set resendUnknown: true)'),
        cause: unknown.cause,
      };
    }
    resent = true;
    const paused = await pauseOrAbort(sender.pause(attempt, retryAfter, options.signal), true);
    if (paused) return paused;
  }
}

/** Looks the order up and judges the record: the same order, a different one under the id, or none. */
async function resolve<Created, Rec>(
  spec: CreateSpec<Created, Rec>,
  options: RequestOptions,
  cause: unknown,
): Promise<Lookup<Rec>> {
  let record: Rec;
  try {
    record = await spec.lookup(options);
  } catch (error) {
    if (error instanceof DiamondPayApiError && error.errorCode === GatewayErrorCode.ORDER_NOT_FOUND)
      return { kind: 'not_found' };
    const what =
      typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
        ? `the order query failed too (${error.code})`
        : 'the order query failed too';
    return { kind: 'unknown', reason: what, cause: error };
  }
  const id = spec.recordId(record);
  if (id !== spec.clId)
    return {
      kind: 'unknown',
      reason: `the order query answered with another order's record ("${id}")`,
      cause,
    };
  return spec.sameOrder(record) ? { kind: 'found', record } : { kind: 'conflict', record };
}

function describeUnknown(error: { code: string; message: string }): string {
  if (error.code === 'timeout') return 'no answer within the timeout';
  if (error.code === 'connection_error') return 'the connection failed after the request was sent';
  return "the gateway's answer was not a usable result";
}

/** Awaits a pause; an abort while waiting becomes an unknown outcome when a request may have been sent. */
async function pauseOrAbort(
  pause: Promise<void>,
  maybeSent: boolean,
): Promise<{ kind: 'unknown'; reason: string; cause: unknown } | undefined> {
  try {
    await pause;
    return undefined;
  } catch (reason) {
    if (!maybeSent) throw reason;
    return { kind: 'unknown', reason: 'the call was aborted before the SDK could find out', cause: reason };
  }
}
