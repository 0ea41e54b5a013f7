// The `diamondpay` commands as a plain function (argv and I/O in, exit code out), so tests can call
// it directly; cli.ts binds it to the real process. Exit codes: 0 ok, 1 negative result, 2 usage.
import { parseJsonRaw, type RawJsonObject } from '@diamondpay/core';
import { integer, keyOf, parse, signTypeOf, UsageError } from './cli-args.js';
import { RECONCILE_HELP, ReconcileUsageError, reconcileCommand } from './cli-reconcile.js';
import { TRIGGER_HELP, triggerCommand } from './cli-trigger.js';
import { DEFAULT_MERCHANT } from './orders.js';
import { startSandbox } from './server.js';
import { canonical, signParams, verifyParams } from './signing.js';

// Written into the build by tsup's `define` from package.json (tsup.base.ts); unbuilt sources show a dev version.
declare const __DIAMONDPAY_VERSION__: string | undefined;
/** The CLI's version (the sandbox package's version). */
export const CLI_VERSION: string =
  typeof __DIAMONDPAY_VERSION__ === 'string' ? __DIAMONDPAY_VERSION__ : '0.0.0-source';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** The whole of standard input. */
  readStdin(): Promise<string>;
  /** Resolves with the signal's name when the process is asked to stop (SIGINT/SIGTERM). */
  waitForSignal(): Promise<string>;
  /** Environment variables (`reconcile` reads DATABASE_URL and DIAMONDPAY_*). Default: none. */
  env?: Record<string, string | undefined>;
}

const TOP_HELP = `diamondpay ${CLI_VERSION}: a local Diamond Pay gateway and signing tools

Usage:
  diamondpay sandbox [--port N] [--host H] [--time-scale X]   run the sandbox gateway
  diamondpay sign [--key K] [--sign-type T] key=value ...      print the signature of parameters
  diamondpay verify [--key K] key=value ... sign=...           check a signature (exit 0 valid, 1 invalid)
  diamondpay trigger deposit --url URL [options]               send one signed deposit notification
  diamondpay trigger payout --url URL [options]                send one signed payout notification
  diamondpay reconcile --database-url URL [options]            one reconciler pass over a PostgreSQL ledger

Options (also shown by "diamondpay <command> --help"):
  sandbox   --port N (default 0: a free port)  --host H (default 127.0.0.1)
            --time-scale X (multiply every delay, default 1)  --seed N (rate-based faults)  --quiet
  sign      --key K (default: the docs' test key)  --sign-type HMAC-SHA256|MD5 (default: sign_type, else HMAC-SHA256)
  verify    --key K (default: the docs' test key)  --sign-type HMAC-SHA256|MD5 (default: sign_type, else HMAC-SHA256)
  trigger   --url URL (required)  --status N (deposit: 2 paid, 3 cancelled; payout: 3 paid out, 4, 5 failed)
            --amount CENTS  --platform-id ID (default PF0002)  --key K  --sign-type HMAC-SHA256|MD5
            --timeout-ms N (default 10000); deposit: --real-amount CENTS  --payment-cl-id ID  --payment-id ID;
            payout: --fee CENTS  --error-msg TEXT  --payout-cl-id ID  --payout-id ID
  every     -h, --help (this help, or a command's)   -v, --version (top level)

In this repository: pnpm diamondpay <command> (after bash scripts/setup.sh).
`;

const HELP: Record<string, string> = {
  reconcile: RECONCILE_HELP,
  sandbox: `Usage: diamondpay sandbox [options]

Runs a Diamond Pay gateway on this machine until Ctrl+C (SIGINT) or SIGTERM.

Options:
  --port N          port to listen on (default 0: a free port)
  --host H          address to listen on (default 127.0.0.1)
  --time-scale X    multiply every delay (notification retries, latency) by X (default 1)
  --seed N          seed for rate-based faults
  --quiet           do not log requests and deliveries
  -h, --help        show this help
`,
  sign: `Usage: diamondpay sign [options] key=value ...
       echo '{"platform_id":"PF0002",...}' | diamondpay sign [options]

Prints the signature (stdout) and the canonical string it signs (stderr).
Without key=value arguments, reads a JSON object on stdin (numbers keep their text).

Options:
  --key K           platform key (default: the docs' test key ${DEFAULT_MERCHANT.platformKey})
  --sign-type T     HMAC-SHA256 or MD5 (default: the sign_type parameter, else HMAC-SHA256)
  -h, --help        show this help
`,
  verify: `Usage: diamondpay verify [options] key=value ... sign=...
       echo '{"...":"...","sign":"..."}' | diamondpay verify [options]

Prints "valid" (exit 0) or "invalid" (exit 1). The algorithm is the one \`sign\` uses: --sign-type,
else the sign_type parameter, else HMAC-SHA256, so what \`diamondpay sign\` printed verifies as is.
(The gateway's MD5 notifications carry no sign_type: verify those with --sign-type MD5.)

Options:
  --key K           platform key (default: the docs' test key)
  --sign-type T     HMAC-SHA256 or MD5 (default: the sign_type parameter, else HMAC-SHA256)
  -h, --help        show this help
`,
  trigger: TRIGGER_HELP,
};

