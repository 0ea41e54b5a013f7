// Headless Chromium for the demos' browser tests: the system Chromium, driven by playwright-core.
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
