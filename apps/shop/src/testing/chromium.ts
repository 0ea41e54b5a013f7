// Headless Chromium for the demos' browser tests: the system Chromium, driven by playwright-core.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';

/** The flags every browser test runs Chromium with: headless, no sandbox, no GPU, nothing phoning home. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

/** Launches /usr/bin/chromium; rejects if it has not started within `timeoutMs`. */
export function launchChromium(timeoutMs = 30_000): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS],
    timeout: timeoutMs,
  });
}

/** The absolute path of screenshots/<folder>/<name>.png at the repository root (git-ignored), creating the folder. */
export function screenshotPath(folder: string, name: string): string {
  const dir = fileURLToPath(new URL(`../../../../screenshots/${folder}/`, import.meta.url));
  mkdirSync(dir, { recursive: true });
  return `${dir}${name}.png`;
}
