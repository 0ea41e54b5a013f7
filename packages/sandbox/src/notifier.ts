// Delivering notifications to merchants: signed bodies in the docs' field order, one POST per
// attempt with a timeout, retried on a (time-scaled) schedule until the exact acknowledgement.
// Every attempt is logged; every timer is unref'd and cancelled by close().
import http from 'node:http';
import https from 'node:https';
import { ACK_BODY, type SignType } from '@diamondpay/core';
import { SandboxError } from './errors.js';
import type { DeliveryFaults } from './faults.js';
import type { SandboxOrder } from './orders.js';
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

/** The JSON body the gateway sends: the fields, then `sign_type` (HMAC orders only), then `sign`. */
export async function signedNotificationBody(
  fields: NotificationFields,
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

interface Delivery {
  platformId: string;
  paymentClId: string;
  paymentId: string;
  status: number;
  url: string;
  done: boolean;
  acked: boolean;
}

interface Waiter {
  paymentClId: string;
  status: number | undefined;
  resolve: (attempt: DeliveryAttempt) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

const matches = (d: { paymentClId: string; status: number }, paymentClId: string, status?: number) =>
  d.paymentClId === paymentClId && (status === undefined || d.status === status);

export class Notifier {
  readonly #options: NotifierOptions;
  readonly #log: DeliveryAttempt[] = [];
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
    const delivery = this.#open(order, order.status);
    this.#track(async () => {
      const body = await signedNotificationBody(fields, platformKey, order.signType);
      const staleBody = stale && (await signedNotificationBody(stale, platformKey, order.signType));
      await this.#run(delivery, body, faults, () => {
        // The stale "processing" notice goes out only after the final one's first attempt.
        if (staleBody)
          this.#track(() =>
            this.#run(this.#open(order, 1), staleBody, { latencyMs: faults.latencyMs }, undefined),
          );
      });
    });
  }

  #open(order: SandboxOrder, status: number): Delivery {
    const d: Delivery = {
      platformId: order.platformId,
      paymentClId: order.paymentClId,
      paymentId: order.paymentId,
      status,
      url: order.notifyUrl,
      done: false,
      acked: false,
    };
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
    const entry: DeliveryAttempt = {
      platformId: d.platformId,
      paymentClId: d.paymentClId,
      paymentId: d.paymentId,
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
      `notify ${d.paymentClId} status ${d.status} attempt ${n}${duplicate ? ' (duplicate)' : ''}: ${entry.acked ? 'acked' : entry.error}`,
    );
    this.#settleWaiters();
    return entry.acked;
  }

  /** The delivery log, oldest first (copies). */
  attempts(filter: { paymentClId?: string; status?: number } = {}): DeliveryAttempt[] {
    return this.#log
      .filter(
        (a) =>
          (filter.paymentClId === undefined || a.paymentClId === filter.paymentClId) &&
          (filter.status === undefined || a.status === filter.status),
      )
      .map((a) => ({ ...a }));
  }

  /** Resolves when no delivery is pending or scheduled. */
  idle(): Promise<void> {
    if (this.#active === 0 || this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Resolves with the first acknowledged (non-duplicate) attempt for the order; see Sandbox.waitForDelivery. */
  waitFor(paymentClId: string, status: number | undefined, timeoutMs: number): Promise<DeliveryAttempt> {
    return new Promise((resolve, reject) => {
      if (this.#closed) {
        reject(new SandboxError('closed', 'waitForDelivery: the sandbox is closed'));
        return;
      }
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(
          new Error(
            `waitForDelivery(${JSON.stringify(paymentClId)}): ${this.#summary(paymentClId, status)} within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      timer.unref();
      const waiter: Waiter = { paymentClId, status, resolve, reject, timer };
      this.#waiters.add(waiter);
      this.#settleWaiters();
    });
  }

  #summary(paymentClId: string, status: number | undefined): string {
    const tried = this.#log.filter((a) => matches(a, paymentClId, status));
    const what = status === undefined ? '' : ` with status ${status}`;
    if (tried.length === 0 && !this.#deliveries.some((d) => matches(d, paymentClId, status)))
      return `no notification${what} was sent (pay or cancel the order first)`;
    const last = tried[tried.length - 1];
    return `no acknowledged delivery${what} after ${tried.length} attempt(s)${last ? ` (last: ${last.error})` : ''}`;
  }

  #settleWaiters(): void {
    for (const w of this.#waiters) {
      const hit = this.#log.find((a) => a.acked && !a.duplicate && matches(a, w.paymentClId, w.status));
      if (hit) {
        this.#waiters.delete(w);
        clearTimeout(w.timer);
        w.resolve({ ...hit });
        continue;
      }
      const mine = this.#deliveries.filter((d) => matches(d, w.paymentClId, w.status));
      if (mine.length > 0 && mine.every((d) => d.done && !d.acked)) {
        this.#waiters.delete(w);
        clearTimeout(w.timer);
        w.reject(
          new Error(
            `waitForDelivery(${JSON.stringify(w.paymentClId)}): all retries exhausted, ${this.#summary(w.paymentClId, w.status)}`,
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
      w.reject(
        new SandboxError(
          'closed',
          `waitForDelivery(${JSON.stringify(w.paymentClId)}): the sandbox was closed`,
        ),
      );
    }
    this.#waiters.clear();
    const idle = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of idle) w();
    this.#agents.http.destroy();
    this.#agents.https.destroy();
  }
}
