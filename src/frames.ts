// Compresses a byte stream as a sequence of independent zstd frames, one per
// frameSize bytes of input (docs/format.md section 4, "Frames"). Several
// frames compress at once on libuv's thread pool; they are written strictly
// in order, and each depends only on its own input and the level, so the
// bytes do not depend on thread count or timing.

import os from 'node:os';
import { Transform, type TransformCallback } from 'node:stream';
import { constants as zc, zstdCompress } from 'node:zlib';

/** Bytes of input per frame, as docs/format.md fixes it. */
export const FRAME_SIZE = 8 * 1024 * 1024;
/** Largest frame size accepted: memory is about 2 x frames in flight x frame size. */
export const MAX_FRAME_SIZE = 256 * 1024 * 1024;

/** Why `frameSize` is unacceptable, or undefined when it is fine. */
export function frameSizeProblem(frameSize: number): string | undefined {
  if (!Number.isSafeInteger(frameSize) || frameSize <= 0 || frameSize > MAX_FRAME_SIZE) {
    return `frame size ${String(frameSize)} is invalid: use a whole number of bytes from 1 to ${MAX_FRAME_SIZE}`;
  }
  return undefined;
}

/**
 * Most frames compressing at once: each holds its input, its output and a
 * level-9 zstd context (about 45 MB together), and past 8 the tar side, one
 * thread, cannot feed them anyway.
 */
export const MAX_IN_FLIGHT = 8;

/**
 * Frames compressing at once: one per CPU (at least two, so the tar side
 * overlaps with compression, at most MAX_IN_FLIGHT), but fewer than libuv's
 * pool has threads: the tar side reads large files on the pool too, and
 * frames queued behind busy threads would only hold memory.
 */
export function framesInFlight(): number {
  const pool = Number(process.env.UV_THREADPOOL_SIZE) || 4; // libuv's default
  return Math.max(2, Math.min(os.availableParallelism(), MAX_IN_FLIGHT, pool - 1));
}

interface Frame {
  /** Settles when compression ends; never rejects (the error goes in `error`). */
  settled: Promise<void>;
  out?: Buffer;
  error?: Error;
}

export interface FrameOptions {
  level: number;
  frameSize?: number;
  /** Frames compressing at once; default framesInFlight(). */
  inFlight?: number;
}

export class FrameCompressor extends Transform {
  private readonly level: number;
  private readonly frameSize: number;
  private readonly inFlight: number;
  private buf: Buffer;
  private filled = 0;
  /** Frames started and not yet pushed, oldest first. */
  private readonly frames: Frame[] = [];

  constructor(options: FrameOptions) {
    super();
    this.level = options.level;
    this.frameSize = options.frameSize ?? FRAME_SIZE;
    const problem = frameSizeProblem(this.frameSize);
    if (problem) throw new RangeError(problem);
    this.inFlight = Math.max(1, options.inFlight ?? framesInFlight());
    this.buf = Buffer.allocUnsafe(this.frameSize);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.accept(chunk).then(() => done(), done);
  }

  override _flush(done: TransformCallback): void {
    this.finish().then(() => done(), done);
  }

  private async accept(chunk: Buffer): Promise<void> {
    for (let off = 0; off < chunk.length; ) {
      const n = chunk.copy(this.buf, this.filled, off);
      off += n;
      this.filled += n;
      if (this.filled === this.frameSize) {
        await this.startFrame();
        if (this.destroyed) return;
      }
    }
    this.pushFinished();
  }

  private async finish(): Promise<void> {
    if (this.filled > 0) await this.startFrame();
    while (this.frames.length > 0) await this.pushOldest();
  }

  /** Starts compressing the full buffer once fewer than inFlight frames are, and gives the tar side a new one. */
  private async startFrame(): Promise<void> {
    while (this.frames.length >= this.inFlight) await this.pushOldest();
    if (this.destroyed) return;
    const input = this.buf.subarray(0, this.filled);
    const frame: Frame = { settled: Promise.resolve() };
    frame.settled = compressFrame(input, this.level).then(
      (out) => {
        frame.out = out;
      },
      (err: unknown) => {
        frame.error = err as Error;
      },
    );
    this.frames.push(frame);
    this.buf = Buffer.allocUnsafe(this.frameSize); // the old one belongs to the frame until it is compressed
    this.filled = 0;
  }

  private async pushOldest(): Promise<void> {
    const frame = this.frames[0]!;
    await frame.settled;
    this.frames.shift();
    if (frame.error) throw frame.error;
    this.push(frame.out);
  }

  /** Pushes the frames at the head that are done, so output does not wait for the next full buffer. */
  private pushFinished(): void {
    while (this.frames.length > 0 && this.frames[0]!.out) this.push(this.frames.shift()!.out);
  }
}

/**
 * One complete zstd frame of `input`, compressed on the thread pool. The
 * pledged size puts Frame_Content_Size in the header; an output buffer big
 * enough for the whole frame makes it one trip to the pool.
 */
function compressFrame(input: Buffer, level: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zstdCompress(
      input,
      {
        pledgedSrcSize: input.length,
        chunkSize: Math.max(64, input.length + (input.length >> 7) + 1024),
        params: {
          [zc.ZSTD_c_compressionLevel]: level,
          [zc.ZSTD_c_checksumFlag]: 1,
        },
      },
      (err, out) => (err ? reject(err) : resolve(out)),
    );
  });
}
