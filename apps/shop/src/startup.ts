// Startup failures a person fixes by changing the environment (a busy port, an unreachable Redis):
// `dev`, `start` and `pnpm demo` print their one-line message and exit 1, without a stack.

/** A startup failure whose message says what to change. */
export class ShopStartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ShopStartupError';
  }
}

/**
 * `error` as a ShopStartupError when it is one a person fixes (EADDRINUSE names `portVariable`, when the
 * port comes from one), else itself.
 */
export function explainStartupError(
  error: unknown,
  what: string,
  port: number,
  portVariable?: string,
): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  const change = portVariable ? `, or set ${portVariable} to another port (0 picks a free one)` : '';
  if (code === 'EADDRINUSE')
    return new ShopStartupError(`${what}: port ${port} is already in use. Stop what is using it${change}.`, {
      cause: error,
    });
  if (code === 'EACCES')
    return new ShopStartupError(
      `${what}: not allowed to listen on port ${port}${portVariable ? `; set ${portVariable} to a port above 1023` : ''}.`,
      { cause: error },
    );
  return error;
}

/** Prints a startup failure (one line for a ShopStartupError, the stack otherwise) and exits 1. */
export function exitOnStartupError(error: unknown): never {
  if (error instanceof ShopStartupError) console.error(`✖ ${error.message}`);
  else console.error(error);
  process.exit(1);
}
