// What the dashboard shows live: each order's status history (the order book keeps only the current
// state) and a change feed pushed to browsers as Server-Sent Events. The feed compares a version
// number (journal changes + delivery attempts) on a short timer, and only while someone listens.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface HistoryEntry {
  /** ms since the epoch. */
  at: number;
  /** The order status after this step (or the status a notification carried). */
  status: number;
  /** What happened, e.g. "created", "paid in full", "stale status 1 sent". */
  note: string;
}

/** Status history per order, keyed by kind and gateway id (e.g. "deposit:PM12345678"). */
export class Journal {
  readonly #entries = new Map<string, HistoryEntry[]>();
  /** Bumped on every recorded step. */
  version = 0;

  record(key: string, status: number, note: string): void {
    let list = this.#entries.get(key);
    if (!list) {
      list = [];
      this.#entries.set(key, list);
    }
    list.push({ at: Date.now(), status, note });
    this.version++;
  }

  history(key: string): HistoryEntry[] {
    return (this.#entries.get(key) ?? []).map((e) => ({ ...e }));
  }
}

const CHECK_MS = 250;
const HEARTBEAT_MS = 15_000;

/** Serves GET /events: one `change` event each time `version()` moves. */
export class ChangeFeed {
  readonly #version: () => number;
  readonly #clients = new Set<ServerResponse>();
  #timer: NodeJS.Timeout | undefined;
  #last = -1;
  #lastWrite = 0;
  #closed = false;

  constructor(version: () => number) {
    this.#version = version;
  }

  /** Opens an event stream on `res`; it ends when the browser goes away or the sandbox closes. */
  open(req: IncomingMessage, res: ServerResponse): void {
    if (this.#closed) {
      res.writeHead(503, { 'content-type': 'text/plain;charset=utf-8' }).end('the sandbox is closing');
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream;charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    // retry: how long the browser waits before reconnecting after a drop, in ms.
    res.write(`retry: 2000\nevent: change\ndata: ${this.#version()}\n\n`);
    this.#clients.add(res);
    const drop = () => {
      this.#clients.delete(res);
      if (this.#clients.size === 0) this.#stop();
    };
    req.on('close', drop);
    res.on('error', drop);
    this.#start();
  }

  /** The current version, which pages carry as `<body data-version>` so a change made while one loads is not missed. */
  version(): number {
    return this.#version();
  }

  get listeners(): number {
    return this.#clients.size;
  }

  #start(): void {
    if (this.#timer) return;
    this.#last = this.#version();
    this.#lastWrite = Date.now();
    this.#timer = setInterval(() => this.#tick(), CHECK_MS);
    this.#timer.unref();
  }

  #stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #tick(): void {
    const v = this.#version();
    const now = Date.now();
    let frame: string | undefined;
    if (v !== this.#last) frame = `event: change\ndata: ${v}\n\n`;
    else if (now - this.#lastWrite >= HEARTBEAT_MS) frame = ': keep-alive\n\n'; // proxies drop silent streams
    if (!frame) return;
    this.#last = v;
    this.#lastWrite = now;
    for (const res of this.#clients) res.write(frame);
  }

  /** Ends every stream and stops the timer. */
  close(): void {
    this.#closed = true;
    this.#stop();
    for (const res of this.#clients) res.end();
    this.#clients.clear();
  }
}
