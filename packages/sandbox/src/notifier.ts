// Delivering notifications (deposits and payouts) to merchants: signed bodies in the docs' field
// order, one POST per attempt with a timeout, retried on a (time-scaled) schedule until the exact
// acknowledgement.
// Every attempt is logged; every timer is unref'd and cancelled by close().
import http from 'node:http';
import https from 'node:https';
import { ACK_BODY, type SignType } from '@diamondpay/core';
import { SandboxError } from './errors.js';
import type { DeliveryFaults } from './faults.js';
import type { SandboxOrder } from './orders.js';
import type { SandboxPayout } from './payouts.js';
import { signParams } from './signing.js';
import { Sleeper } from './sleeper.js';

export interface DeliveryAttempt {
  platformId: string;
  paymentClId: string;
  paymentId: string;
  /** The order status this notification carried. */
  status: number;
  /** 1-based attempt number within its delivery (duplicates share the first attempt's number). */
  attempt: number;
  /** When the attempt started, ms since the epoch. */
  at: number;
  url: string;
  /** The exact body sent (or that would have been sent, for an attempt lost before sending). */
  body: string;
  httpStatus?: number;
  /** How long the attempt took, from sending to the end of the reply or the error, in ms. */
  durationMs?: number;
  /** The reply body (first 4 KiB). */
  reply?: string;
  /** True only for an HTTP 2xx whose body is a JSON object with `error_code` "0000". */
  acked: boolean;
  error?: string;
  /** An extra copy sent by the `duplicates` fault. */
  duplicate?: boolean;
}

/** Notification fields, in the order of the docs' example. Amounts in cents, times in Unix seconds. */
export interface NotificationFields {
  payment_id: string;
  payment_cl_id: string;
  platform_id: string;
  amount: number;
  real_amount: number;
  fee: number;
  status: number;
  create_time: number;
  update_time: number;
  payment_cl_name?: string;
}

/** The notification for an order's current state. */
export function notificationFields(order: SandboxOrder): NotificationFields {
  const fields: NotificationFields = {
    payment_id: order.paymentId,
    payment_cl_id: order.paymentClId,
    platform_id: order.platformId,
    amount: order.amount,
    real_amount: order.realAmount,
    fee: order.fee,
    status: order.status,
    create_time: order.createTime,
    update_time: order.updateTime,
  };
  if (order.payerName) fields.payment_cl_name = order.payerName;
  return fields;
}

/** One payout notification attempt, as `DeliveryAttempt` with the payout's ids. */
export interface PayoutDeliveryAttempt extends Omit<DeliveryAttempt, 'paymentClId' | 'paymentId'> {
  payoutClId: string;
  payoutId: string;
}

/** Payout notification fields (protocol reference §3.4). Amounts in cents, times in Unix seconds. */
export interface PayoutNotificationFields {
  payout_id: string;
  payout_cl_id: string;
  platform_id: string;
  amount: number;
  fee: number;
  status: number;
  create_time: number;
  update_time: number;
  error_msg?: string;
}

/** The notification for a payout's current state. */
export function payoutNotificationFields(payout: SandboxPayout): PayoutNotificationFields {
  const fields: PayoutNotificationFields = {
    payout_id: payout.payoutId,
    payout_cl_id: payout.payoutClId,
    platform_id: payout.platformId,
    amount: payout.amount,
    fee: payout.fee,
    status: payout.status,
    create_time: payout.createTime,
    update_time: payout.updateTime,
  };
  if (payout.errorMsg) fields.error_msg = payout.errorMsg;
  return fields;
}

/** The JSON body the gateway sends: the fields, then `sign_type` (HMAC orders only), then `sign`. */
export async function signedNotificationBody(
  fields: NotificationFields | PayoutNotificationFields,
  platformKey: string,
  signType: SignType,
): Promise<string> {
  const body: Record<string, string | number> = { ...fields };
  if (signType === 'HMAC-SHA256') body.sign_type = 'HMAC-SHA256';
  body.sign = signParams(body, platformKey, signType);
  return JSON.stringify(body);
}

/**
 * The gateway's delivery rule: any 2xx whose body is a JSON object with `error_code` "0000". Public
 * integrations reply `{"error_code": "0000"}` (spaced, as one copy of the docs prints it) or add
 * fields; all of them count. The exact compact form (ACK_BODY) is the fast path.
 */
export function isAck(httpStatus: number, reply: string): boolean {
  if (httpStatus < 200 || httpStatus >= 300) return false;
  const text = reply.trim();
  if (text === ACK_BODY) return true;
  if (!text.startsWith('{')) return false;
  try {
    const parsed: unknown = JSON.parse(text);
    return (
      parsed !== null &&
      typeof parsed === 'object' &&
      !Array.isArray(parsed) &&
      (parsed as Record<string, unknown>).error_code === '0000'
    );
  } catch {
    return false;
  }
}

