// Rows back to the contract's types. pg returns BIGINT as a string and PGlite as a number (or a
// bigint past 2^53): every amount and time goes through one checked conversion.
import type { LedgerCreateState, LedgerInboxEntry, LedgerOrder, LedgerOrderKind } from '@diamondpay/core';

/** A BIGINT/INTEGER column as a safe integer; throws rather than round a value past 2^53. */
export function toSafeInt(value: unknown, column: string): number {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'bigint') n = Number(value);
  else if (typeof value === 'string' && /^-?\d+$/.test(value)) n = Number(value);
  else throw new TypeError(`ledger column ${column}: expected an integer, got ${typeof value}`);
  if (!Number.isSafeInteger(n)) {
    throw new RangeError(`ledger column ${column}: ${String(value)} is not a safe integer`);
  }
  return n;
}

function intOrNull(value: unknown, column: string): number | null {
  return value === null || value === undefined ? null : toSafeInt(value, column);
}

function textOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

function intentOf(value: unknown): Readonly<Record<string, string | number>> | null {
  if (value === null || value === undefined) return null;
  // A driver without a JSONB parser hands back the text.
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new TypeError('ledger column intent: expected a JSON object');
  }
  return parsed as Record<string, string | number>;
}

/** One orders row as a `LedgerOrder`. */
export function toOrder(row: Record<string, unknown>): LedgerOrder {
  return {
    kind: row.kind as LedgerOrderKind,
    platform_id: String(row.platform_id),
    cl_id: String(row.cl_id),
    create_state: row.create_state as LedgerCreateState,
    gateway_id: textOrNull(row.gateway_id),
    amount: intOrNull(row.amount, 'amount'),
    service_id: textOrNull(row.service_id),
    notify_url: textOrNull(row.notify_url),
    intent: intentOf(row.intent),
    link: textOrNull(row.link),
    error_code: textOrNull(row.error_code),
    error_msg: textOrNull(row.error_msg),
    status: intOrNull(row.status, 'status'),
    final: row.final === true,
    real_amount: intOrNull(row.real_amount, 'real_amount'),
    fee: intOrNull(row.fee, 'fee'),
    created_at: toSafeInt(row.created_at, 'created_at'),
    updated_at: toSafeInt(row.updated_at, 'updated_at'),
    // A final order is never checked again: its stored next_check_at is left for the reconciler to clear.
    next_check_at: row.final === true ? null : intOrNull(row.next_check_at, 'next_check_at'),
    checks: toSafeInt(row.checks, 'checks'),
  };
}

/** One inbox row as a `LedgerInboxEntry` (`effect` absent until set). */
export function toInboxEntry(row: Record<string, unknown>): LedgerInboxEntry {
  const entry: LedgerInboxEntry = {
    key: String(row.key),
    order: {
      kind: row.kind as LedgerOrderKind,
      platform_id: String(row.platform_id),
      cl_id: String(row.cl_id),
    },
    gateway_id: String(row.gateway_id),
    status: toSafeInt(row.status, 'status'),
    source: row.source as LedgerInboxEntry['source'],
    received_at: toSafeInt(row.received_at, 'received_at'),
  };
  if (row.effect !== null && row.effect !== undefined)
    entry.effect = row.effect as LedgerInboxEntry['effect'];
  return entry;
}
