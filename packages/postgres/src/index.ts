export type {
  Ledger,
  LedgerCreateIntent,
  LedgerCreateResult,
  LedgerInboxEntry,
  LedgerOrder,
  LedgerOrderRef,
  LedgerTransaction,
  LedgerUnitOfWork,
} from '@diamondpay/core';
export type {
  LedgerDatabase,
  PGliteLike,
  PgClientLike,
  PgPoolClientLike,
  PgPoolLike,
} from './driver.js';
export {
  createPostgresLedger,
  type PostgresLedger,
  type PostgresLedgerOptions,
} from './postgres-ledger.js';
export {
  DEFAULT_TABLE_PREFIX,
  LEDGER_SCHEMA_VERSION,
  type LedgerTables,
  ledgerSchemaSql,
  validateTablePrefix,
} from './schema.js';
