// The shared pack vectors (testdata/vectors/README.md): the TypeScript reader
// checks the Go-written ones and the TypeScript-written ones, and the
// TypeScript packer must still write exactly the committed ts/ vectors.
// UPDATE_VECTORS=1 npm run test:ts -- __tests__/vectors.test.ts rewrites them.

import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { zstdDecompressSync } from 'node:zlib';
import { inspectPack, type PackEntry } from '../src/inspect.js';
import { packTargets, type PackOptions } from '../src/pack.js';
import { fakeStubs, ROOT, tmp } from './helpers/packer.js';
import { zstdFrames } from './helpers/zstd-frames.js';


interface VectorEntry {
  path: string;
  type: 'dir' | 'file' | 'symlink';
  mode?: number;
  size?: number;
  sha256?: string;
  target?: string;
}
interface Vector {
  file: string;
  description: string;
  expect: 'ok' | 'bad-pack' | 'bad-payload';
  manifest?: Record<string, unknown>;
  layout?: { payloadOffset: number; payloadSize: number; manifestOffset: number; manifestSize: number; dataEnd: number };
  entries?: VectorEntry[];
}
interface Index {
  comment: string;
  vectors: Vector[];
}

const VECTORS = path.join(ROOT, 'testdata', 'vectors');
function loadIndex(dir: string): Index {
  const file = path.join(VECTORS, dir, 'index.json');
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Index;
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}; the ${dir} vectors must be committed (see testdata/vectors/README.md)`);
  }
}

function asVectorEntries(entries: PackEntry[]): VectorEntry[] {
  return entries.map((e) => {
    if (e.type === 'directory') return { path: e.path, type: 'dir', mode: e.mode };
    if (e.type === 'symlink') return { path: e.path, type: 'symlink', target: e.linkname };
    return { path: e.path, type: 'file', mode: e.mode, ...(e.size ? { size: e.size } : {}), sha256: e.sha256 };
  });
}

async function rawManifest(file: string, offset: number, size: number): Promise<unknown> {
  const fh = await open(file, 'r');
  try {
    const b = Buffer.alloc(size);
    await fh.read(b, 0, size, offset);
    return JSON.parse(b.toString('utf8'));
  } finally {
    await fh.close();
  }
}

/** What every reader must find in a vector. */
async function checkVector(dir: string, v: Vector): Promise<void> {
  const file = path.join(VECTORS, dir, v.file);
  if (v.expect === 'bad-pack') {
    await expect(inspectPack(file)).rejects.toThrow(/not a pack or damaged/);
    return;
  }
  const info = await inspectPack(file);
  const { payloadOffset, payloadSize, manifestOffset, manifestSize, dataEnd } = info.layout;
  expect({ payloadOffset, payloadSize, manifestOffset, manifestSize, dataEnd }).toEqual(v.layout);
  expect(await rawManifest(file, manifestOffset, manifestSize)).toEqual(v.manifest);
  if (v.expect === 'bad-payload') {
    await expect(inspectPack(file, { list: true })).rejects.toThrow(/payload damaged/);
    return;
  }
  const listed = await inspectPack(file, { list: true });
  expect(asVectorEntries(listed.entries!)).toEqual(v.entries);
}

describe.each(['go', 'ts'])('%s vectors read by the TypeScript reader', (dir) => {
  const index = loadIndex(dir);
  test('there are vectors of every kind', () => {
    expect(new Set(index.vectors.map((v) => v.expect))).toEqual(dir === 'go' ? new Set(['ok', 'bad-pack', 'bad-payload']) : new Set(['ok']));
  });
  test.each(index.vectors.map((v) => [v.file, v] as const))('%s', (_name, v) => checkVector(dir, v));
});

// ---- the TypeScript-written vectors ----

type Spec = { path: string; type: 'dir'; mode: number } | { path: string; type: 'file'; mode: number; content: string } | { path: string; type: 'symlink'; target: string };

interface TsVector {
  name: string;
  description: string;
  spec: Spec[];
  options: Partial<PackOptions> & Pick<PackOptions, 'command' | 'targets'>;
}

const long = (c: string, n: number) => c.repeat(n);
/** Text that compresses some but not entirely, the same on every run. */
const lines = (n: number, seed: string) =>
  Array.from({ length: n }, (_, i) => `${seed} ${i}: ${createHash('sha256').update(`${seed}${i}`).digest('hex').slice(0, 8 + (i % 40))}\n`).join('');
/** Bytes of tar per frame of the ts-frames vector: not a multiple of 512, so boundaries fall inside tar blocks. */
const VECTOR_FRAME = 10_000;
const TS_VECTORS: TsVector[] = [
  {
    name: 'ts-basic',
    description: 'files with modes, directories (one empty), symlinks, unicode and empty files, args and env with {app} and {data}',
    spec: [
      { path: 'bin', type: 'dir', mode: 0o755 },
      { path: 'bin/app', type: 'file', mode: 0o755, content: '#!/bin/sh\necho app\n' },
      { path: 'bin/data', type: 'symlink', target: '../lib/data.txt' },
      { path: 'current', type: 'symlink', target: 'lib' },
      { path: 'empty', type: 'file', mode: 0o644, content: '' },
      { path: 'lib', type: 'dir', mode: 0o755 },
      { path: 'lib/data.txt', type: 'file', mode: 0o644, content: 'data line\n'.repeat(300) },
      { path: 'lib/private.key', type: 'file', mode: 0o600, content: 'not really a key\n' },
      { path: 'share', type: 'dir', mode: 0o755 },
      { path: 'share/empty-dir', type: 'dir', mode: 0o700 },
      { path: 'ünïcødé', type: 'dir', mode: 0o755 },
      { path: 'ünïcødé/файл.txt', type: 'file', mode: 0o644, content: 'привет\n' },
    ],
    options: {
      command: 'bin/app',
      targets: ['linux-arm64'],
      id: 'ts-vector-app',
      version: 'v2.0.0-rc.1+build.7',
      args: ['--home', '{app}/lib', '--state={data}'],
      env: ['APP_HOME={app}', 'APP_STATE={data}/state'],
    },
  },
  {
    name: 'ts-long-names',
    description: 'a path over 255 bytes and a symlink target over 100 bytes (pax headers), at zstd level 22',
    spec: [
      { path: long('d', 120), type: 'dir', mode: 0o755 },
      { path: `${long('d', 120)}/${long('e', 120)}`, type: 'dir', mode: 0o755 },
      { path: `${long('d', 120)}/${long('e', 120)}/${long('f', 60)}.txt`, type: 'file', mode: 0o644, content: 'deep\n' },
      { path: 'link', type: 'symlink', target: `${long('d', 120)}/${long('e', 120)}/${long('f', 60)}.txt` },
      { path: 'run', type: 'file', mode: 0o755, content: '#!/bin/sh\n' },
    ],
    options: { command: 'run', targets: ['darwin-arm64'], level: 22 },
  },
  {
    name: 'ts-windows-gui',
    description: 'a Windows pack with the GUI subsystem and detach, spaces in paths, {exe} in the command',
    spec: [
      { path: 'Program Files', type: 'dir', mode: 0o755 },
      { path: 'Program Files/lib one.dll', type: 'file', mode: 0o644, content: 'MZ not really\n' },
      { path: 'app.exe', type: 'file', mode: 0o644, content: 'MZ app\n' },
    ],
    options: { command: 'app{exe}', targets: ['windows-x64'], version: '1.0.0', windows: { subsystem: 'gui', detach: true } },
  },
  {
    name: 'ts-frames',
    description: `a payload of several zstd frames of ${VECTOR_FRAME} bytes of tar each (the packer's frames are 8 MiB), so frame boundaries fall inside headers and file data`,
    spec: [
      { path: 'bin', type: 'dir', mode: 0o755 },
      { path: 'bin/tool', type: 'file', mode: 0o755, content: '#!/bin/sh\necho tool\n' },
      { path: 'data', type: 'dir', mode: 0o755 },
      // 17,000 bytes put the next header across the second frame boundary (20,000).
      { path: 'data/one.txt', type: 'file', mode: 0o644, content: lines(500, 'one').slice(0, 17_000) },
      { path: 'data/three.txt', type: 'file', mode: 0o644, content: lines(90, 'three') },
      { path: 'data/two.txt', type: 'file', mode: 0o600, content: lines(200, 'two') },
      { path: 'readme', type: 'file', mode: 0o644, content: lines(30, 'readme') },
    ],
    options: { command: 'bin/tool', targets: ['linux-x64'], frameSize: VECTOR_FRAME },
  },
];

