// Test helper (not exported): the system Chromium for the sandbox's browser tests, and where their
// screenshots go (the repository's git-ignored screenshots/ folder, for a person to look at).
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';

/** Launches Debian's headless Chromium (CHROMIUM_PATH overrides /usr/bin/chromium). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
    timeout: 20_000,
  });
}

/** The absolute path of screenshots/sandbox/<name>.png, creating the folder. */
export function screenshotPath(name: string): string {
  const dir = fileURLToPath(new URL('../../../screenshots/sandbox/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  return `${dir}${name}.png`;
}
