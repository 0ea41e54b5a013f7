// Shared by the reliability scenarios: a demo shop as its own Node process (started from its
// `main.ts` with an environment, stopped by signal), and bounded batches of concurrent work.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** One demo process: its child, its URL while it is up, the tail of its output. */
export interface DemoProcess {
  name: string;
  child?: ChildProcess;
  url?: string;
  output: string;
}

/**
 * Starts the demo (`apps/hono-demo/src/main.ts` by default) with exactly `env` (plus PATH and HOME),
 * resolving once it prints its listening line; `onOutput` sees every stdout chunk. Bounded: 60 s.
 */
export function startDemoProcess(
  instance: DemoProcess,
  env: Record<string, string>,
  options: { entry?: string; onOutput?: (text: string) => void } = {},
): Promise<void> {
  const entry = options.entry ?? 'apps/hono-demo/src/main.ts';
  const label = /apps\/([^/]+)\//.exec(entry)?.[1] ?? 'shop';
  const child = spawn(process.execPath, ['--conditions=@diamondpay/source', '--import', 'tsx', entry], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
  });
  instance.child = child;
  instance.url = undefined;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${instance.name} did not start:\n${instance.output}`)),
      60_000,
    );
    child.stdout!.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      instance.output = (instance.output + text).slice(-4000);
      const listening = new RegExp(`${label}: (http\\S+)`).exec(text);
      if (listening) {
        instance.url = listening[1];
        clearTimeout(timer);
        resolve();
      }
      options.onOutput?.(text);
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      instance.output = (instance.output + chunk.toString()).slice(-4000);
    });
    child.once('exit', () => {
      instance.url = undefined;
      clearTimeout(timer);
      reject(new Error(`${instance.name} exited while starting:\n${instance.output}`));
    });
  });
}

/** Stops the process with `signal` (SIGKILL after 10 s) and waits for its exit. */
export async function stopDemoProcess(instance: DemoProcess, signal: NodeJS.Signals): Promise<void> {
  const child = instance.child;
  instance.url = undefined;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Runs `fn` over `items`, `size` at a time. */
export async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<unknown>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}