function expectedEntries(spec: Spec[]): VectorEntry[] {
  return spec.map((s) => {
    if (s.type === 'dir') return { path: s.path, type: 'dir', mode: s.mode };
    if (s.type === 'symlink') return { path: s.path, type: 'symlink', target: s.target };
    const size = Buffer.byteLength(s.content);
    return { path: s.path, type: 'file', mode: s.mode, ...(size ? { size } : {}), sha256: createHash('sha256').update(s.content).digest('hex') };
  });
}

/** Writes the ts/ vectors and their index into `out`. */
async function writeTsVectors(out: string): Promise<Index> {
  const stubs = fakeStubs();
  const vectors: Vector[] = [];
  for (const v of TS_VECTORS) {
    const dir = tmp('vector-tree-');
    for (const s of v.spec) {
      const p = path.join(dir, s.path);
      if (s.type === 'dir') mkdirSync(p, { recursive: true });
      else if (s.type === 'symlink') symlinkSync(s.target, p);
      else writeFileSync(p, s.content);
    }
    for (const s of [...v.spec].reverse()) if (s.type !== 'symlink') chmodSync(path.join(dir, s.path), s.mode); // not subject to the umask
    const packOut = tmp('vector-out-');
    const run = await packTargets({ dir, name: v.name, outDir: packOut, stubsDir: stubs, created: new Date('2026-01-01T00:00:00Z'), outputName: '{name}.pack', ...v.options });
    const r = run.results[0]!;
    copyFileSync(r.file, path.join(out, `${v.name}.pack`));
    const info = await inspectPack(r.file);
    const { payloadOffset, payloadSize, manifestOffset, manifestSize, dataEnd } = info.layout;
    vectors.push({
      file: `${v.name}.pack`,
      description: v.description,
      expect: 'ok',
      manifest: (await rawManifest(r.file, manifestOffset, manifestSize)) as Record<string, unknown>,
      layout: { payloadOffset, payloadSize, manifestOffset, manifestSize, dataEnd },
      entries: expectedEntries(v.spec),
    });
  }
  const index: Index = { comment: 'written by __tests__/vectors.test.ts with the TypeScript packer (UPDATE_VECTORS=1); see ../README.md', vectors };
  writeFileSync(path.join(out, 'index.json'), JSON.stringify(index, null, 2) + '\n');
  return index;
}

