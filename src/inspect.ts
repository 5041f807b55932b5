// Reads any target's pack on any host: where its parts are, its manifest,
// and on request the entries of its payload and a check of its hash.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createZstdDecompress } from 'node:zlib';
import tar from 'tar-stream';
import { Meter } from './archive.js';
import { FrameSplitter } from './frame-splitter.js';
import { PackError } from './errors.js';
import { locate, readManifestBytes, TRAILER_SIZE, type Layout } from './format.js';
import { entryPathProblem, validateManifest, type Manifest } from './manifest.js';

export interface PackEntry {
  path: string;
  type: 'file' | 'directory' | 'symlink' | string;
  /** Permission bits. */
  mode: number;
  size: number;
  /** Symlinks only. */
  linkname?: string;
  /** Regular files only: lowercase hex SHA-256 of the content. */
  sha256?: string;
}

export interface PackInfo {
  file: string;
  /** Bytes of the whole file. */
  size: number;
  stub: { size: number; kind: 'ELF' | 'PE' | 'Mach-O' | 'unknown' };
  layout: Layout & { padding: number; trailerOffset: number };
  manifest: Manifest;
  /** With `list`: the payload's tar entries in stored order. */
  entries?: PackEntry[];
  /** With `list` or `verify`: the payload matched the manifest's hash, size and counts. */
  verified?: boolean;
}

export interface InspectOptions {
  /** Decompress the payload and list its entries (also verifies it). */
  list?: boolean;
  /** Hash the payload and compare it with the manifest. */
  verify?: boolean;
}

/** Inspects `file`. Throws a PackError saying why when it is not a readable pack. */
export async function inspectPack(file: string, options: InspectOptions = {}): Promise<PackInfo> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (err) {
    throw new PackError(`${file}: cannot read it (${(err as NodeJS.ErrnoException).code}); give the path of a pack`);
  }
  const fh = await open(file, 'r');
  let layout: Layout;
  let manifest: Manifest;
  let head: Buffer;
  try {
    try {
      layout = await locate(fh, size);
      const raw = await readManifestBytes(fh, layout);
      manifest = validateManifest(JSON.parse(raw.toString('utf8')));
    } catch (err) {
      throw new PackError(`${file}: not a pack or damaged (${(err as Error).message}); build or download it again`);
    }
    if (manifest.payloadSize !== layout.payloadSize) {
      throw new PackError(`${file}: not a pack or damaged (manifest payloadSize ${manifest.payloadSize} differs from the trailer's ${layout.payloadSize})`);
    }
    head = Buffer.alloc(4);
    await fh.read(head, 0, 4, 0);
  } finally {
    await fh.close();
  }
  const manifestEnd = layout.manifestOffset + layout.manifestSize;
  const info: PackInfo = {
    file,
    size,
    stub: { size: layout.payloadOffset, kind: stubKind(head) },
    layout: { ...layout, padding: layout.dataEnd - TRAILER_SIZE - manifestEnd, trailerOffset: layout.dataEnd - TRAILER_SIZE },
    manifest,
  };
  if (options.list || options.verify) {
    const { entries, sha256, unpackedSize } = await readPayload(file, layout, options.list === true);
    const problems: string[] = [];
    if (sha256 !== manifest.payloadSha256) problems.push(`payload sha256 ${sha256}, manifest says ${manifest.payloadSha256}`);
    if (entries.length !== manifest.fileCount) problems.push(`${entries.length} entries, manifest says ${manifest.fileCount}`);
    if (unpackedSize !== manifest.unpackedSize) problems.push(`${unpackedSize} bytes unpacked, manifest says ${manifest.unpackedSize}`);
    if (problems.length > 0) throw new PackError(`${file}: payload damaged (${problems.join('; ')}); build or download it again`);
    info.verified = true;
    if (options.list) info.entries = entries;
  }
  return info;
}

function stubKind(head: Buffer): PackInfo['stub']['kind'] {
  if (head.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))) return 'ELF';
  if (head[0] === 0x4d && head[1] === 0x5a) return 'PE';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfeedfacf) return 'Mach-O';
  return 'unknown';
}

/** Streams the payload once: hashes the compressed bytes and walks the tar. */
async function readPayload(
  file: string,
  layout: Layout,
  keepEntries: boolean,
): Promise<{ entries: PackEntry[]; sha256: string; unpackedSize: number }> {
  const meter = new Meter();
  const entries: PackEntry[] = [];
  let unpackedSize = 0;
  const extract = tar.extract();
  const seen = new Set<string>();
  const symlinks = new Set<string>();
  extract.on('entry', (header, stream, next) => {
    stream.on('error', () => undefined); // an aborted entry fails the extract, which the pipeline reports
    const path = header.type === 'directory' ? header.name.replace(/\/$/, '') : header.name;
    const problem = entryProblem(path, header.type, header.linkname, seen, symlinks);
    if (problem) {
      stream.resume();
      next(new Error(`entry ${JSON.stringify(header.name)}: ${problem}`));
      return;
    }
    seen.add(path);
    if (header.type === 'symlink') symlinks.add(path);
    const entry: PackEntry = { path, type: header.type, mode: header.mode & 0o777, size: header.size ?? 0 };
    if (header.type === 'symlink') entry.linkname = header.linkname;
    const fileHash = createHash('sha256');
    stream.on('data', (chunk: unknown) => fileHash.update(chunk as Buffer));
    stream.on('end', () => {
      if (header.type === 'file') {
        entry.sha256 = fileHash.digest('hex');
        unpackedSize += entry.size;
      }
      entries.push(keepEntries ? entry : { path: entry.path, type: entry.type, mode: 0, size: 0 });
      next();
    });
    stream.resume();
  });
  const source = createReadStream(file, {
    start: layout.payloadOffset,
    end: layout.payloadOffset + layout.payloadSize - 1,
  });
  try {
    if (layout.payloadSize === 0) throw new Error('empty payload');
    await pipeline(source, meter, new FrameSplitter(), createZstdDecompress(), extract as unknown as Writable);
  } catch (err) {
    throw new PackError(`${file}: payload damaged (${(err as Error).message}); build or download it again`);
  }
  return { entries, sha256: meter.hash.digest('hex'), unpackedSize };
}

/**
 * What makes a tar entry one the format forbids (docs/format.md section 4),
 * as the stub judges it, or undefined.
 */
function entryProblem(
  path: string,
  type: string,
  linkname: string | null | undefined,
  seen: Set<string>,
  symlinks: Set<string>,
): string | undefined {
  if (type !== 'file' && type !== 'directory' && type !== 'symlink') return `${type} entries are not allowed`;
  const pathProblem = entryPathProblem(path);
  if (pathProblem) return pathProblem;
  if (seen.has(path)) return 'duplicate path';
  const parts = path.split('/');
  for (let i = 1; i < parts.length; i++) {
    if (symlinks.has(parts.slice(0, i).join('/'))) return `inside the symlink ${parts.slice(0, i).join('/')}`;
  }
  if (type === 'symlink') {
    const target = linkname ?? '';
    if (target === '' || target.startsWith('/') || /[\\:\0]/.test(target)) return `symlink target ${JSON.stringify(target)} is absolute or not portable`;
    const resolved = posix.join(posix.dirname(path), target);
    if (resolved === '..' || resolved.startsWith('../')) return `symlink target ${JSON.stringify(target)} leaves the tree`;
  }
  return undefined;
}
