// `diamondpay trigger deposit|payout`: one signed notification, as the gateway would send it, to a
// merchant's endpoint; exit 0 only for the exact acknowledgement.
import { MAX_AMOUNT_CENTS } from '@diamondpay/core';
import { integer, keyOf, type ParsedValues, parse, signTypeOf, UsageError } from './cli-args.js';
import type { CliIo } from './cli-commands.js';
import {
  isAck,
  type NotificationFields,
  type PayoutNotificationFields,
  postNotification,
  signedNotificationBody,
} from './notifier.js';
import { DEFAULT_MERCHANT, feeFor } from './orders.js';
import { payoutFeeFor } from './payouts.js';

export const TRIGGER_HELP = `Usage: diamondpay trigger deposit --url URL [options]
       diamondpay trigger payout --url URL [options]

Sends one signed deposit or payout notification to URL (your notification endpoint) and prints
the HTTP status and the reply. Exit 0 only when the reply is exactly {"error_code":"0000"}.

Options (both):
  --url URL            where to POST the notification (required)
  --amount CENTS       amount in cents (default: deposit 5000000 = ₩50,000; payout 1000000 = ₩10,000)
  --platform-id ID     default ${DEFAULT_MERCHANT.platformId}
  --key K              platform key (default: the docs' test key)
  --sign-type T        HMAC-SHA256 (default) or MD5
  --timeout-ms N       give up after N ms (default 10000)
  -h, --help           show this help

Deposit options:
  --status N           deposit status (default 2 = paid; 3 cancelled)
  --real-amount CENTS  amount received in cents (default: amount when paid, else 0)
  --payment-cl-id ID   your order id (default cli-<timestamp>)
  --payment-id ID      gateway order id (default PM + 8 random digits)

Payout options:
  --status N           payout status (default 3 = paid out; 4 cancelled, 5 failed, 1/2 in progress)
  --fee CENTS          fee in cents (default: 0.5 % of the amount when paid out, else 0)
  --error-msg TEXT     error_msg (default "Payout failed" for status 4 and 5, none otherwise)
  --payout-cl-id ID    your payout id (default cli-payout-<timestamp>)
  --payout-id ID       gateway payout id (default PO + 8 random digits)
`;

const COMMON = ['url', 'amount', 'platform-id', 'key', 'sign-type', 'timeout-ms', 'status'] as const;
const ONLY: Record<'deposit' | 'payout', readonly string[]> = {
  deposit: ['real-amount', 'payment-cl-id', 'payment-id'],
  payout: ['fee', 'error-msg', 'payout-cl-id', 'payout-id'],
};

const randomDigits = () => String(Math.floor(Math.random() * 1e8)).padStart(8, '0');

function depositBody(values: ParsedValues, key: string, signType: 'HMAC-SHA256' | 'MD5', now: number) {
  const status = integer('status', values.status, 0, 99) ?? 2;
  const amount = integer('amount', values.amount, 1, MAX_AMOUNT_CENTS) ?? 5_000_000;
  const realAmount =
    integer('real-amount', values['real-amount'], 0, MAX_AMOUNT_CENTS) ?? (status === 2 ? amount : 0);
  const fields: NotificationFields = {
    payment_id: (values['payment-id'] as string | undefined) ?? `PM${randomDigits()}`,
    payment_cl_id: (values['payment-cl-id'] as string | undefined) ?? `cli-${Date.now()}`,
    platform_id: (values['platform-id'] as string | undefined) ?? DEFAULT_MERCHANT.platformId,
    amount,
    real_amount: realAmount,
    fee: feeFor(realAmount),
    status,
    create_time: now - 60,
    update_time: now,
  };
  return signedNotificationBody(fields, key, signType);
}

function payoutBody(values: ParsedValues, key: string, signType: 'HMAC-SHA256' | 'MD5', now: number) {
  const status = integer('status', values.status, 0, 99) ?? 3;
  const amount = integer('amount', values.amount, 1, MAX_AMOUNT_CENTS) ?? 1_000_000;
  const fee = integer('fee', values.fee, 0, MAX_AMOUNT_CENTS) ?? (status === 3 ? payoutFeeFor(amount) : 0);
  const errorMsg = values['error-msg'];
  if (errorMsg !== undefined && (typeof errorMsg !== 'string' || errorMsg === ''))
    throw new UsageError('--error-msg must not be empty', 'trigger');
  const fields: PayoutNotificationFields = {
    payout_id: (values['payout-id'] as string | undefined) ?? `PO${randomDigits()}`,
    payout_cl_id: (values['payout-cl-id'] as string | undefined) ?? `cli-payout-${Date.now()}`,
    platform_id: (values['platform-id'] as string | undefined) ?? DEFAULT_MERCHANT.platformId,
    amount,
    fee,
    status,
    create_time: now - 60,
    update_time: now,
  };
  const message = errorMsg ?? (status === 4 || status === 5 ? 'Payout failed' : undefined);
  if (message !== undefined) fields.error_msg = message;
  return signedNotificationBody(fields, key, signType);
}

/** Runs `diamondpay trigger deposit|payout …` and resolves with the exit code. */
export async function triggerCommand(args: string[], io: CliIo): Promise<number> {
  const options: Record<string, { type: 'string' }> = {};
  for (const name of [...COMMON, ...ONLY.deposit, ...ONLY.payout]) options[name] = { type: 'string' };
  const { values, positionals } = parse('trigger', args, options);
  if (values.help) {
    io.stdout(TRIGGER_HELP);
    return 0;
  }
  const kind = positionals[0];
  if ((kind !== 'deposit' && kind !== 'payout') || positionals.length > 1)
    throw new UsageError(
      positionals.length === 0
        ? 'say what to trigger: diamondpay trigger deposit|payout --url URL'
        : `cannot trigger ${JSON.stringify(positionals.join(' '))} (only "deposit" or "payout")`,
      'trigger',
    );
  const other = kind === 'deposit' ? ONLY.payout : ONLY.deposit;
  const misplaced = other.find((name) => values[name] !== undefined);
  if (misplaced) throw new UsageError(`--${misplaced} is not an option of trigger ${kind}`, 'trigger');
  const url = values.url;
  if (typeof url !== 'string') throw new UsageError('--url is required', 'trigger');
  if (!/^https?:\/\/[^\s]+$/.test(url) || !URL.canParse(url))
    throw new UsageError(`--url must be an http(s) URL, got ${JSON.stringify(url)}`, 'trigger');
  const signType =
    values['sign-type'] === undefined ? 'HMAC-SHA256' : signTypeOf(values['sign-type'], '--sign-type');
  const timeoutMs = integer('timeout-ms', values['timeout-ms'], 1, 600_000) ?? 10_000;
  const now = Math.floor(Date.now() / 1000);
  const key = keyOf(values);
  const body =
    kind === 'deposit'
      ? await depositBody(values, key, signType, now)
      : await payoutBody(values, key, signType, now);
  io.stderr(`POST ${url}\n${body}\n`);
  try {
    const result = await postNotification(url, body, { timeoutMs });
    io.stdout(`HTTP ${result.httpStatus}\n${result.reply}\n`);
    const acked = isAck(result.httpStatus, result.reply);
    if (!acked)
      io.stderr('not acknowledged: the gateway only accepts the exact reply {"error_code":"0000"}\n');
    return acked ? 0 : 1;
  } catch (error) {
    io.stderr(`delivery failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
