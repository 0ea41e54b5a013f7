// The CLI as a user runs it: a real process (through tsx, so no build is needed), exit codes and output.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  ACK_BODY,
  createNotificationReceiver,
  type DepositNotification,
  DiamondPay,
  type PayoutNotification,
} from '@diamondpay/core';
import { signedBody } from '@diamondpay-internal/test-signer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliIo, runCli } from './cli-commands.js';
import { DEFAULT_MERCHANT } from './index.js';
import { startReceiver, type TestReceiver } from './test-receiver.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const CLI = 'packages/sandbox/src/cli.ts';
const DOC_PARAMS = [
  'platform_id=PF0002',
  'service_id=SVC0001',
  'payment_cl_id=DEVPM00014581',
  'amount=50000',
  'notify_url=https://your-domain.com/callback',
  'request_time=1595504136',
];
// Published vectors (protocol reference §1), not computed by our code.
const DOC_HMAC = 'd8857715eece9c4b52b5e128ba541ee918effdc052c1152f6d1db0be7f1db509';
const DOC_MD5 = '49be5fa304b5f536c6e2ea89435e211a';

// At most two CLI processes at a time: each costs most of a second of CPU to start.
let running = 0;
const queue: (() => void)[] = [];
async function slot<T>(task: () => Promise<T>): Promise<T> {
  if (running >= 2) await new Promise<void>((resolve) => queue.push(resolve));
  running++;
  try {
    return await task();
  } finally {
    running--;
    queue.shift()?.();
  }
}

/** Runs the CLI logic in this process (fast) with captured I/O. */
async function runInProcess(args: string[], input = '') {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    readStdin: async () => input,
    waitForSignal: () => new Promise(() => {}),
  };
  const code = await runCli(args, io);
  return { code, stdout, stderr };
}

function start(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--conditions=@diamondpay/source', '--import', 'tsx', CLI, ...args], {
    cwd: ROOT,
    stdio: 'pipe',
  });
}

/** Runs the CLI to completion (killed after 15 s) and collects its output. */
type Result = { code: number | null; stdout: string; stderr: string };

function run(args: string[], input?: string): Promise<Result> {
  return slot(() => spawned(args, input));
}

function spawned(args: string[], input?: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = start(args);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr!.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin!.end(input ?? '');
  });
}

let receiver: TestReceiver;
const handled: DepositNotification[] = [];
const paidOut: PayoutNotification[] = [];

beforeAll(async () => {
  const merchant = createNotificationReceiver({
    platformId: DEFAULT_MERCHANT.platformId,
    platformKey: DEFAULT_MERCHANT.platformKey,
    onDeposit: (n) => {
      handled.push(n);
    },
    onPayout: (n) => {
      paidOut.push(n);
    },
  });
  receiver = await startReceiver(async (_n, req) => {
    if (req.path.endsWith('/rude')) return { body: 'OK' };
    const r = await merchant.receive(req.body, undefined);
    return { status: r.status, body: r.body };
  });
});
afterAll(() => receiver.close());

