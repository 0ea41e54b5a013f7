import { defineConfig } from 'vitest/config';
import { resolve, ssr } from './vitest.config.js';

// `pnpm test:reliability`: hostile input against every adapter's route, and a demo run under faults.
export default defineConfig({
  resolve,
  ssr,
  test: {
    include: ['reliability/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