test('the ts-frames vector has several frames of the size asked, each declaring its content size', () => {
  const v = loadIndex('ts').vectors.find((x) => x.file === 'ts-frames.pack')!;
  const pack = readFileSync(path.join(VECTORS, 'ts', v.file));
  const frames = zstdFrames(pack.subarray(v.layout!.payloadOffset, v.layout!.payloadOffset + v.layout!.payloadSize));
  expect(frames.length).toBeGreaterThanOrEqual(4);
  expect(frames.slice(0, -1).map((f) => f.contentSize)).toEqual(frames.slice(0, -1).map(() => VECTOR_FRAME));
  expect(frames.at(-1)!.contentSize).toBeLessThanOrEqual(VECTOR_FRAME);
  // Frame by frame: Node's one-shot decompressor stops after the first (src/frame-splitter.ts).
  const tar = Buffer.concat(frames.map((f) => zstdDecompressSync(pack.subarray(v.layout!.payloadOffset + f.offset, v.layout!.payloadOffset + f.offset + f.size))));
  const headers: number[] = [];
  for (let off = 0; off + 512 <= tar.length && tar[off] !== 0; ) {
    headers.push(off);
    off += 512 + Math.ceil(parseInt(tar.subarray(off + 124, off + 136).toString('latin1'), 8) / 512) * 512;
  }
  const boundaries = frames.slice(1).map((_, i) => (i + 1) * VECTOR_FRAME);
  expect(boundaries.some((b) => headers.some((h) => h < b && b < h + 512))).toBe(true); // one inside a header
  expect(boundaries.some((b) => !headers.some((h) => h <= b && b < h + 512))).toBe(true); // one inside file data
});

test('the TypeScript packer still writes exactly the committed ts/ vectors', async () => {
  const committed = path.join(VECTORS, 'ts');
  if (process.env.UPDATE_VECTORS === '1') {
    rmSync(committed, { recursive: true, force: true });
    mkdirSync(committed, { recursive: true });
    await writeTsVectors(committed);
  }
  const fresh = tmp('vectors-');
  const index = await writeTsVectors(fresh);
  for (const v of index.vectors) {
    const again = readFileSync(path.join(fresh, v.file));
    expect(again.equals(readFileSync(path.join(committed, v.file)))).toBe(true);
  }
  expect(readFileSync(path.join(fresh, 'index.json'), 'utf8')).toBe(readFileSync(path.join(committed, 'index.json'), 'utf8'));
});
