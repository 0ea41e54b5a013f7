// The receiver's steps stay synchronous where nothing is awaited; this tells a handler's promise
// (or any thenable) from a plain value.

/** True for a promise or any other thenable. */
export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
