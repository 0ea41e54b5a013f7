// Cancellable, unref'd delays: a forgotten sandbox never keeps the process alive through a timer,
// and close() wakes every sleeper at once.

export class Sleeper {
  readonly #pending = new Map<NodeJS.Timeout, () => void>();
  #closed = false;

  /** Resolves after `ms` milliseconds, or at once when the sleeper is (or gets) closed. */
  sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(timer);
        resolve();
      }, ms);
      timer.unref();
      this.#pending.set(timer, resolve);
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  close(): void {
    this.#closed = true;
    for (const [timer, resolve] of this.#pending) {
      clearTimeout(timer);
      resolve();
    }
    this.#pending.clear();
  }
}