// Tests run one after another and each starts at most two processes at once, so no test waits in
// a queue against its own timeout. Details go through runCli in this process (cheap).
describe('diamondpay CLI', { timeout: 30_000 }, () => {
  it('help (exit 0) and usage errors (a message on stderr, exit 2)', async () => {
    const [top, usage] = await Promise.all([run(['--help']), run(['sandbox', '--port', 'abc'])]);
    expect(top).toMatchObject({ code: 0, stderr: '' });
    expect(top.stdout).toContain('diamondpay sandbox');
    // The top-level help names every option of every command.
    for (const command of ['sandbox', 'sign', 'verify', 'trigger']) {
      const options = (await runInProcess([command, '--help'])).stdout.match(/--[a-z][a-z-]*/g) ?? [];
      for (const option of new Set(options)) expect(top.stdout, `${command} ${option}`).toContain(option);
    }
    expect(usage).toMatchObject({ code: 2, stdout: '' });
    expect(usage.stderr).toMatch(/--port must be an integer/);
    // Every command's help and the other usage errors, through the same code in this process.
    for (const args of [
      ['-h'],
      ['help'],
      ['sandbox', '--help'],
      ['sign', '-h'],
      ['verify', '--help'],
      ['trigger', '-h'],
    ]) {
      const r = await runInProcess(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/Usage/);
    }
    expect((await runInProcess(['sandbox', '--help'])).stdout).toContain('--time-scale');
    expect((await runInProcess(['sign', '--help'])).stdout).toContain('--sign-type');
    expect((await runInProcess(['trigger', '--help'])).stdout).toContain('--url URL');
    expect(await runInProcess(['--version'])).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^\d+\.\d+\.\d+(-[\w.]+)?\n$/),
    });
    const cases: [string[], RegExp][] = [
      [[], /Usage/],
      [['deploy'], /unknown command "deploy"/],
      [['sign', '--bogus'], /Unknown option '--bogus'/],
      [['sign', 'not-a-pair'], /expected key=value/],
      [['sign', '--sign-type', 'SHA1', 'a=b'], /--sign-type must be HMAC-SHA256 or MD5/],
      [['sign'], /give key=value arguments or a JSON object on stdin/],
      [['verify', 'a=b'], /no sign parameter/],
      [['sandbox', '--time-scale', 'fast'], /--time-scale must be a number/],
      [['sandbox', 'extra'], /unexpected argument/],
      [['trigger', 'deposit'], /--url is required/],
      [['trigger', 'refund', '--url', 'http://127.0.0.1:1/'], /only "deposit" or "payout"/],
      [['trigger'], /deposit\|payout/],
      [
        ['trigger', 'payout', '--url', 'http://127.0.0.1:1/', '--real-amount', '5'],
        /--real-amount is not an option of trigger payout/,
      ],
      [
        ['trigger', 'deposit', '--url', 'http://127.0.0.1:1/', '--payout-id', 'PO1'],
        /--payout-id is not an option of trigger deposit/,
      ],
      [['trigger', 'payout', '--url', 'http://127.0.0.1:1/', '--fee', 'x'], /--fee must be an integer/],
      [['trigger', 'deposit', '--url', 'ftp://x'], /--url must be an http\(s\) URL/],
      [['trigger', 'deposit', '--url', 'http://127.0.0.1:1/', '--amount', '-5'], /--amount/],
    ];
    for (const [args, message] of cases) {
      const r = await runInProcess(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    }
  });

  it('sign prints the docs vector; verify reads stdin and exits 1 for a changed body', async () => {
    const changed = JSON.stringify({
      platform_id: 'PF0002',
      service_id: 'SVC0001',
      payment_cl_id: 'DEVPM00014581',
      amount: 50001,
      notify_url: 'https://your-domain.com/callback',
      request_time: 1595504136,
      sign_type: 'HMAC-SHA256',
      sign: DOC_HMAC,
    });
    const [hmac, bad] = await Promise.all([run(['sign', ...DOC_PARAMS]), run(['verify'], changed)]);
    expect(hmac).toMatchObject({ code: 0, stdout: `${DOC_HMAC}\n` });
    expect(hmac.stderr).toContain(
      'amount=50000&notify_url=https://your-domain.com/callback&payment_cl_id=DEVPM00014581&platform_id=PF0002&request_time=1595504136&service_id=SVC0001',
    );
    expect(bad).toMatchObject({ code: 1, stdout: 'invalid\n' });
    expect(await runInProcess(['verify'], changed.replace('50001', '50000'))).toMatchObject({
      code: 0,
      stdout: 'valid\n',
    });
  });

  it('verify defaults to the algorithm sign uses: what sign printed verifies as is', async () => {
    const signed = await runInProcess(['sign', ...DOC_PARAMS]);
    expect(signed.stdout).toBe(`${DOC_HMAC}\n`);
    const back = await runInProcess(['verify', ...DOC_PARAMS, `sign=${signed.stdout.trim()}`]);
    expect(back).toMatchObject({ code: 0, stdout: 'valid\n' });
  });

  it('sign and verify in detail: MD5, JSON numbers as their text, sign_type and --sign-type', async () => {
    expect(await runInProcess(['sign', '--sign-type', 'MD5', ...DOC_PARAMS])).toMatchObject({
      code: 0,
      stdout: `${DOC_MD5}\n`,
    });
    const json =
      '{"platform_id":"PF0002","service_id":"SVC0001","payment_cl_id":"DEVPM00014581","amount":50000,"notify_url":"https://your-domain.com/callback","request_time":1595504136,"sign_type":"MD5"}';
    expect(await runInProcess(['sign', '--key', DEFAULT_MERCHANT.platformKey], json)).toMatchObject({
      code: 0,
      stdout: `${DOC_MD5}\n`,
    });
    // 50000.0 is signed as written, so it no longer matches the vector.
    expect((await runInProcess(['sign'], json.replace('50000', '50000.0'))).stdout).not.toBe(`${DOC_MD5}\n`);
    const good = await runInProcess(['verify', ...DOC_PARAMS, 'sign_type=HMAC-SHA256', `sign=${DOC_HMAC}`]);
    const md5 = await runInProcess(['verify', '--sign-type', 'MD5', ...DOC_PARAMS, `sign=${DOC_MD5}`]);
    const md5Param = await runInProcess(['verify', ...DOC_PARAMS, 'sign_type=MD5', `sign=${DOC_MD5}`]);
    const hint = await runInProcess(['verify', ...DOC_PARAMS, `sign=${DOC_MD5}`]);
    const forced = await runInProcess([
      'verify',
      '--sign-type',
      'HMAC-SHA256',
      ...DOC_PARAMS,
      `sign=${DOC_HMAC}`,
    ]);
    const wrongKey = await runInProcess(['verify', '--key', 'wrong-key', ...DOC_PARAMS, `sign=${DOC_HMAC}`]);
    expect(good).toMatchObject({ code: 0, stdout: 'valid\n' });
    expect(md5).toMatchObject({ code: 0, stdout: 'valid\n' });
    expect(md5Param).toMatchObject({ code: 0, stdout: 'valid\n' });
    expect(hint).toMatchObject({ code: 1, stdout: 'invalid\n' });
    expect(hint.stderr).toContain('--sign-type MD5');
    expect(forced).toMatchObject({ code: 0, stdout: 'valid\n' });
    expect(wrongKey).toMatchObject({ code: 1, stdout: 'invalid\n' });
  });

  it('trigger deposit: sends a signed notification the shop accepts (exit 0), or reports a bad reply (exit 1)', async () => {
    const hmac = await run([
      'trigger',
      'deposit',
      '--url',
      receiver.url,
      '--payment-cl-id',
      'cli-paid',
      '--amount',
      '400000',
    ]);
    const rude = await runInProcess(['trigger', 'deposit', '--url', `${receiver.url}/rude`]);
    const md5 = await runInProcess(
      ['trigger', 'deposit', '--url', receiver.url, '--payment-cl-id', 'cli-cancel', '--status', '3'].concat([
        '--sign-type',
        'MD5',
      ]),
    );
    const dead = await runInProcess([
      'trigger',
      'deposit',
      '--url',
      'http://127.0.0.1:1/notify',
      '--timeout-ms',
      '2000',
    ]);
    expect(hmac).toMatchObject({ code: 0, stdout: `HTTP 200\n${ACK_BODY}\n` });
    expect(md5.code).toBe(0);
    expect(handled.find((n) => n.payment_cl_id === 'cli-paid')).toMatchObject({
      status: 2,
      amount: 400000,
      real_amount: 400000,
      fee: 3200,
      sign_type: 'HMAC-SHA256',
    });
    expect(handled.find((n) => n.payment_cl_id === 'cli-cancel')).toMatchObject({
      status: 3,
      real_amount: 0,
    });
    expect(handled.find((n) => n.payment_cl_id === 'cli-cancel')?.sign_type).toBeUndefined();
    expect(rude).toMatchObject({ code: 1, stdout: 'HTTP 200\nOK\n' });
    expect(rude.stderr).toContain('not acknowledged');
    expect(dead.code).toBe(1);
    expect(dead.stderr).toMatch(/delivery failed.*ECONNREFUSED/);
  });

  it('trigger payout: sends a signed payout notification (checked independently) the shop accepts', async () => {
    const paid = await run([
      'trigger',
      'payout',
      '--url',
      receiver.url,
      '--payout-cl-id',
      'cli-po-paid',
      '--amount',
      '2000000',
    ]);
    expect(paid).toMatchObject({ code: 0, stdout: `HTTP 200\n${ACK_BODY}\n` });
    // stderr shows what was sent: exactly what the independent signer makes of those fields.
    const sent = paid.stderr.split('\n')[1]!;
    const { sign: _sign, sign_type: _type, ...fields } = JSON.parse(sent) as Record<string, unknown>;
    expect(Object.keys(fields)).toEqual([
      'payout_id',
      'payout_cl_id',
      'platform_id',
      'amount',
      'fee',
      'status',
      'create_time',
      'update_time',
    ]);
    expect(signedBody(fields, { key: DEFAULT_MERCHANT.platformKey })).toBe(sent);
    expect(paidOut.find((n) => n.payout_cl_id === 'cli-po-paid')).toMatchObject({
      status: 3,
      amount: 2_000_000,
      fee: 10_000,
      outcome: 'paid_out',
      sign_type: 'HMAC-SHA256',
    });
    expect(paidOut.find((n) => n.payout_cl_id === 'cli-po-paid')?.payout_id).toMatch(/^PO\d{8}$/);

    const failed = await runInProcess([
      'trigger',
      'payout',
      '--url',
      receiver.url,
      '--payout-cl-id',
      'cli-po-failed',
      '--payout-id',
      'PO00000777',
      '--status',
      '5',
      '--error-msg',
      'account closed',
      '--sign-type',
      'MD5',
    ]);
    expect(failed.code).toBe(0);
    const md5 = paidOut.find((n) => n.payout_cl_id === 'cli-po-failed');
    expect(md5).toMatchObject({
      payout_id: 'PO00000777',
      status: 5,
      fee: 0,
      error_msg: 'account closed',
      outcome: 'failed',
    });
    expect(md5?.sign_type).toBeUndefined();
    const sentMd5 = failed.stderr.split('\n')[1]!;
    const { sign: _s, ...md5Fields } = JSON.parse(sentMd5) as Record<string, unknown>;
    expect(signedBody(md5Fields, { key: DEFAULT_MERCHANT.platformKey, signType: 'MD5' })).toBe(sentMd5);

    const wrongKey = await runInProcess(['trigger', 'payout', '--url', receiver.url, '--key', 'other-key']);
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stdout).toMatch(/^HTTP 401/);
    expect((await runInProcess(['trigger', 'payout', '--url', `${receiver.url}/rude`])).code).toBe(1);
  });

  it('sandbox: serves the gateway until SIGTERM, then exits 0', async () => {
    running++; // holds a process slot for the whole test
    const child = start(['sandbox', '--port', '0', '--time-scale', '0.001']);
    let stdout = '';
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout!.on('data', (c: Buffer) => {
          stdout += c.toString();
          const m = /running at (http:\/\/\S+)/.exec(stdout);
          if (m) resolve(m[1]!);
        });
        child.on('close', () => reject(new Error(`exited early: ${stderr}`)));
      });
      expect(stdout).toContain(`platform key    ${DEFAULT_MERCHANT.platformKey}`);
      expect(stdout).toContain(`authorization   ${DEFAULT_MERCHANT.authorization}`);
      const dp = new DiamondPay({ baseUrl: url, ...DEFAULT_MERCHANT });
      const d = await dp.deposits.create({
        service_id: 'SVC0015',
        payment_cl_id: 'cli-sb-1',
        amount: 1000,
        notify_url: receiver.url,
      });
      const paid = await fetch(`${url}/_sandbox/orders/cli-sb-1/pay`, { method: 'POST' });
      expect(paid.status).toBe(200);
      expect((await dp.deposits.retrieve('cli-sb-1')).payment_id).toBe(d.payment_id);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stdout).toContain('SIGTERM: sandbox stopped');
      expect(stdout).toContain('createDeposit: created cli-sb-1');
    } finally {
      clearTimeout(killer);
      child.kill('SIGKILL');
      running--;
      queue.shift()?.();
    }
  });
});
