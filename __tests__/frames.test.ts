// The payload is a sequence of independent zstd frames, one per frame size of
// tar (docs/format.md section 4, "Frames"), and its bytes do not depend on how
// many threads compressed it.

import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { zstdDecompressSync } from 'node:zlib';
import { build } from 'esbuild';
import { writePayload } from '../src/archive.js';
import { collectTree } from '../src/collect.js';
import { FRAME_SIZE, FrameCompressor } from '../src/frames.js';
import { ROOT, tmp, tree } from './helpers/packer.js';
import { zstdFrames } from './helpers/zstd-frames.js';

const mtime = new Date('2026-11-22T07:00:00Z');
// Not a multiple of 512 or of zlib's 64 KiB chunks, so frame ends fall anywhere.
const FRAME = 50_000;

/** Bytes that compress some but not entirely, the same on every run. */
function mixed(size: number, seed: string): string {
  let s = '';
  for (let i = 0; s.length < size; i++) {
    s += createHash('sha256').update(`${seed}${i}`).digest('base64');
    s += ` line ${i % 7} of ${seed}\n`.repeat(3);
  }
  return s.slice(0, size);
}

/** A tree whose tar is a little over five frames. */
function bigTree(): string {
  return tree({
    'bin/app': ['#!/bin/sh\necho app\n', 0o755],
    'data/a.txt': mixed(150_000, 'a'),
    'data/b.txt': mixed(120_000, 'b'),
    'data/small.txt': 'small\n',
  });
}

async function payload(dir: string, frameSize?: number): Promise<{ file: string; bytes: Buffer }> {
  const file = path.join(tmp('frames-'), 'payload');
  await writePayload(await collectTree(dir), file, { mtime, frameSize });
  return { file, bytes: readFileSync(file) };
}

/**
 * The tree's tar, from a payload of one frame: Node's one-shot decompressor
 * stops after the first frame (see src/frame-splitter.ts).
 */
async function tarOf(dir: string): Promise<Buffer> {
  const { bytes } = await payload(dir);
  expect(zstdFrames(bytes)).toHaveLength(1);
  return zstdDecompressSync(bytes);
}

test('a tree larger than two frames is written as independent frames of the frame size, each declaring its content size', async () => {
  const dir = bigTree();
  const { bytes } = await payload(dir, FRAME);
  const tar = await tarOf(dir);
  const frames = zstdFrames(bytes);
  expect(tar.length).toBeGreaterThan(4 * FRAME);
  expect(frames.length).toBe(Math.ceil(tar.length / FRAME));
  expect(frames.reduce((sum, f) => sum + f.size, 0)).toBe(bytes.length);
  const parts = frames.map((f, i) => {
    expect(f.skippable).toBe(false);
    expect(f.checksum).toBe(true);
    expect(f.contentSize).toBe(i < frames.length - 1 ? FRAME : tar.length - i * FRAME);
    const part = zstdDecompressSync(bytes.subarray(f.offset, f.offset + f.size)); // on its own
    expect(part.length).toBe(f.contentSize);
    return part;
  });
  expect(Buffer.concat(parts).equals(tar)).toBe(true);
});

test('by default a frame holds 8 MiB of tar, so a small tree is one frame', async () => {
  expect(FRAME_SIZE).toBe(8 * 1024 * 1024);
  const { bytes } = await payload(bigTree());
  const frames = zstdFrames(bytes);
  expect(frames).toHaveLength(1);
  expect(frames[0]!.contentSize).toBe(zstdDecompressSync(bytes).length);
});

test('the zstd command line tool accepts the payload and sees every frame and its size', async () => {
  const dir = bigTree();
  const { file } = await payload(dir, FRAME);
  const tarSize = (await tarOf(dir)).length;
  const t = spawnSync('zstd', ['-t', '-q', file], { encoding: 'utf8' });
  if (t.error) throw new Error(`cannot run zstd (${t.error.message}); install the Debian package zstd: apt-get install zstd`);
  expect(t.stderr).toBe('');
  expect(t.status).toBe(0);
  const l = spawnSync('zstd', ['-lv', file], { encoding: 'utf8' });
  expect(l.status).toBe(0);
  expect(l.stdout).toContain(`# Zstandard Frames: ${Math.ceil(tarSize / FRAME)}`);
  expect(l.stdout).toContain(`(${tarSize} B)`); // "Decompressed Size" needs every frame to declare its size
  expect(l.stdout).toContain('Check: XXH64');
});

