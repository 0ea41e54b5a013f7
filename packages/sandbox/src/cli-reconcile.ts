// `diamondpay reconcile`: one reconciler pass over a PostgreSQL ledger, report printed as JSON.
// The sandbox does not depend on @diamondpay/postgres or pg: they are imported only here, when the
// command runs, and a clear message names them when they are missing.
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  createNotificationReceiver,
  createReconciler,
  type DepositNotification,
  DiamondPay,
  type DiscrepancyHandler,
  type Ledger,
  type LedgerNotificationHandler,
  type PayoutNotification,
} from '@diamondpay/core';

/** I/O the command needs (a subset of the CLI's). */
export interface ReconcileIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Record<string, string | undefined>;
}

export const RECONCILE_HELP = `Usage: diamondpay reconcile --database-url URL [options]

Runs one reconciliation pass over the Diamond Pay ledger in a PostgreSQL database: every order still
open whose next check is due is queried at the gateway, and a final status goes through the ledger's
inbox under the notification's own key (a notification and a reconciliation never both run a
handler). Prints the report {"checked","resolved","pending","unknown"} as JSON.

A final status runs your handler: give your handlers' module with --handlers. Without it, nothing is
credited here: such orders count as unknown and stay open for your app's own reconciler.
Exit 0 when no check failed, 1 otherwise, 2 on a usage error.

Needs @diamondpay/postgres and pg installed beside the CLI.

Options (environment variable in brackets):
  --database-url URL     PostgreSQL connection string [DATABASE_URL]
  --table-prefix P       the ledger's table prefix (default diamondpay_)
  --base-url URL         the gateway [DIAMONDPAY_BASE_URL]
  --platform-id ID       [DIAMONDPAY_PLATFORM_ID]
  --platform-key KEY     [DIAMONDPAY_PLATFORM_KEY]
  --authorization TOKEN  [DIAMONDPAY_AUTHORIZATION]
  --handlers FILE        an ES module exporting onDeposit, onPayout and/or onDiscrepancy, each
                         (notification or event, context, { tx, order, source })
  --batch N              orders claimed in this pass (default 50)
  --prune-inbox-days N   after the pass, delete inbox rows received more than N days ago (at least
                         1; discrepancy rows and orders stay; see ledger.pruneInbox) and add
                         "pruned" to the report: run it daily to keep the inbox bounded
  -h, --help             show this help
`;

export class ReconcileUsageError extends Error {}

/** Imports an optional package, or throws a message naming what to install. */
export async function importOptional<T>(name: string, install: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new ReconcileUsageError(
        `${name} is not installed: diamondpay reconcile needs it (npm install ${install})`,
      );
    }
    throw error;
  }
}

interface PgModule {
  Pool: new (config: {
    connectionString: string;
    max?: number;
    connectionTimeoutMillis?: number;
  }) => {
    on(event: 'error', listener: (err: Error) => void): unknown;
    end(): Promise<void>;
  };
}
interface PostgresModule {
  createPostgresLedger(options: { db: unknown; tablePrefix?: string }): Ledger & {
    pruneInbox(before: number): Promise<number>;
  };
}
interface Handlers {
  onDeposit?: LedgerNotificationHandler<DepositNotification, undefined>;
  onPayout?: LedgerNotificationHandler<PayoutNotification, undefined>;
  onDiscrepancy?: DiscrepancyHandler<undefined>;
}

function required(name: string, value: unknown, env: string): string {
  if (typeof value !== 'string' || value === '')
    throw new ReconcileUsageError(`--${name} (or ${env}) is required`);
  return value;
}