export interface PostResult {
  httpStatus: number;
  reply: string;
}

const MAX_REPLY_CHARS = 4096;
const USER_AGENT = 'DiamondPay-Sandbox/0.1';

/** POSTs one notification body; rejects on connection errors and after `timeoutMs` without a full reply. */
export function postNotification(
  url: string,
  body: string,
  options: { timeoutMs: number; signal?: AbortSignal; agents?: { http: http.Agent; https: https.Agent } },
): Promise<PostResult> {
  return new Promise((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      reject(new Error(`invalid notify_url ${JSON.stringify(url)}`));
      return;
    }
    const secure = target.protocol === 'https:';
    if (!secure && target.protocol !== 'http:') {
      reject(new Error(`notify_url must be http or https, got ${target.protocol}`));
      return;
    }
    const payload = Buffer.from(body, 'utf8');
    const req = (secure ? https : http).request(target, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-length': payload.length,
        'user-agent': USER_AGENT,
      },
      agent: options.agents ? (secure ? options.agents.https : options.agents.http) : undefined,
      signal: options.signal,
    });
    const timer = setTimeout(() => {
      req.destroy(new Error(`no reply within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    timer.unref();
    req.on('response', (res) => {
      let reply = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (reply.length < MAX_REPLY_CHARS) reply += chunk;
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ httpStatus: res.statusCode ?? 0, reply: reply.slice(0, MAX_REPLY_CHARS) });
      });
      res.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(payload);
  });
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && !error.message.includes(code)
    ? `${error.message} (${code})`
    : error.message;
}

export interface NotifierOptions {
  /** Delay before each attempt, in ms (unscaled); its length is the number of attempts. */
  schedule: readonly number[];
  timeScale: number;
  timeoutMs: number;
  log?: ((line: string) => void) | undefined;
}

type Kind = 'deposit' | 'payout';

/** What one delivery is about: a deposit (payment ids) or a payout (payout ids). */
interface Subject {
  kind: Kind;
  platformId: string;
  /** payment_cl_id or payout_cl_id. */
  clId: string;
  /** payment_id or payout_id. */
  id: string;
}

interface Delivery extends Subject {
  status: number;
  url: string;
  done: boolean;
  acked: boolean;
}

/** One attempt as logged, for either kind. */
interface Entry extends Subject {
  status: number;
  attempt: number;
  at: number;
  url: string;
  body: string;
  httpStatus?: number;
  /** From sending to the end of the reply or the error, in ms. */
  durationMs?: number;
  reply?: string;
  acked: boolean;
  error?: string;
  duplicate?: boolean;
}

interface Waiter {
  kind: Kind;
  clId: string;
  status: number | undefined;
  resolve: (entry: Entry) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

const matches = (d: Subject & { status: number }, kind: Kind, clId: string, status?: number) =>
  d.kind === kind && d.clId === clId && (status === undefined || d.status === status);

function depositAttempt({ kind: _k, clId, id, ...rest }: Entry): DeliveryAttempt {
  return { ...rest, paymentClId: clId, paymentId: id };
}

function payoutAttempt({ kind: _k, clId, id, ...rest }: Entry): PayoutDeliveryAttempt {
  return { ...rest, payoutClId: clId, payoutId: id };
}

export class Notifier {
  readonly #options: NotifierOptions;
  readonly #log: Entry[] = [];
  readonly #deliveries: Delivery[] = [];
  readonly #sleeper = new Sleeper();
  readonly #aborts = new Set<AbortController>();
  readonly #waiters = new Set<Waiter>();
  #idleWaiters: (() => void)[] = [];
  #active = 0;
  #closed = false;
  readonly #agents = {
    http: new http.Agent({ keepAlive: true }),
    https: new https.Agent({ keepAlive: true }),
  };
  attempted = 0;
  acked = 0;

  constructor(options: NotifierOptions) {
    this.#options = options;
  }

  /** Starts delivering the order's current (final) status. Counts as pending at once, for idle(). */
  deliver(order: SandboxOrder, platformKey: string, faults: DeliveryFaults): void {
    if (this.#closed) return;
    const fields = notificationFields(order);
    const stale =
      faults.outOfOrder && order.status === 2
        ? { ...fields, status: 1, real_amount: 0, fee: 0, update_time: order.createTime }
        : undefined;
    const subject: Subject = {
      kind: 'deposit',
      platformId: order.platformId,
      clId: order.paymentClId,
      id: order.paymentId,
    };
    this.#start(subject, order.notifyUrl, order.status, faults, async () => ({
      body: await signedNotificationBody(fields, platformKey, order.signType),
      stale: stale && { status: 1, body: await signedNotificationBody(stale, platformKey, order.signType) },
    }));
  }

  /** Starts delivering the payout's current (final) status, signed with the sandbox's own signer; nothing without a notify_url. */
  deliverPayout(payout: SandboxPayout, platformKey: string, faults: DeliveryFaults): void {
    if (this.#closed || !payout.notifyUrl) return;
    const fields = payoutNotificationFields(payout);
    const stale =
      faults.outOfOrder && payout.status === 3
        ? { ...fields, status: 2, update_time: payout.createTime }
        : undefined;
    const subject: Subject = {
      kind: 'payout',
      platformId: payout.platformId,
      clId: payout.payoutClId,
      id: payout.payoutId,
    };
    const { signType } = payout;
    this.#start(subject, payout.notifyUrl, payout.status, faults, async () => ({
      body: await signedNotificationBody(fields, platformKey, signType),
      stale: stale && { status: 2, body: await signedNotificationBody(stale, platformKey, signType) },
    }));
  }

  #start(
    subject: Subject,
    url: string,
    status: number,
    faults: DeliveryFaults,
    bodies: () => Promise<{ body: string; stale: { status: number; body: string } | undefined }>,
  ): void {
    const delivery = this.#open(subject, url, status);
    this.#track(async () => {
      const { body, stale } = await bodies();
      await this.#run(delivery, body, faults, () => {
        // The stale "processing" notice goes out only after the final one's first attempt.
        if (stale)
          this.#track(() =>
            this.#run(
              this.#open(subject, url, stale.status),
              stale.body,
              { latencyMs: faults.latencyMs },
              undefined,
            ),
          );
      });
    });
  }

  #open(subject: Subject, url: string, status: number): Delivery {
    const d: Delivery = { ...subject, status, url, done: false, acked: false };
    this.#deliveries.push(d);
    return d;
  }

  /** Runs `task` counted as pending work; idle() waits for the count to reach zero. */
  #track(task: () => Promise<void>): void {
    this.#active++;
    task()
      .catch((error: unknown) => this.#options.log?.(`notifier: internal error: ${describeError(error)}`))
      .finally(() => {
        this.#active--;
        if (this.#active === 0) {
          const waiters = this.#idleWaiters;
          this.#idleWaiters = [];
          for (const w of waiters) w();
        }
      });
  }

  async #run(d: Delivery, body: string, faults: DeliveryFaults, afterFirst: (() => void) | undefined) {
    const { schedule, timeScale } = this.#options;
    const failFirst = faults.failFirst ?? 0;
    const lose = faults.lose ?? 'reply';
    try {
      for (let i = 0; i < schedule.length; i++) {
        await this.#sleeper.sleep(((schedule[i] ?? 0) + (faults.latencyMs ?? 0)) * timeScale);
        if (this.#closed) return;
        const n = i + 1;
        if (n === 1) {
          for (let c = 0; c < (faults.duplicates ?? 0); c++)
            this.#track(() => this.#attempt(d, body, n, undefined, true).then(() => undefined));
        }
        const acked = await this.#attempt(d, body, n, n <= failFirst ? lose : undefined, false);
        if (n === 1) afterFirst?.();
        if (this.#closed) return;
        if (acked) {
          d.acked = true;
          return;
        }
      }
    } finally {
      d.done = true;
      this.#settleWaiters();
    }
  }

  async #attempt(
    d: Delivery,
    body: string,
    n: number,
    lost: 'request' | 'reply' | undefined,
    duplicate: boolean,
  ): Promise<boolean> {
    const entry: Entry = {
      kind: d.kind,
      platformId: d.platformId,
      clId: d.clId,
      id: d.id,
      status: d.status,
      attempt: n,
      at: Date.now(),
      url: d.url,
      body,
      acked: false,
    };
    if (duplicate) entry.duplicate = true;
    if (lost === 'request') {
      entry.error = 'lost before sending (failFirst fault)';
    } else {
      const abort = new AbortController();
      this.#aborts.add(abort);
      try {
        const r = await postNotification(d.url, body, {
          timeoutMs: this.#options.timeoutMs,
          signal: abort.signal,
          agents: this.#agents,
        });
        entry.httpStatus = r.httpStatus;
        entry.reply = r.reply;
        if (lost === 'reply') entry.error = 'reply discarded (failFirst fault)';
        else if (isAck(r.httpStatus, r.reply)) entry.acked = true;
        else
          entry.error = `not acknowledged: HTTP ${r.httpStatus}, the reply must be a JSON object with error_code "0000", like ${ACK_BODY}`;
      } catch (error) {
        entry.error = describeError(error);
      } finally {
        this.#aborts.delete(abort);
        entry.durationMs = Date.now() - entry.at;
      }
    }
    if (this.#closed) return false;
    this.#log.push(entry);
    this.attempted++;
    if (entry.acked) this.acked++;
    this.#options.log?.(
      `notify ${d.kind === 'payout' ? 'payout ' : ''}${d.clId} status ${d.status} attempt ${n}${duplicate ? ' (duplicate)' : ''}: ${entry.acked ? 'acked' : entry.error}`,
    );
    this.#settleWaiters();
    return entry.acked;
  }

  /** The deposit delivery log, oldest first (copies). */
  attempts(filter: { paymentClId?: string; status?: number } = {}): DeliveryAttempt[] {
    return this.#entries('deposit', filter.paymentClId, filter.status).map(depositAttempt);
  }

  /** The payout delivery log, oldest first (copies). */
  payoutAttempts(filter: { payoutClId?: string; status?: number } = {}): PayoutDeliveryAttempt[] {
    return this.#entries('payout', filter.payoutClId, filter.status).map(payoutAttempt);
  }

  #entries(kind: Kind, clId: string | undefined, status: number | undefined): Entry[] {
    return this.#log.filter(
      (a) =>
        a.kind === kind &&
        (clId === undefined || a.clId === clId) &&
        (status === undefined || a.status === status),
    );
  }

  /** Resolves when no delivery is pending or scheduled. */
  idle(): Promise<void> {
    if (this.#active === 0 || this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Resolves with the first acknowledged (non-duplicate) attempt for the order; see Sandbox.waitForDelivery. */
  waitFor(paymentClId: string, status: number | undefined, timeoutMs: number): Promise<DeliveryAttempt> {
    return this.#waitFor('deposit', paymentClId, status, timeoutMs).then(depositAttempt);
  }

  /** Resolves with the first acknowledged (non-duplicate) attempt for the payout; see Sandbox.waitForPayoutDelivery. */
  waitForPayout(
    payoutClId: string,
    status: number | undefined,
    timeoutMs: number,
  ): Promise<PayoutDeliveryAttempt> {
    return this.#waitFor('payout', payoutClId, status, timeoutMs).then(payoutAttempt);
  }

  #waitFor(kind: Kind, clId: string, status: number | undefined, timeoutMs: number): Promise<Entry> {
    const what = kind === 'deposit' ? 'waitForDelivery' : 'waitForPayoutDelivery';
    return new Promise((resolve, reject) => {
      if (this.#closed) {
        reject(new SandboxError('closed', `${what}: the sandbox is closed`));
        return;
      }
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(
          new Error(
            `${what}(${JSON.stringify(clId)}): ${this.#summary(kind, clId, status)} within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      timer.unref();
      const waiter: Waiter = { kind, clId, status, resolve, reject, timer };
      this.#waiters.add(waiter);
      this.#settleWaiters();
    });
  }

  #summary(kind: Kind, clId: string, status: number | undefined): string {
    const tried = this.#log.filter((a) => matches(a, kind, clId, status));
    const what = status === undefined ? '' : ` with status ${status}`;
    if (tried.length === 0 && !this.#deliveries.some((d) => matches(d, kind, clId, status)))
      return kind === 'deposit'
        ? `no notification${what} was sent (pay or cancel the order first)`
        : `no notification${what} was sent (complete or fail the payout first; a payout without notify_url gets none)`;
    const last = tried[tried.length - 1];
    return `no acknowledged delivery${what} after ${tried.length} attempt(s)${last ? ` (last: ${last.error})` : ''}`;
  }

  #settleWaiters(): void {
    for (const w of this.#waiters) {
      const hit = this.#log.find((a) => a.acked && !a.duplicate && matches(a, w.kind, w.clId, w.status));
      if (hit) {
        this.#waiters.delete(w);
        clearTimeout(w.timer);
        w.resolve({ ...hit });
        continue;
      }
      const mine = this.#deliveries.filter((d) => matches(d, w.kind, w.clId, w.status));
      if (mine.length > 0 && mine.every((d) => d.done && !d.acked)) {
        this.#waiters.delete(w);
        clearTimeout(w.timer);
        const what = w.kind === 'deposit' ? 'waitForDelivery' : 'waitForPayoutDelivery';
        w.reject(
          new Error(
            `${what}(${JSON.stringify(w.clId)}): all retries exhausted, ${this.#summary(w.kind, w.clId, w.status)}`,
          ),
        );
      }
    }
  }

  /** Cancels scheduled retries, aborts requests in flight, rejects waiters, closes keep-alive sockets. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#sleeper.close();
    for (const abort of this.#aborts) abort.abort();
    for (const w of this.#waiters) {
      clearTimeout(w.timer);
      const what = w.kind === 'deposit' ? 'waitForDelivery' : 'waitForPayoutDelivery';
      w.reject(new SandboxError('closed', `${what}(${JSON.stringify(w.clId)}): the sandbox was closed`));
    }
    this.#waiters.clear();
    const idle = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of idle) w();
    this.#agents.http.destroy();
    this.#agents.https.destroy();
  }
}
