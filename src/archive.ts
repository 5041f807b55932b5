// Writes a tree as the pack payload (docs/format.md section 4): a
// reproducible tar stream from archiver, compressed by Node's zstd as
// independent 8 MiB frames (src/frames.ts), hashed and counted on the way to
// disk. Everything streams, so memory does not grow with the tree.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TarArchive, type EntryData } from 'archiver';
import type { Tree } from './collect.js';
import { FrameCompressor, frameSizeProblem } from './frames.js';

/** zstd level used unless asked otherwise: smaller than tar.gz at about its speed (see README "Compression"). */
export const DEFAULT_LEVEL = 9;
/**
 * Highest level accepted, zstd's own maximum. Levels 20-22 use windows of up
 * to 128 MiB, which is what the stub allows a payload to need to unpack.
 */
export const MAX_LEVEL = 22;

export interface PayloadInfo {
  /** Bytes of the compressed payload. */
  size: number;
  /** Lowercase hex SHA-256 of the compressed payload. */
  sha256: string;
  /** Sum of the sizes of the regular files. */
  unpackedSize: number;
  /** Number of tar entries. */
  fileCount: number;
}

export interface ArchiveOptions {
  level?: number;
  /** mtime of every entry: the manifest's `created`. */
  mtime: Date;
  /** Called as tar bytes flow, with bytes done and an estimate of the total. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /**
   * Bytes of tar per zstd frame; default FRAME_SIZE, which docs/format.md
   * fixes. Internal: tests use small frames to get several from a small tree.
   */
  frameSize?: number;
}

/** Counts the bytes that pass through it and, unless told not to, hashes them. */
export class Meter extends Transform {
  bytes = 0;
  readonly hash = createHash('sha256');
  constructor(
    private readonly onBytes?: (bytes: number) => void,
    private readonly hashing = true,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.hashing) this.hash.update(chunk);
    this.onBytes?.(this.bytes);
    done(null, chunk);
  }
}

/**
 * A regular file of the tree, opened only when the tar stream reaches it (so
 * any number of files stream with one descriptor open), read to exactly the
 * size that was collected: a file that changes meanwhile is an error rather
 * than a tar entry that disagrees with its header.
 */
class FileSource extends Readable {
  private fh: FileHandle | undefined;
  private position = 0;
  constructor(
    private readonly file: string,
    private readonly size: number,
  ) {
    super({ highWaterMark: CHUNK });
  }
  override _read(): void {
    this.readChunk().catch((err: unknown) => this.destroy(err as Error));
  }
  private async readChunk(): Promise<void> {
    this.fh ??= await open(this.file, 'r');
    const want = Math.min(CHUNK, this.size - this.position);
    const buf = Buffer.allocUnsafe(Math.max(want, 1));
    const { bytesRead } = await this.fh.read(buf, 0, buf.length, this.position);
    if (want === 0) {
      if (bytesRead > 0) throw new Error(`${this.file} grew while it was being packed; pack a tree nothing writes to`);
      await this.fh.close();
      this.fh = undefined;
      this.push(null);
      return;
    }
    if (bytesRead === 0) throw new Error(`${this.file} shrank while it was being packed; pack a tree nothing writes to`);
    this.position += bytesRead;
    this.push(buf.subarray(0, bytesRead));
  }
  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    const fh = this.fh;
    this.fh = undefined;
    if (!fh) return done(err);
    fh.close().then(
      () => done(err),
      () => done(err),
    );
  }
}

const CHUNK = 256 * 1024;

/**
 * Files up to this size are read in one call: a tree of many small files
 * (node_modules) otherwise spends its time on four asynchronous round trips
 * per file (open, read, read to the end, close).
 */
const SMALL_FILE = 256 * 1024;

function readSmallFile(file: string, size: number): Buffer {
  const data = readFileSync(file);
  if (data.length !== size) {
    throw new Error(`${file} ${data.length > size ? 'grew' : 'shrank'} while it was being packed; pack a tree nothing writes to`);
  }
  return data;
}

/**
 * Archives `tree` and writes the compressed payload to `file`, which must
 * not exist yet. Returns its size, hash and counts for the manifest.
 */
export async function writePayload(tree: Tree, file: string, options: ArchiveOptions): Promise<PayloadInfo> {
  const level = options.level ?? DEFAULT_LEVEL;
  const date = options.mtime;
  const problem = options.frameSize === undefined ? undefined : frameSizeProblem(options.frameSize);
  if (problem) throw new RangeError(problem);
  // Opened first so that an unwritable output fails before anything streams.
  const out = (await open(file, 'wx', 0o600)).createWriteStream();
  // uid/gid 0 and empty user/group names are archiver's defaults; mode and
  // mtime are set on every entry so nothing of this machine leaks in.
  const archive = new TarArchive({});
  const tarTotal = tree.entries.reduce((sum, e) => sum + 512 + Math.ceil(e.size / 512) * 512, 1024);
  const tarMeter = new Meter((bytes) => options.onProgress?.(bytes, tarTotal), false);
  // The frame buffers also gather the tar stream's small writes (a 512-byte
  // header per entry), which zstd would otherwise pay for call by call.
  const zstd = new FrameCompressor({ level, frameSize: options.frameSize });
  const outMeter = new Meter();
  // The archive stays out of the pipeline: destroying it mid-entry makes its
  // internal entry streams emit errors nobody listens to. Its own failures
  // and those of the sources arrive here instead.
  let fail: (err: Error) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  failed.catch(() => undefined);
  const written = pipeline(tarMeter, zstd, outMeter, out, { signal: options.signal });
  written.catch(() => undefined);
  archive.on('error', fail);
  archive.on('warning', fail);
  archive.pipe(tarMeter);
  try {
    // One entry at a time: archiver pipes a stream source into a PassThrough
    // as soon as it is appended, which opens the file and buffers a chunk of
    // it, so appending a whole tree at once would open every file (EMFILE at
    // 20,000 files) and hold a chunk of each in memory.
    for (const e of tree.entries) {
      const appended = new Promise<void>((resolve) => archive.once('entry', () => resolve()));
      const mode = e.mode & 0o777;
      if (e.type === 'directory') {
        archive.append(Buffer.alloc(0), { name: `${e.name}/`, type: 'directory', date, mode });
      } else if (e.type === 'symlink') {
        archive.append(Buffer.alloc(0), { name: e.name, type: 'symlink', linkname: e.linkname, date, mode } as EntryData);
      } else if (e.size <= SMALL_FILE) {
        archive.append(readSmallFile(e.source, e.size), { name: e.name, stats: e.stats, date, mode });
      } else {
        const source = new FileSource(e.source, e.size).on('error', fail);
        archive.append(source, { name: e.name, stats: e.stats, date, mode });
      }
      await Promise.race([appended, failed, written]);
    }
    archive.finalize().catch(fail);
    await Promise.race([written, failed]);
  } catch (err) {
    // Not archive.abort(): archiver 8's tar plugin then calls an unpipe its
    // engine lacks and throws from a callback. Unpiped, the archive just stops.
    archive.unpipe(tarMeter);
    tarMeter.destroy();
    out.destroy();
    throw err;
  }
  return {
    size: outMeter.bytes,
    sha256: outMeter.hash.digest('hex'),
    unpackedSize: tree.unpackedSize,
    fileCount: tree.entries.length,
  };
}