/** Runs `diamondpay reconcile <args>`; resolves with the exit code. */
export async function reconcileCommand(args: string[], io: ReconcileIo): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        'database-url': { type: 'string' },
        'table-prefix': { type: 'string' },
        'base-url': { type: 'string' },
        'platform-id': { type: 'string' },
        'platform-key': { type: 'string' },
        authorization: { type: 'string' },
        handlers: { type: 'string' },
        batch: { type: 'string' },
        'prune-inbox-days': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    throw new ReconcileUsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    io.stdout(RECONCILE_HELP);
    return 0;
  }
  const env = io.env;
  const databaseUrl = required('database-url', values['database-url'] ?? env.DATABASE_URL, 'DATABASE_URL');
  const baseUrl = required('base-url', values['base-url'] ?? env.DIAMONDPAY_BASE_URL, 'DIAMONDPAY_BASE_URL');
  const platformId = required(
    'platform-id',
    values['platform-id'] ?? env.DIAMONDPAY_PLATFORM_ID,
    'DIAMONDPAY_PLATFORM_ID',
  );
  const platformKey = required(
    'platform-key',
    values['platform-key'] ?? env.DIAMONDPAY_PLATFORM_KEY,
    'DIAMONDPAY_PLATFORM_KEY',
  );
  const authorization = required(
    'authorization',
    values.authorization ?? env.DIAMONDPAY_AUTHORIZATION,
    'DIAMONDPAY_AUTHORIZATION',
  );
  const batchText = values.batch;
  const batchSize = batchText === undefined ? 50 : Number(batchText);
  if (typeof batchText === 'string' && (!/^\d+$/.test(batchText) || batchSize < 1 || batchSize > 10_000))
    throw new ReconcileUsageError(
      `--batch must be an integer from 1 to 10000, got ${JSON.stringify(batchText)}`,
    );

  const pruneText = values['prune-inbox-days'];
  const pruneDays = pruneText === undefined ? undefined : Number(pruneText);
  if (typeof pruneText === 'string' && (!/^\d+$/.test(pruneText) || pruneDays! < 1 || pruneDays! > 36_500))
    throw new ReconcileUsageError(
      `--prune-inbox-days must be a whole number of days from 1 to 36500, got ${JSON.stringify(pruneText)}`,
    );

  // Without the merchant's handlers a status that would run one is rolled back (nothing recorded,
  // nothing credited): it stays open for the app's own reconciler.
  const notHere = (): never => {
    throw new Error('not applied: no --handlers (your app, or a run with --handlers, applies it)');
  };
  let handlers: Handlers = { onDeposit: notHere, onPayout: notHere };
  if (typeof values.handlers === 'string') {
    handlers = (await import(pathToFileURL(values.handlers).href)) as Handlers;
    if (!handlers.onDeposit && !handlers.onPayout)
      throw new ReconcileUsageError(`--handlers ${values.handlers} exports neither onDeposit nor onPayout`);
  } else {
    io.stderr(
      'diamondpay reconcile: no --handlers: final statuses are not applied here (counted unknown; your app applies them)\n',
    );
  }

  const postgres = await importOptional<PostgresModule>('@diamondpay/postgres', '@diamondpay/postgres pg');
  const pg = await importOptional<{ default?: PgModule } & PgModule>('pg', 'pg');
  const Pool = (pg.default ?? pg).Pool;
  const pool = new Pool({ connectionString: databaseUrl, max: 4, connectionTimeoutMillis: 10_000 });
  pool.on('error', () => {}); // an idle connection died: the pass's own queries report failures
  try {
    const ledger = postgres.createPostgresLedger({
      db: pool,
      ...(typeof values['table-prefix'] === 'string' ? { tablePrefix: values['table-prefix'] } : {}),
    });
    const client = new DiamondPay({ baseUrl, platformId, platformKey, authorization, ledger });
    const receiver = createNotificationReceiver({
      platformId,
      platformKey,
      ledger,
      ...(handlers.onDeposit ? { onDeposit: handlers.onDeposit } : {}),
      ...(handlers.onPayout ? { onPayout: handlers.onPayout } : {}),
      ...(handlers.onDiscrepancy ? { onDiscrepancy: handlers.onDiscrepancy } : {}),
    });
    const reconciler = createReconciler({
      client,
      receiver,
      batchSize,
      onError: (error, order) =>
        io.stderr(
          `diamondpay reconcile: ${order ? `${order.kind} ${order.cl_id}: ` : ''}${error instanceof Error ? error.message : String(error)}\n`,
        ),
    });
    const report = await reconciler.runOnce();
    const pruned =
      pruneDays === undefined ? {} : { pruned: await ledger.pruneInbox(Date.now() - pruneDays * 86_400_000) };
    io.stdout(`${JSON.stringify({ ...report, ...pruned })}\n`);
    return report.unknown === 0 ? 0 : 1;
  } finally {
    await pool.end();
  }
}
