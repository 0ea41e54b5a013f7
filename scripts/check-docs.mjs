#!/usr/bin/env node
// `pnpm check:docs`: every ```ts block of the root README and of every package README compiles under strict
// TypeScript (strict, exactOptionalPropertyTypes, noUncheckedIndexedAccess, moduleResolution Bundler)
// against the BUILT packages (run `pnpm build` first), so a snippet cannot drift from the API.
//
// Conventions, for README authors:
// - Each block is its own module (an `export {}` is added), so blocks never see each other's names.
// - Placeholders go in an HTML comment right before the block, compiled in front of it (not shown on the
//   rendered page):  <!-- check-docs: declare const order: { id: string; priceCents: number }; -->
// - A block whose first line is `// name.ts` is written as that file, so another block of the same README
//   may import it (`import { OrdersService } from './orders.service';`).
// - `<!-- check-docs: isolated -->` (first word of the comment, placeholders may follow) compiles the
//   block in a program of its own: for blocks whose effect is global, such as a module augmentation
//   (`import '@diamondpay/hono/global'`), which would otherwise reach every other block.
// - `<!-- check-docs: skip -->` leaves a block out; use it only for text that is not meant to compile
//   on its own (a fragment), and say so next to it.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const packagesDir = join(root, 'packages');
// The published packages (a private workspace package, such as the test signer, has no README to check).
const packages = readdirSync(packagesDir).filter((p) => {
  const file = join(packagesDir, p, 'package.json');
  return existsSync(file) && JSON.parse(readFileSync(file, 'utf8')).private !== true;
});
const readmes = ['README.md', ...packages.map((p) => `packages/${p}/README.md`)].filter((f) =>
  existsSync(join(root, f)),
);

for (const p of packages) {
  if (!existsSync(join(packagesDir, p, 'dist'))) {
    console.error(`check:docs: packages/${p}/dist is missing; run \`pnpm build\` first.`);
    process.exit(1);
  }
}

const COMPILER_OPTIONS = {
  target: 'ES2022',
  lib: ['ES2022', 'DOM', 'DOM.Iterable'],
  module: 'ESNext',
  moduleResolution: 'Bundler',
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  noImplicitOverride: true,
  verbatimModuleSyntax: false,
  isolatedModules: true,
  esModuleInterop: true,
  // Nest's parameter decorators (what a Nest app compiles with).
  experimentalDecorators: true,
  skipLibCheck: true,
  noEmit: true,
  types: ['node'],
};

