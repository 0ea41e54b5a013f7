import { defineConfig } from 'vitest/config';

// Tests read sources directly (no build needed) through the `@diamondpay/source` export condition
// that every workspace package lists first in its `exports`; TypeScript reads the same condition
// (`customConditions` in tsconfig.base.json). Node tests get core's Node entry (index.node.ts) through
// the `node` condition nested under it, as a Node app would.
export const SOURCE_CONDITION = '@diamondpay/source';

export const resolve = { conditions: [SOURCE_CONDITION, 'module', 'browser', 'development|production'] };
export const ssr = {
  resolve: { conditions: [SOURCE_CONDITION, 'module', 'node', 'development|production'] },
};

export default defineConfig({
  resolve,
  ssr,
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts'],
    typecheck: { enabled: false },
    testTimeout: 20_000,
    // Generous: a demo app boots its embedded PGlite database in beforeAll, slow on a loaded 2-core machine.
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
