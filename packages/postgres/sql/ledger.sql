-- @diamondpay/postgres ledger schema, version 1, table prefix "diamondpay_".
-- Idempotent: safe to run again. Amounts are BIGINT cents; times are BIGINT Unix milliseconds.

CREATE TABLE IF NOT EXISTS diamondpay_schema_version (
  version integer PRIMARY KEY,
  applied_at bigint NOT NULL
);

-- One row per deposit or payout: the create intent (outbox), its outcome and the last gateway status.
CREATE TABLE IF NOT EXISTS diamondpay_orders (
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
ALTER TABLE diamondpay_orders SET (fillfactor = 80);

-- The reconciler's "what is due" scan, by next check. It covers no column a notification changes
-- (a final order keeps its next_check_at, read as null; the reconciler clears it when it passes),
-- which is what keeps that update HOT. It replaces an index of an earlier release.
DROP INDEX IF EXISTS diamondpay_orders_due_idx;
CREATE INDEX IF NOT EXISTS diamondpay_orders_chk_idx ON diamondpay_orders (next_check_at)
  WHERE next_check_at IS NOT NULL;

-- One row per notification key: written in the same transaction as the merchant's own writes.
-- Only its primary key is indexed: it is written on every notification (add an index on
-- (kind, platform_id, cl_id) if you look notifications up by order).
CREATE TABLE IF NOT EXISTS diamondpay_inbox (
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

INSERT INTO diamondpay_schema_version (version, applied_at)
  VALUES (1, (extract(epoch FROM now()) * 1000)::bigint)
  ON CONFLICT (version) DO NOTHING;
