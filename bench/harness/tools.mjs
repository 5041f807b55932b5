// The things the benchmark compares, behind one shape each:
//   pack({ tree, spec, id, out, targets }) -> argv (+ env) that writes a pack of `tree` to `out`,
//   run(file, spec, state) -> { argv, env } that starts the pack,
//   coldReset(state) -> a shell command (for hyperfine --prepare) that empties its cache.
// "direct" runs the tree's program without packing; "tar" is the cold-start
// reference: `tar --zstd -xf` of our own payload bytes (same tree, same level).
import { closeSync, openSync, readSync, fstatSync, mkdirSync, createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { join } from 'node:path';

const sq = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;
const expand = (args, app) => args.map((a) => a.split('{app}').join(app));

export function oursTool({ root, nodeBin, stubsDir, entry }) {
  return {
    name: 'ours',
    label: 'pack-action',
    pack({ tree, spec, id, out, targets }) {
      const argv = [nodeBin, entry, 'pack', tree, '--name', id, '--command', spec.command];
      for (const a of spec.args) argv.push('--arg', a);
      argv.push('--target', targets.join(','));
      argv.push('--out', out, '--stubs', stubsDir);
      return { argv, env: {}, cwd: root };
    },
    run(file, spec, state) {
      return { argv: [file, ...spec.callArgs], env: { PACK_CACHE_DIR: join(state, 'cache') } };
    },
    coldReset: (state) => `rm -rf ${sq(join(state, 'cache'))}`,
  };
}

export function caxaTool({ nodeBin, caxaEntry }) {
  return {
    name: 'caxa',
    label: 'caxa',
    pack({ tree, spec, id, out, state }) {
      const command = [`{{caxa}}/${spec.command}`, ...spec.args.map((a) => a.split('{app}').join('{{caxa}}'))];
      const argv = [nodeBin, caxaEntry, '--input', tree, '--output', out, '--no-dedupe', '--no-include-node', '--identifier', id, '--', ...command];
      // caxa copies the tree into os.tmpdir() before archiving it: keep that inside bench/work.
      mkdirSync(join(state, 'build-tmp'), { recursive: true });
      return { argv, env: { TMPDIR: join(state, 'build-tmp') } };
    },
    run(file, spec, state) {
      // caxa's stub extracts under os.TempDir()/caxa, which $TMPDIR sets.
      return { argv: [file, ...spec.callArgs], env: { TMPDIR: join(state, 'tmp') } };
    },
    coldReset: (state) => `rm -rf ${sq(join(state, 'tmp'))}`,
  };
}

export function makeselfTool() {
  return {
    name: 'makeself',
    label: 'makeself',
    pack({ tree, spec, out }) {
      // The startup script runs inside the extracted directory, so paths are relative to it.
      const args = spec.args.map((a) => a.split('{app}/').join(''));
      return { argv: ['makeself', '--nox11', '--quiet', tree, out, 'bench', `./${spec.command}`, ...args], env: {} };
    },
    run(file, spec, state) {
      // makeself extracts into a fresh $TMPDIR/selfgzXXXX on every start and deletes it after.
      mkdirSync(join(state, 'tmp'), { recursive: true });
      return { argv: [file, '--quiet', '--', ...spec.callArgs], env: { TMPDIR: join(state, 'tmp') } };
    },
    coldReset: () => null,
  };
}

/** Running the tree's program in place, no pack. */
export function directRun(tree, spec) {
  return { argv: [join(tree, spec.command), ...expand(spec.args, tree), ...spec.callArgs], env: {} };
}

/** Copies the zstd payload out of one of our packs (format.md §2 trailer) into `dest`. */
export async function extractPayload(packFile, dest) {
  const fd = openSync(packFile, 'r');
  let offset;
  let size;
  try {
    const end = fstatSync(fd).size;
    const trailer = Buffer.alloc(64);
    readSync(fd, trailer, 0, 64, end - 64);
    if (trailer.subarray(48, 64).toString('latin1') !== '\x89PACK-ACTION\r\n\x1a\n') {
      throw new Error(`${packFile}: no pack trailer at the end of the file`);
    }
    offset = Number(trailer.readBigUInt64LE(0));
    size = Number(trailer.readBigUInt64LE(8));
  } finally {
    closeSync(fd);
  }
  await pipeline(createReadStream(packFile, { start: offset, end: offset + size - 1 }), createWriteStream(dest));
  return size;
}

/** `tar --zstd -xf` of `archive` into `state/x`: the cold-start reference. */
export function tarRun(archive, state) {
  const dir = join(state, 'x');
  return {
    argv: ['tar', '--zstd', '-xf', archive, '-C', dir],
    env: {},
    reset: `sh -c ${sq(`rm -rf ${sq(dir)} && mkdir -p ${sq(dir)}`)}`,
  };
}
