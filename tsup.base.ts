// The one build config every published package uses: ESM + CommonJS + .d.ts, with an exports map
// written by hand in each package.json (types first).
import { defineConfig, type Options } from 'tsup';

export function packageBuild(entry: Options['entry'], overrides: Options = {}) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'es2022',
    splitting: false,
    treeshake: true,
    outDir: 'dist',
    ...overrides,
  });
}
