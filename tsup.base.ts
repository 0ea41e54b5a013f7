// The one build config every published package uses: ESM + CommonJS + .d.ts, with an exports map
// written by hand in each package.json (types first).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig, type Options } from 'tsup';

// tsup runs in the package's folder: its package.json gives the version baked into the build.
const { version } = JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as {
  version: string;
};

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
    // Version strings (`SDK_VERSION`, the CLI's --version) come from package.json at build time.
    define: { __DIAMONDPAY_VERSION__: JSON.stringify(version) },
    // Maps point at the sources by path; embedding them would ship every source file twice.
    esbuildOptions(options) {
      options.sourcesContent = false;
    },
    ...overrides,
  });
}
