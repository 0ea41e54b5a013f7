// The duplicate store's key for a notification, and the freshness rule for its update_time: what
// the receiver remembers, and for which notifications that memory is enough to refuse a replay.
import type { Notification } from './verify.js';

/**
 * The dedupe key: one handler run per (kind, platform, order, status). Returned as a flat copy: the
 * ids are V8 sliced strings of the raw body, and a key built from them would keep every processed
 * body alive in the store (1,000 records of 30 KiB bodies: +29 MiB).
 */
export function notificationKey(n: Notification): string {
  const key =
    n.kind === 'deposit'
      ? `deposit:${n.platform_id}:${n.payment_id}:${n.status}`
      : `payout:${n.platform_id}:${n.payout_id}:${n.status}`;
  return flatCopy(key);
}

/**
 * A copy of `s` in new memory that shares nothing with the string it was cut from (a V8 sliced
 * string keeps its whole parent alive): concatenating and slicing flattens it.
 */
export function flatCopy(s: string): string {
  return ` ${s}`.slice(1);
}

/** Largest accepted clock lead of `update_time` over the receiver's clock: 15 minutes. */
export const MAX_UPDATE_TIME_LEAD_SECONDS = 15 * 60;

/**
 * Why an `update_time` (Unix seconds) cannot be trusted, or undefined. Milliseconds (13 digits) or a
 * time more than 15 minutes ahead would outlive the retention window and defeat the replay guard.
 */
export function updateTimeProblem(updateTime: number, nowMs: number): string | undefined {
  if (updateTime >= 1e12) {
    return "The notification's update_time looks like milliseconds (13 digits); the gateway sends Unix seconds. It is refused so a replay cannot outlive the duplicate window.";
  }
  if (updateTime * 1000 > nowMs + MAX_UPDATE_TIME_LEAD_SECONDS * 1000) {
    return `The notification's update_time is more than ${MAX_UPDATE_TIME_LEAD_SECONDS / 60} minutes in the future (check the server clock); it is refused so a replay cannot outlive the duplicate window.`;
  }
  return undefined;
}
