import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string, file = 'index.ts') =>
  fileURLToPath(new URL(`./packages/${pkg}/src/${file}`, import.meta.url));

// Tests read sources directly (no build needed). Node tests get core's Node entry, as a Node app would.
export const resolve = {
  alias: [
    { find: /^@diamondpay\/core$/, replacement: src('core', 'index.node.ts') },
    { find: /^@diamondpay\/sandbox$/, replacement: src('sandbox') },
    { find: /^@diamondpay\/hono$/, replacement: src('hono') },
    { find: /^@diamondpay\/koa\/router$/, replacement: src('koa', 'router.ts') },
    { find: /^@diamondpay\/koa$/, replacement: src('koa') },
    { find: /^@diamondpay\/nestjs$/, replacement: src('nestjs') },
    { find: /^@diamondpay\/redis$/, replacement: src('redis') },
    {
      find: /^@diamondpay-demo\/shop\/testing$/,
      replacement: fileURLToPath(new URL('./apps/shop/src/testing/index.ts', import.meta.url)),
    },
    {
      find: /^@diamondpay-demo\/shop$/,
      replacement: fileURLToPath(new URL('./apps/shop/src/index.ts', import.meta.url)),
    },
  ],
};

export default defineConfig({
  resolve,
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts'],
    typecheck: { enabled: false },
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
