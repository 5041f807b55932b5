// Builds the benchmark's input trees, deterministically (seeded), and caches
// them under bench/work/trees with a stamp of the parameters so a second run
// reuses them instead of writing hundreds of MB again.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, copyFileSync, chmodSync, statSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { prng, randomBytesStream } from './prng.mjs';

const GENERATOR_VERSION = 2; // bump when the shape of a tree changes
const MB = 1000 * 1000;

/** What a tree runs: `command` and fixed `args` go into the pack; `callArgs` are given at each start. */
export const RUN_SPECS = {
  hello: { command: 'bin/hello', args: [], callArgs: [] },
  node: { command: 'bin/node', args: ['{app}/node_modules/typescript/bin/tsc'], callArgs: ['--version'] },
};

/** Compiles the tiny native program (a C `return 0`), statically when the toolchain can. */
export function buildHello(workDir) {
  const out = join(workDir, 'bin', 'hello');
  if (existsSync(out)) return out;
  mkdirSync(dirname(out), { recursive: true });
  const src = join(workDir, 'bin', 'hello.c');
  writeFileSync(src, 'int main(void) { return 0; }\n');
  try {
    execFileSync('gcc', ['-O2', '-static', '-s', '-o', out, src], { stdio: 'pipe' });
  } catch {
    // No static libc installed: a dynamic binary still measures one process start.
    execFileSync('gcc', ['-O2', '-s', '-o', out, src], { stdio: 'pipe' });
  }
  return out;
}

/** Ensures a tree exists at `dir` built by `build(tmpDir)` for exactly `params`; returns its stats. */
function cached(dir, params, build) {
  const stampFile = `${dir}.stamp.json`;
  const stamp = JSON.stringify({ GENERATOR_VERSION, ...params });
  if (existsSync(dir) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
    return JSON.parse(readFileSync(`${dir}.info.json`, 'utf8'));
  }
  rmSync(dir, { recursive: true, force: true });
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  build(tmp);
  const info = { ...treeStats(tmp), params };
  renameSync(tmp, dir);
  writeFileSync(`${dir}.info.json`, JSON.stringify(info));
  writeFileSync(stampFile, stamp);
  return info;
}

/** Bytes in regular files and entries, as the manifest counts them. */
export function treeStats(dir) {
  let bytes = 0;
  let files = 0;
  let entries = 0;
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      entries++;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        files++;
        bytes += statSync(p).size;
      }
    }
  };
  walk(dir);
  return { bytes, files, entries };
}

function writeRandomFile(path, size, next) {
  const chunk = 4 * 1024 * 1024;
  const parts = [];
  for (let left = size; left > 0; left -= chunk) parts.push(next(Math.min(chunk, left)));
  writeFileSync(path, Buffer.concat(parts));
}

/** Tree (a): the tiny program plus `dataMB` MB of incompressible data in 10 MB files. */
export function treeNative(dir, hello, dataMB) {
  return cached(dir, { kind: 'native', dataMB }, (tmp) => {
    mkdirSync(join(tmp, 'bin'));
    copyFileSync(hello, join(tmp, 'bin', 'hello'));
    chmodSync(join(tmp, 'bin', 'hello'), 0o755);
    mkdirSync(join(tmp, 'data'));
    const next = randomBytesStream(`native-${dataMB}`);
    const total = dataMB * MB;
    for (let i = 0, left = total; left > 0; i++, left -= 10 * MB) {
      writeRandomFile(join(tmp, 'data', `blob-${String(i).padStart(3, '0')}.bin`), Math.min(10 * MB, left), next);
    }
  });
}

/** Tree (b): the Node.js binary and the typescript package, running `tsc --version`. */
export function treeNode(dir, root) {
  const nodeBin = join(root, 'node_modules', 'node', 'bin', 'node');
  const ts = join(root, 'node_modules', 'typescript');
  for (const p of [nodeBin, ts]) {
    if (!existsSync(p)) throw new Error(`tree (b) needs ${p}; run npm install in ${root}`);
  }
  const tsVersion = JSON.parse(readFileSync(join(ts, 'package.json'), 'utf8')).version;
  const nodeSize = statSync(nodeBin).size;
  return cached(dir, { kind: 'node', tsVersion, nodeSize }, (tmp) => {
    mkdirSync(join(tmp, 'bin'));
    copyFileSync(nodeBin, join(tmp, 'bin', 'node'));
    chmodSync(join(tmp, 'bin', 'node'), 0o755);
    cpSync(ts, join(tmp, 'node_modules', 'typescript'), { recursive: true, dereference: true });
  });
}

