#!/usr/bin/env node
// Bundles the action into dist/ (committed; runners execute dist/index.js
// without installing anything):
//   dist/index.js            src/index.ts and its dependencies, one ESM file for node24
//   dist/stub-checksums.json the SHA-256 of every stub of this version, from
//                            build/stubs/SHA256SUMS ($PACK_STUBS_OUT/SHA256SUMS when
//                            set); the action refuses downloaded
//                            stubs that do not match (src/stub-download.ts)
// Usage: node scripts/bundle.mjs [outDir]   (default dist; check-dist.sh bundles
// into a temporary directory and compares). Output is deterministic.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(process.argv[2] ?? join(root, 'dist'));
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;

function stubChecksums() {
  // PACK_STUBS_OUT: where scripts/build-stubs.mjs wrote them, when not build/stubs.
  const file = join(process.env.PACK_STUBS_OUT ?? join(root, 'build', 'stubs'), 'SHA256SUMS');
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`${file} is missing: run \`npm run build:stubs\` first (dist/ ships the stubs' checksums)`);
  }
  const files = {};
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]{64})  (\S+)$/.exec(line);
    if (m) files[m[2]] = m[1];
  }
  if (Object.keys(files).length === 0) throw new Error(`${file} lists no stubs`);
  return { version, files: Object.fromEntries(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : 1))) };
}

async function main() {
  mkdirSync(out, { recursive: true });
  await build({
    absWorkingDir: root,
    entryPoints: ['src/index.ts'],
    outfile: join(out, 'index.js'),
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    // Bundled CommonJS dependencies call require() for Node built-ins.
    banner: { js: "import { createRequire as __packActionCreateRequire } from 'node:module';\nconst require = __packActionCreateRequire(import.meta.url);" },
    legalComments: 'eof',
    logLevel: 'warning',
  });
  writeFileSync(join(out, 'stub-checksums.json'), JSON.stringify(stubChecksums(), null, 2) + '\n');
  console.log(`bundled into ${out}`);
}

main().catch((err) => {
  console.error(`bundle: ${err.message}`);
  process.exit(1);
});
