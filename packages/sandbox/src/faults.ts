// Fault injection: per-endpoint rates drawn from a seeded PRNG, plus one-shot faults queued for the
// next requests. One-shots win over rates so a test can script an exact sequence.
import { invalid } from './errors.js';
import { mulberry32 } from './rng.js';

export type Endpoint = 'createDeposit' | 'queryDeposit' | 'createPayout' | 'queryPayout' | 'balance';
export const ENDPOINTS: readonly Endpoint[] = [
  'createDeposit',
  'queryDeposit',
  'createPayout',
  'queryPayout',
  'balance',
];

/**
 * `resetBefore`: socket destroyed, nothing processed. `resetAfter`: processed (an order or payout IS created),
 * then the socket is destroyed unanswered. `hang`: never answered until `close()`.
 * `error500`/`error503`: that HTTP status with a non-envelope body, nothing processed.
 * `latency`: answered normally after a delay.
 */
export type FaultKind = 'latency' | 'error500' | 'error503' | 'resetBefore' | 'resetAfter' | 'hang';
export const FAULT_KINDS: readonly FaultKind[] = [
  'latency',
  'error500',
  'error503',
  'resetBefore',
  'resetAfter',
  'hang',
];

export interface EndpointFaults {
  /** Delay before every answer, in ms (scaled by `timeScale`). */
  latencyMs?: number;
  /** Share of requests (0–1) answered with HTTP 500 or 503 (half each). */
  error5xxRate?: number;
  resetBeforeRate?: number;
  resetAfterRate?: number;
  hangRate?: number;
}

export interface DeliveryFaults {
  /** Extra copies of the body sent concurrently with the first attempt. */
  duplicates?: number;
  /** The first N attempts are lost (see `lose`). */
  failFirst?: number;
  /** `request`: a lost attempt is not sent at all; `reply` (default): sent, but its reply is discarded. */
  lose?: 'request' | 'reply';
  /** Delay before each attempt, in ms (scaled by `timeScale`). */
  latencyMs?: number;
  /** For a paid order (a paid-out payout): a stale status-1 (2 for a payout: processing) notification is delivered after the final one. */
  outOfOrder?: boolean;
}

export interface Faults {
  createDeposit?: EndpointFaults;
  queryDeposit?: EndpointFaults;
  createPayout?: EndpointFaults;
  queryPayout?: EndpointFaults;
  balance?: EndpointFaults;
  /** Default delivery faults for every deposit and payout notification (a `pay`/`cancel`/`completePayout`/`failPayout` call's own `delivery` overrides them field by field). */
  delivery?: DeliveryFaults;
}

/** Latency of a one-shot `latency` fault when the endpoint has no `latencyMs` of its own, in ms (scaled). */
export const INJECTED_LATENCY_MS = 1_000;

export interface FaultDecision {
  /** Unscaled delay before handling, in ms. */
  latencyMs: number;
  kind?: Exclude<FaultKind, 'latency'>;
}