// Identifier-like words for the JavaScript-ish text of tree (c).
function vocabulary(next, count) {
  const syll = ['ba', 'co', 'de', 'fi', 'ga', 'ho', 'ja', 'ke', 'li', 'mo', 'nu', 'pa', 're', 'si', 'to', 'va', 'we', 'xo', 'yu', 'ze', 'st', 'tr', 'pl', 'qu'];
  const words = [];
  for (let i = 0; i < count; i++) {
    let w = '';
    const n = 2 + next.int(3);
    for (let j = 0; j < n; j++) w += next.pick(syll);
    words.push(next() < 0.3 ? w[0].toUpperCase() + w.slice(1) : w);
  }
  return words;
}

function textFile(size, next, words, header) {
  const templates = [
    (a, b, c) => `function ${a}(${b}, ${c}) {\n  return ${b}.${c}(${a.length});\n}\n`,
    (a, b, c) => `const ${a} = require('./${b}');\n`,
    (a, b, c) => `  if (${a} === ${b}) { ${c}(${a}, '${b}'); }\n`,
    (a, b) => `exports.${a} = ${b};\n`,
    (a, b, c) => `/** ${a} ${b} ${c} the ${b} of ${a}. */\n`,
    (a, b, c) => `  ${a}: ${b}.${c},\n`,
  ];
  let out = header;
  const parts = [header];
  let len = header.length;
  while (len < size) {
    const line = next.pick(templates)(next.pick(words), next.pick(words), next.pick(words));
    parts.push(line);
    len += line.length;
  }
  out = parts.join('');
  return out.slice(0, size);
}

/** Tree (c): `fileCount` files totalling `totalMB` MB, laid out like a node_modules tree. */
export function treeModules(dir, hello, fileCount, totalMB) {
  return cached(dir, { kind: 'modules', fileCount, totalMB }, (tmp) => {
    const next = prng(`modules-${fileCount}-${totalMB}`);
    const bytes = randomBytesStream(`modules-${fileCount}-${totalMB}`);
    const words = vocabulary(next, 3000);
    mkdirSync(join(tmp, 'bin'));
    copyFileSync(hello, join(tmp, 'bin', 'hello'));
    chmodSync(join(tmp, 'bin', 'hello'), 0o755);
    // Plan the paths first, then the sizes (log-normal, scaled to the exact total).
    const planned = new Set(['package.json']);
    const add = (p) => planned.size < fileCount - 1 && p.length < 100 && planned.add(p);
    const shapes = ['index.js', 'package.json', 'README.md', 'LICENSE'];
    const subdirs = ['lib', 'dist', 'src', 'esm', 'cjs', 'types'];
    const exts = ['.js', '.js', '.js', '.d.ts', '.js.map', '.mjs', '.cjs', '.json'];
    const roots = [];
    const usedNames = new Set();
    while (planned.size < fileCount - 1) {
      let name;
      do name = next.pick(words).toLowerCase() + (next() < 0.3 ? '-' + next.pick(words).toLowerCase() : '');
      while (usedNames.has(name));
      usedNames.add(name);
      const scoped = next() < 0.15 ? `@${next.pick(words).toLowerCase()}/` : '';
      // One package in ten is nested inside an earlier top-level one, as npm does on version conflicts.
      const parent = roots.length > 20 && next() < 0.1 ? next.pick(roots) : '';
      const base = parent && parent.length < 50 ? `${parent}/node_modules/` : 'node_modules/';
      const root = `${base}${scoped}${name}`;
      if (base === 'node_modules/') roots.push(root);
      for (const f of shapes) add(`${root}/${f}`);
      const extra = Math.floor(-Math.log(1 - next()) * 12);
      for (let i = 0; i < extra; i++) {
        const sub = next() < 0.8 ? `${next.pick(subdirs)}/` : '';
        const sub2 = sub && next() < 0.3 ? `${next.pick(words).toLowerCase()}/` : '';
        add(`${root}/${sub}${sub2}${next.pick(words).toLowerCase()}${next.pick(exts)}`);
      }
    }
    const unique = [...planned];
    const weights = unique.map(() => Math.exp(7.3 + 1.2 * gaussian(next)));
    const sum = weights.reduce((a, b) => a + b, 0);
    const total = totalMB * MB - statSync(join(tmp, 'bin', 'hello')).size;
    const sizes = weights.map((w) => Math.max(16, Math.floor((w / sum) * total)));
    const diff = total - sizes.reduce((a, b) => a + b, 0);
    const largest = sizes.indexOf(Math.max(...sizes));
    sizes[largest] += diff;
    unique.forEach((p, i) => {
      const full = join(tmp, p);
      mkdirSync(dirname(full), { recursive: true });
      // A few binary assets (images, wasm) among mostly text, as in real node_modules.
      if (next() < 0.03) writeFileSync(full, bytes(sizes[i]));
      else writeFileSync(full, textFile(sizes[i], next, words, `// ${p}\n`));
    });
  });
}

function gaussian(next) {
  const u = 1 - next();
  const v = next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
