// The frame compressor keeps a bounded number of frames in flight and writes
// them in order however their compressions finish: zlib's zstdCompress is
// wrapped to count calls under way and to finish them in a scrambled order.

import { jest } from '@jest/globals';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type * as Zlib from 'node:zlib';

const real = await import('node:zlib');
let running = 0;
let most = 0;
let calls = 0;
let failAt = -1;
jest.unstable_mockModule('node:zlib', () => ({
  ...real,
  zstdCompress: (input: Buffer, options: Zlib.ZstdOptions, cb: (err: Error | null, out: Buffer) => void) => {
    running++;
    most = Math.max(most, running);
    const call = calls++;
    const delay = [30, 5, 15, 1][call % 4]!; // later frames often finish first
    real.zstdCompress(input, options, (err, out) => {
      setTimeout(() => {
        running--;
        cb(call === failAt ? new Error(`frame ${call} failed`) : err, out);
      }, delay);
    });
  },
}));
const { FrameCompressor } = await import('../src/frames.js');

const FRAME = 16 * 1024;

function input(): Buffer[] {
  const pieces: Buffer[] = [];
  for (let i = 0; i < 200; i++) pieces.push(Buffer.from(`piece ${i} `.repeat(60 + (i % 13))));
  return pieces;
}

test.each([1, 2, 3])('at most %i frames compress at once, and they come out in order', async (inFlight) => {
  running = 0;
  most = 0;
  calls = 0;
  const pieces = input();
  const out = await buffer(Readable.from(pieces).pipe(new FrameCompressor({ level: 3, frameSize: FRAME, inFlight })));
  const tar = Buffer.concat(pieces);
  expect(calls).toBe(Math.ceil(tar.length / FRAME));
  expect(most).toBe(inFlight);
  // Frame by frame, the output is the frames of each slice compressed alone.
  const expected = [];
  for (let off = 0; off < tar.length; off += FRAME) {
    const part = tar.subarray(off, off + FRAME);
    expected.push(real.zstdCompressSync(part, { pledgedSrcSize: part.length, params: { [real.constants.ZSTD_c_compressionLevel]: 3, [real.constants.ZSTD_c_checksumFlag]: 1 } }));
  }
  expect(out.equals(Buffer.concat(expected))).toBe(true);
});

test('a frame that fails to compress fails the stream, after the frames before it', async () => {
  calls = 0;
  failAt = 2;
  const compressor = new FrameCompressor({ level: 3, frameSize: FRAME, inFlight: 3 });
  const pushed: Buffer[] = [];
  compressor.on('data', (b: Buffer) => pushed.push(b));
  const pieces = input();
  Readable.from(pieces).pipe(compressor);
  await expect(new Promise((resolve, reject) => compressor.on('end', resolve).on('error', reject))).rejects.toThrow('frame 2 failed');
  expect(pushed).toHaveLength(2);
  failAt = -1;
});

test('frames in flight follow the CPUs and the thread pool, from 2 up to MAX_IN_FLIGHT', async () => {
  const os = (await import('node:os')).default;
  const { framesInFlight, MAX_IN_FLIGHT } = await import('../src/frames.js');
  const cpus = jest.spyOn(os, 'availableParallelism');
  const pool = process.env.UV_THREADPOOL_SIZE;
  try {
    const at = (n: number, poolSize: string): number => {
      cpus.mockReturnValue(n);
      process.env.UV_THREADPOOL_SIZE = poolSize;
      return framesInFlight();
    };
    expect(at(1, '4')).toBe(2);
    expect(at(2, '4')).toBe(2);
    expect(at(16, '4')).toBe(3); // libuv's default pool, one thread left for reads
    expect(at(16, '17')).toBe(MAX_IN_FLIGHT);
    expect(at(64, '65')).toBe(MAX_IN_FLIGHT);
    expect(at(6, '9')).toBe(6);
  } finally {
    cpus.mockRestore();
    if (pool === undefined) delete process.env.UV_THREADPOOL_SIZE;
    else process.env.UV_THREADPOOL_SIZE = pool;
  }
});