test('the frames do not depend on how many compress at once', async () => {
  const dir = bigTree();
  const { bytes } = await payload(dir, FRAME);
  const tar = await tarOf(dir);
  // Small pieces, so frames start and finish at many points of the stream.
  const pieces = Array.from({ length: Math.ceil(tar.length / 7000) }, (_, i) => tar.subarray(i * 7000, (i + 1) * 7000));
  for (const inFlight of [1, 3, 16]) {
    const out = await buffer(Readable.from(pieces).pipe(new FrameCompressor({ level: 9, frameSize: FRAME, inFlight })));
    expect(out.equals(bytes)).toBe(true);
  }
});

test('the payload is the same from run to run and with 1 or 4 threads in the pool', async () => {
  const dir = bigTree();
  const first = createHash('sha256').update((await payload(dir, FRAME)).bytes).digest('hex');
  const second = createHash('sha256').update((await payload(dir, FRAME)).bytes).digest('hex');
  expect(second).toBe(first);
  // The pool's size is fixed when a process starts: pack in child processes.
  const work = tmp('frames-child-');
  const harness = path.join(work, 'harness.ts');
  writeFileSync(
    harness,
    `import { writePayload } from ${JSON.stringify(path.join(ROOT, 'src', 'archive.ts'))};
import { collectTree } from ${JSON.stringify(path.join(ROOT, 'src', 'collect.ts'))};
const [dir, file] = process.argv.slice(2);
const info = await writePayload(await collectTree(dir!), file!, { mtime: new Date(${JSON.stringify(mtime.toISOString())}), frameSize: ${FRAME} });
console.log(info.sha256);
`,
  );
  await build({
    absWorkingDir: ROOT,
    entryPoints: [harness],
    outfile: path.join(work, 'harness.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    logLevel: 'error',
  });
  for (const threads of ['1', '4']) {
    const file = path.join(work, `payload-${threads}`);
    const out = await new Promise<string>((resolve, reject) => {
      const node = path.join(ROOT, 'node_modules', '.bin', 'node');
      const child = spawn(node, [path.join(work, 'harness.mjs'), dir, file], {
        env: { ...process.env, UV_THREADPOOL_SIZE: threads },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (text += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`harness exited ${String(code)}: ${err}`))));
    });
    expect(out.trim()).toBe(first);
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(first);
  }
});

test('a failure after frames are under way rejects, leaving no unhandled error behind', async () => {
  const dir = tree({ 'a.txt': mixed(300_000, 'a'), 'b.txt': 'b' });
  const t = await collectTree(dir);
  rmSync(path.join(dir, 'b.txt'));
  await expect(writePayload(t, path.join(tmp('frames-'), 'payload'), { mtime, frameSize: FRAME })).rejects.toThrow(/ENOENT.*b\.txt/);
});

test('aborting while frames compress stops the payload', async () => {
  const controller = new AbortController();
  let calls = 0;
  const run = writePayload(await collectTree(bigTree()), path.join(tmp('frames-'), 'payload'), {
    mtime,
    frameSize: FRAME,
    signal: controller.signal,
    onProgress: (done) => {
      calls++;
      if (done > 2 * FRAME) controller.abort();
    },
  });
  await expect(run).rejects.toThrow(/abort/i);
  expect(calls).toBeGreaterThan(0);
});

test.each([0, -1, 1.5, Number.NaN, 2 ** 40])('frame size %p is refused before anything is written', async (frameSize) => {
  const file = path.join(tmp('frames-'), 'payload');
  await expect(writePayload(await collectTree(tree({ a: 'a' })), file, { mtime, frameSize })).rejects.toThrow(
    /^frame size .* is invalid: use a whole number of bytes from 1 to \d+$/,
  );
  expect(existsSync(file)).toBe(false);
});