/** The ```ts blocks of a README: text, the line the code starts on, the preamble, the file name. */
function extractBlocks(text) {
  const lines = text.split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```ts\s*$/.test(lines[i])) continue;
    // The nearest non-blank line before the fence may be a check-docs comment (possibly multi-line).
    let j = i - 1;
    while (j >= 0 && lines[j].trim() === '') j--;
    let directive = '';
    if (j >= 0 && lines[j].trimEnd().endsWith('-->')) {
      let k = j;
      while (k >= 0 && !lines[k].includes('<!--')) k--;
      const comment = lines.slice(k, j + 1).join('\n');
      const m = comment.match(/<!--\s*check-docs:([\s\S]*?)-->/);
      if (m) directive = m[1].trim();
    }
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end])) end++;
    const code = lines.slice(start, end);
    const named = code[0]?.match(/^\/\/\s*([\w.-]+\.ts)\b/);
    blocks.push({ line: start + 1, code, directive, file: named?.[1] });
    i = end;
  }
  return blocks;
}

/** node_modules for the scratch project: the built @diamondpay packages and every dependency they and the demos use. */
function linkNodeModules(dir) {
  const target = join(dir, 'node_modules');
  mkdirSync(join(target, '@diamondpay'), { recursive: true });
  const linked = new Set();
  const link = (name, from) => {
    if (linked.has(name)) return;
    linked.add(name);
    if (name.includes('/')) mkdirSync(join(target, dirname(name)), { recursive: true });
    symlinkSync(from, join(target, name), 'dir');
  };
  for (const p of packages) {
    const name = JSON.parse(readFileSync(join(packagesDir, p, 'package.json'), 'utf8')).name;
    link(name, join(packagesDir, p));
  }
  const sources = [
    ...packages.map((p) => join(packagesDir, p, 'node_modules')),
    ...readdirSync(join(root, 'apps')).map((a) => join(root, 'apps', a, 'node_modules')),
    join(root, 'node_modules'),
  ].filter(existsSync);
  for (const modules of sources) {
    for (const entry of readdirSync(modules)) {
      if (entry.startsWith('.')) continue;
      if (entry.startsWith('@')) {
        for (const scoped of readdirSync(join(modules, entry))) {
          link(`${entry}/${scoped}`, join(modules, entry, scoped));
        }
      } else link(entry, join(modules, entry));
    }
  }
}

const scratch = mkdtempSync(join(tmpdir(), 'diamondpay-check-docs-'));
let total = 0;
const index = []; // { file, readme, line, preambleLines }
const programs = []; // directories of isolated blocks, each its own program
try {
  linkNodeModules(scratch);
  writeFileSync(join(scratch, 'package.json'), '{ "private": true, "type": "module" }\n');
  for (const readme of readmes) {
    const blocks = extractBlocks(readFileSync(join(root, readme), 'utf8'));
    const dir = join(scratch, readme === 'README.md' ? 'root' : basename(dirname(readme)));
    mkdirSync(dir, { recursive: true });
    blocks.forEach((block, n) => {
      if (block.directive === 'skip') return;
      const isolated = /^isolated\b/.test(block.directive);
      const directive = isolated ? block.directive.replace(/^isolated\b\s*/, '') : block.directive;
      const preamble = directive ? directive.split('\n') : [];
      const blockDir = isolated ? join(scratch, 'isolated', `${basename(dir)}-${n + 1}`) : dir;
      if (isolated) {
        mkdirSync(blockDir, { recursive: true });
        programs.push(blockDir);
      }
      const file = join(blockDir, block.file ?? `block-${n + 1}.ts`);
      writeFileSync(file, [...preamble, ...block.code, 'export {};', ''].join('\n'));
      index.push({ file, readme, line: block.line, preambleLines: preamble.length });
      total++;
    });
  }
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  const compile = (dir, include) => {
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: COMPILER_OPTIONS, include }, null, 2),
    );
    return spawnSync(process.execPath, [tsc, '-p', dir, '--pretty', 'false'], {
      cwd: scratch,
      encoding: 'utf8',
    });
  };
  const runs = [compile(scratch, ['*/*.ts']), ...programs.map((dir) => compile(dir, ['*.ts']))];
  const result = {
    status: runs.every((r) => r.status === 0) ? 0 : 1,
    stdout: runs.map((r) => r.stdout).join(''),
    stderr: runs.map((r) => r.stderr).join(''),
  };
  const output = `${result.stdout}${result.stderr}`.trim();
  if (result.status === 0) {
    console.log(
      `check:docs: ${total} ts blocks in ${readmes.length} READMEs compile against the built packages.`,
    );
  } else {
    // Point each error at the README line it comes from.
    const byFile = new Map(index.map((e) => [relative(scratch, e.file), e]));
    const mapped = output.split('\n').map((line) => {
      const m = line.match(/^(.+?\.ts)\((\d+),(\d+)\): (.*)$/);
      const entry = m && byFile.get(m[1]);
      if (!entry) return line;
      const codeLine = Number(m[2]) - entry.preambleLines;
      const where =
        codeLine >= 1
          ? `${entry.readme}:${entry.line + codeLine - 1}`
          : `${entry.readme}:${entry.line - 1} (preamble)`;
      return `${where}:${m[3]}: ${m[4]}`;
    });
    console.error(mapped.join('\n'));
    const count = mapped.filter((l) => / error TS\d+/.test(l)).length;
    console.error(`\ncheck:docs: ${count} error(s) in README ts blocks (${total} blocks checked).`);
    process.exitCode = 1;
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