const RATE_KEYS = ['hangRate', 'resetBeforeRate', 'resetAfterRate', 'error5xxRate'] as const;
const ENDPOINT_KEYS = new Set<string>(['latencyMs', ...RATE_KEYS]);
const DELIVERY_KEYS = new Set<string>(['duplicates', 'failFirst', 'lose', 'latencyMs', 'outOfOrder']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkNumber(where: string, v: unknown, min: number, max: number, integer = false): void {
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v)))
    throw invalid(`${where} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
}

/** Checks a delivery fault config; unknown keys are refused so a typo never silently disables a fault. */
export function validateDeliveryFaults(value: unknown, where = 'delivery'): DeliveryFaults {
  if (value === undefined) return {};
  if (!isObject(value)) throw invalid(`${where} must be an object`);
  for (const key of Object.keys(value))
    if (!DELIVERY_KEYS.has(key)) throw invalid(`${where}.${key} is not a delivery fault`);
  checkNumber(`${where}.duplicates`, value.duplicates, 0, 10, true);
  checkNumber(`${where}.failFirst`, value.failFirst, 0, 100, true);
  checkNumber(`${where}.latencyMs`, value.latencyMs, 0, 3_600_000);
  if (value.lose !== undefined && value.lose !== 'request' && value.lose !== 'reply')
    throw invalid(`${where}.lose must be "request" or "reply"`);
  if (value.outOfOrder !== undefined && typeof value.outOfOrder !== 'boolean')
    throw invalid(`${where}.outOfOrder must be a boolean`);
  return { ...value } as DeliveryFaults;
}

/** Checks a whole fault config (the `PUT /_sandbox/faults` body) and returns a copy. */
export function validateFaults(value: unknown): Faults {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw invalid('faults must be an object');
  const out: Faults = {};
  for (const key of Object.keys(value)) {
    if (key === 'delivery') {
      out.delivery = validateDeliveryFaults(value.delivery, 'faults.delivery');
      continue;
    }
    if (!(ENDPOINTS as readonly string[]).includes(key))
      throw invalid(`faults.${key} is unknown (expected ${ENDPOINTS.join(', ')} or delivery)`);
    const f = value[key];
    if (!isObject(f)) throw invalid(`faults.${key} must be an object`);
    for (const k of Object.keys(f))
      if (!ENDPOINT_KEYS.has(k)) throw invalid(`faults.${key}.${k} is not an endpoint fault`);
    checkNumber(`faults.${key}.latencyMs`, f.latencyMs, 0, 3_600_000);
    let sum = 0;
    for (const rate of RATE_KEYS) {
      checkNumber(`faults.${key}.${rate}`, f[rate], 0, 1);
      sum += (f[rate] as number | undefined) ?? 0;
    }
    if (sum > 1 + 1e-9) throw invalid(`faults.${key}: the rates add up to ${sum}, more than 1`);
    out[key as Endpoint] = { ...f } as EndpointFaults;
  }
  return out;
}

export function validateFaultKind(endpoint: unknown, kind: unknown, times: unknown): void {
  if (!(ENDPOINTS as readonly unknown[]).includes(endpoint))
    throw invalid(`endpoint must be one of ${ENDPOINTS.join(', ')}`);
  if (!(FAULT_KINDS as readonly unknown[]).includes(kind))
    throw invalid(`fault must be one of ${FAULT_KINDS.join(', ')}`);
  checkNumber('times', times, 1, 1_000_000, true);
}

/** The live fault configuration of one sandbox. */
export class FaultPlan {
  #faults: Faults;
  readonly #random: () => number;
  readonly #queued: Record<Endpoint, FaultKind[]> = {
    createDeposit: [],
    queryDeposit: [],
    createPayout: [],
    queryPayout: [],
    balance: [],
  };

  constructor(faults: Faults | undefined, seed: number) {
    this.#faults = validateFaults(faults);
    this.#random = mulberry32(seed);
  }

  get faults(): Faults {
    return this.#faults;
  }

  /** Replaces the whole configuration (queued one-shot faults stay queued). */
  set(faults: Faults): void {
    this.#faults = validateFaults(faults);
  }

  /** Queues `kind` for the next `times` requests to `endpoint`. */
  inject(endpoint: Endpoint, kind: FaultKind, times = 1): void {
    validateFaultKind(endpoint, kind, times);
    for (let i = 0; i < times; i++) this.#queued[endpoint].push(kind);
  }

  /** Decides the fate of one request: a queued one-shot first, else one PRNG draw against the rates. */
  decide(endpoint: Endpoint): FaultDecision {
    const f = this.#faults[endpoint];
    const latencyMs = f?.latencyMs ?? 0;
    const queued = this.#queued[endpoint].shift();
    if (queued === 'latency') return { latencyMs: f?.latencyMs || INJECTED_LATENCY_MS };
    if (queued) return { latencyMs, kind: queued };
    if (!f || (!f.hangRate && !f.resetBeforeRate && !f.resetAfterRate && !f.error5xxRate))
      return { latencyMs };
    // One draw per request against cumulative ranges: the same seed replays the same faults.
    const r = this.#random();
    let edge = f.hangRate ?? 0;
    if (r < edge) return { latencyMs, kind: 'hang' };
    edge += f.resetBeforeRate ?? 0;
    if (r < edge) return { latencyMs, kind: 'resetBefore' };
    edge += f.resetAfterRate ?? 0;
    if (r < edge) return { latencyMs, kind: 'resetAfter' };
    const rate5xx = f.error5xxRate ?? 0;
    if (r < edge + rate5xx) return { latencyMs, kind: r < edge + rate5xx / 2 ? 'error503' : 'error500' };
    return { latencyMs };
  }
}