/** Parameters from key=value arguments, or from a JSON object on stdin when there are none. */
async function readParams(positionals: string[], io: CliIo): Promise<Record<string, unknown>> {
  if (positionals.length > 0) {
    const params: Record<string, unknown> = {};
    for (const arg of positionals) {
      const eq = arg.indexOf('=');
      if (eq <= 0) throw new UsageError(`expected key=value, got ${JSON.stringify(arg)}`);
      const key = arg.slice(0, eq);
      if (Object.hasOwn(params, key)) throw new UsageError(`parameter ${key} is given twice`);
      params[key] = arg.slice(eq + 1);
    }
    return params;
  }
  const text = await io.readStdin();
  if (text.trim() === '') throw new UsageError('give key=value arguments or a JSON object on stdin');
  let value: unknown;
  try {
    value = parseJsonRaw(text);
  } catch (error) {
    throw new UsageError(
      `stdin is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new UsageError('stdin must hold a JSON object');
  return value as RawJsonObject;
}

async function signCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse('sign', args, {
    key: { type: 'string' },
    'sign-type': { type: 'string' },
  });
  if (values.help) return help('sign', io);
  const key = keyOf(values);
  const params = await readParams(positionals, io);
  const signType =
    values['sign-type'] !== undefined
      ? signTypeOf(values['sign-type'], '--sign-type')
      : params.sign_type !== undefined && params.sign_type !== ''
        ? signTypeOf(params.sign_type, 'sign_type')
        : 'HMAC-SHA256';
  io.stderr(`canonical (${signType}): ${canonical(params)}\n`);
  io.stdout(`${signParams(params, key, signType)}\n`);
  return 0;
}

async function verifyCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse('verify', args, {
    key: { type: 'string' },
    'sign-type': { type: 'string' },
  });
  if (values.help) return help('verify', io);
  const key = keyOf(values);
  const params = await readParams(positionals, io);
  if (typeof params.sign !== 'string' || params.sign === '')
    throw new UsageError('no sign parameter to verify');
  // The same default as `sign` (HMAC-SHA256); the gateway's rule for notifications (no sign_type means
  // MD5) would make what `sign` printed say "invalid", so the CLI states the algorithm it means.
  const signType =
    values['sign-type'] !== undefined
      ? signTypeOf(values['sign-type'], '--sign-type')
      : params.sign_type !== undefined && params.sign_type !== ''
        ? signTypeOf(params.sign_type, 'sign_type')
        : 'HMAC-SHA256';
  const valid = verifyParams(params, key, signType);
  io.stdout(valid ? 'valid\n' : 'invalid\n');
  if (!valid && params.sign.length === 32 && signType === 'HMAC-SHA256') {
    io.stderr(
      'hint: the signature is 32 hex digits, the length of an MD5 signature, and was checked as HMAC-SHA256 (the default); pass --sign-type MD5\n',
    );
  }
  return valid ? 0 : 1;
}

async function sandboxCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse('sandbox', args, {
    port: { type: 'string' },
    host: { type: 'string' },
    'time-scale': { type: 'string' },
    seed: { type: 'string' },
    quiet: { type: 'boolean' },
  });
  if (values.help) return help('sandbox', io);
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  const scaleText = values['time-scale'];
  const timeScale = scaleText === undefined ? undefined : Number(scaleText);
  if (
    timeScale !== undefined &&
    (!/^\d*\.?\d+(e-?\d+)?$/i.test(String(scaleText)) || !Number.isFinite(timeScale))
  )
    throw new UsageError(`--time-scale must be a number ≥ 0, got ${JSON.stringify(scaleText)}`);
  if (values.host === '') throw new UsageError('--host must not be empty');
  const sandbox = await startSandbox({
    port: integer('port', values.port, 0, 65535) ?? 0,
    host: (values.host as string | undefined) ?? '127.0.0.1',
    timeScale,
    seed: integer('seed', values.seed, 0, 2 ** 32 - 1),
    log: values.quiet ? undefined : (line) => io.stdout(`${new Date().toISOString()} ${line}\n`),
  });
  const m = sandbox.merchant;
  io.stdout(
    `Diamond Pay sandbox running at ${sandbox.url}\n` +
      `  platform_id     ${m.platformId}\n` +
      `  platform key    ${m.platformKey}\n` +
      `  authorization   ${m.authorization}\n` +
      `  create deposit  POST ${sandbox.url}/gateway/api/v2/payments\n` +
      `  create payout   POST ${sandbox.url}/gateway/api/v2/payouts\n` +
      `  control API     ${sandbox.url}/_sandbox/health\n` +
      `  dashboard       ${sandbox.url}/ (open in a browser)\n` +
      'Press Ctrl+C to stop.\n',
  );
  const signal = await io.waitForSignal();
  await sandbox.close();
  io.stdout(`${signal}: sandbox stopped\n`);
  return 0;
}

function help(command: string, io: CliIo): number {
  io.stdout(HELP[command] ?? TOP_HELP);
  return 0;
}

const COMMANDS: Record<string, (args: string[], io: CliIo) => Promise<number>> = {
  sandbox: sandboxCommand,
  sign: signCommand,
  verify: verifyCommand,
  trigger: triggerCommand,
  reconcile: async (args, io) => {
    try {
      return await reconcileCommand(args, { stdout: io.stdout, stderr: io.stderr, env: io.env ?? {} });
    } catch (error) {
      if (error instanceof ReconcileUsageError) throw new UsageError(error.message, 'reconcile');
      throw error;
    }
  },
};

/** Runs `diamondpay <argv>` and resolves with the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    io.stderr(TOP_HELP);
    return 2;
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    io.stdout(TOP_HELP);
    return 0;
  }
  if (command === '--version' || command === '-v') {
    io.stdout(`${CLI_VERSION}\n`);
    return 0;
  }
  const run = COMMANDS[command];
  if (!run) {
    io.stderr(
      `diamondpay: unknown command ${JSON.stringify(command)}\nRun "diamondpay --help" for the commands.\n`,
    );
    return 2;
  }
  try {
    return await run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(
        `diamondpay ${command}: ${error.message}\nRun "diamondpay ${error.command ?? command} --help" for usage.\n`,
      );
      return 2;
    }
    throw error;
  }
}
