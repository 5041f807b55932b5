// Writes a tree as the pack payload (docs/format.md section 4): a
// reproducible tar stream from archiver, compressed by Node's zstd, hashed
// and counted on the way to disk. Everything streams, so memory does not
// grow with the tree.

import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants as zc, createZstdCompress } from 'node:zlib';
import { TarArchive, type EntryData } from 'archiver';
import type { Tree } from './collect.js';

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
}

/** Counts and hashes the bytes that pass through it. */
export class Meter extends Transform {
  bytes = 0;
  readonly hash = createHash('sha256');
  constructor(private readonly onBytes?: (bytes: number) => void) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    this.onBytes?.(this.bytes);
    done(null, chunk);
  }
}

/**
 * Archives `tree` and writes the compressed payload to `file`, which must
 * not exist yet. Returns its size, hash and counts for the manifest.
 */
export async function writePayload(tree: Tree, file: string, options: ArchiveOptions): Promise<PayloadInfo> {
  const level = options.level ?? DEFAULT_LEVEL;
  const date = options.mtime;
  // uid/gid 0 and empty user/group names are archiver's defaults; mode and
  // mtime are set on every entry so nothing of this machine leaks in.
  const archive = new TarArchive({});
  const tarTotal = tree.entries.reduce((sum, e) => sum + 512 + Math.ceil(e.size / 512) * 512, 1024);
  const tarMeter = new Meter((bytes) => options.onProgress?.(bytes, tarTotal));
  const zstd = createZstdCompress({
    params: {
      [zc.ZSTD_c_compressionLevel]: level,
      [zc.ZSTD_c_checksumFlag]: 1,
    },
  });
  const outMeter = new Meter();
  const written = pipeline(archive, tarMeter, zstd, outMeter, createWriteStream(file, { flags: 'wx', mode: 0o600 }), {
    signal: options.signal,
  });
  for (const e of tree.entries) {
    const mode = e.mode & 0o777;
    if (e.type === 'directory') {
      archive.append(Buffer.alloc(0), { name: `${e.name}/`, type: 'directory', date, mode });
    } else if (e.type === 'symlink') {
      archive.append(Buffer.alloc(0), { name: e.name, type: 'symlink', linkname: e.linkname, date, mode } as EntryData);
    } else {
      // file() opens the file only when its turn comes, so any number of files stream.
      archive.file(e.source, { name: e.name, stats: e.stats, date, mode });
    }
  }
  void archive.finalize().catch(() => undefined); // errors surface through the pipeline
  await written;
  return {
    size: outMeter.bytes,
    sha256: outMeter.hash.digest('hex'),
    unpackedSize: tree.unpackedSize,
    fileCount: tree.entries.length,
  };
}
