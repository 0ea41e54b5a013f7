// The ledger's tables, as one SQL text parametrised only by the table prefix. `migrate()` runs exactly
// this text (statement by statement), and `sql/ledger.sql` is this text with the default prefix, for
// users who run their own migration tool (a test keeps the two equal).
import { DiamondPayValidationError } from '@diamondpay/core';

/** The schema version this package writes and reads. */
export const LEDGER_SCHEMA_VERSION = 1;

/** The default table prefix. */
export const DEFAULT_TABLE_PREFIX = 'diamondpay_';

// Identifier characters only (no quoting needed, no injection); short enough that the longest derived
// name (`<prefix>orders_chk_idx`, 14 more characters) stays within PostgreSQL's 63-byte identifiers.
const PREFIX_PATTERN = /^[a-z_][a-z0-9_]*$/;
const PREFIX_MAX = 63 - 'schema_version'.length;

/** Checks a table prefix: lowercase letters, digits and `_`, not starting with a digit. */
export function validateTablePrefix(prefix: unknown): string {
  if (typeof prefix !== 'string' || !PREFIX_PATTERN.test(prefix) || prefix.length > PREFIX_MAX) {
    throw new DiamondPayValidationError(
      [
        {
          field: 'tablePrefix',
          rule: 'pattern',
          message: `must be 1 to ${PREFIX_MAX} characters of a-z, 0-9 and _, not starting with a digit (it is pasted into SQL as an identifier)`,
        },
      ],
      'createPostgresLedger: invalid tablePrefix',
    );
  }
  return prefix;
}

/** The table names for one prefix. */
export interface LedgerTables {
  orders: string;
  inbox: string;
  version: string;
}

export function ledgerTables(prefix: string): LedgerTables {
  const p = validateTablePrefix(prefix);
  return { orders: `${p}orders`, inbox: `${p}inbox`, version: `${p}schema_version` };
}

/** The ledger schema SQL for `prefix` (idempotent: every statement is `IF NOT EXISTS` or `ON CONFLICT`). */
export function ledgerSchemaSql(prefix: string = DEFAULT_TABLE_PREFIX): string {
  const p = validateTablePrefix(prefix);
  const t = ledgerTables(p);
  return `-- @diamondpay/postgres ledger schema, version ${LEDGER_SCHEMA_VERSION}, table prefix "${p}".
-- Idempotent: safe to run again. Amounts are BIGINT cents; times are BIGINT Unix milliseconds.

CREATE TABLE IF NOT EXISTS ${t.version} (
  version integer PRIMARY KEY,
  applied_at bigint NOT NULL
);

-- One row per deposit or payout: the create intent (outbox), its outcome and the last gateway status.
CREATE TABLE IF NOT EXISTS ${t.orders} (
  kind text NOT NULL CHECK (kind IN ('deposit', 'payout')),
  platform_id text NOT NULL,
  cl_id text NOT NULL,
  create_state text NOT NULL
    CHECK (create_state IN ('sending', 'created', 'refused', 'unknown', 'external')),
  gateway_id text,
  amount bigint CHECK (amount >= 0),
  service_id text,
  notify_url text,
  intent jsonb,
  link text,
  error_code text,
  error_msg text,
  status integer,
  final boolean NOT NULL DEFAULT false,
  real_amount bigint CHECK (real_amount >= 0),
  fee bigint,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  next_check_at bigint,
  checks integer NOT NULL DEFAULT 0 CHECK (checks >= 0),
  PRIMARY KEY (kind, platform_id, cl_id),
  CHECK (NOT final OR status IS NOT NULL)
) WITH (fillfactor = 80);

-- Room on each page for an order's next versions, so a notification's update of its order is a
-- HOT update (no new index entry; the notification path indexes only its inbox row). Also for a
-- table made by an earlier release; applies to pages written from now on.
ALTER TABLE ${t.orders} SET (fillfactor = 80);

-- The reconciler's "what is due" scan, by next check. It covers no column a notification changes
-- (a final order keeps its next_check_at, read as null; the reconciler clears it when it passes),
-- which is what keeps that update HOT. It replaces an index of an earlier release.
DROP INDEX IF EXISTS ${t.orders}_due_idx;
CREATE INDEX IF NOT EXISTS ${t.orders}_chk_idx ON ${t.orders} (next_check_at)
  WHERE next_check_at IS NOT NULL;

-- One row per notification key: written in the same transaction as the merchant's own writes.
-- Only its primary key is indexed: it is written on every notification (add an index on
-- (kind, platform_id, cl_id) if you look notifications up by order).
CREATE TABLE IF NOT EXISTS ${t.inbox} (
  key text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('deposit', 'payout')),
  platform_id text NOT NULL,
  cl_id text NOT NULL,
  gateway_id text NOT NULL,
  status integer NOT NULL,
  source text NOT NULL CHECK (source IN ('notification', 'reconciliation')),
  effect text CHECK (effect IN ('applied', 'stale', 'discrepancy')),
  received_at bigint NOT NULL
);

INSERT INTO ${t.version} (version, applied_at)
  VALUES (${LEDGER_SCHEMA_VERSION}, (extract(epoch FROM now()) * 1000)::bigint)
  ON CONFLICT (version) DO NOTHING;
`;
}

/** Splits the schema text into its statements (each ends with `;` at the end of a line). */
export function schemaStatements(sql: string): string[] {
  return sql
    .split(/;\s*$/m)
    .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
    .filter((s) => s.length > 0);
}
