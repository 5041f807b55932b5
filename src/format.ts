// The 64-byte trailer (docs/format.md section 2) and how a reader finds it,
// also after code signing (section 5).

import type { FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { FORMAT_VERSION } from './manifest.js';

export const TRAILER_SIZE = 64;
export const MAX_MANIFEST_SIZE = 1 << 20;
/** Zero bytes allowed between the manifest and the trailer. */
export const MAX_PADDING = 7;
export const MAGIC = Buffer.from([
  0x89, 0x50, 0x41, 0x43, 0x4b, 0x2d, 0x41, 0x43, 0x54, 0x49, 0x4f, 0x4e, 0x0d, 0x0a, 0x1a, 0x0a,
]);

export interface Trailer {
  payloadOffset: number;
  payloadSize: number;
  manifestOffset: number;
  manifestSize: number;
  manifestCRC: number;
}

/** Where a pack's parts sit in its file. */
export interface Layout extends Trailer {
  /** End of the pack's own data: the file size, or where a signature starts. */
  dataEnd: number;
  /** Which candidate the trailer was found at. */
  signature: 'none' | 'authenticode' | 'macho';
}

/** A file that is not a pack, or whose trailer or manifest is damaged. */
export class NotAPackError extends Error {}

/** Zero bytes a writer puts after the manifest so the trailer ends on a multiple of 8. */
export function paddingAfter(manifestEnd: number): number {
  return (8 - ((manifestEnd + TRAILER_SIZE) % 8)) % 8;
}

export function encodeTrailer(t: Omit<Trailer, 'manifestCRC'> & { manifest: Buffer }): Buffer {
  const b = Buffer.alloc(TRAILER_SIZE);
  b.writeBigUInt64LE(BigInt(t.payloadOffset), 0);
  b.writeBigUInt64LE(BigInt(t.payloadSize), 8);
  b.writeBigUInt64LE(BigInt(t.manifestOffset), 16);
  b.writeBigUInt64LE(BigInt(t.manifestSize), 24);
  b.writeUInt32LE(FORMAT_VERSION, 32);
  b.writeUInt32LE(0, 36);
  b.writeUInt32LE(crc32(t.manifest), 40);
  b.writeUInt32LE(crc32(b.subarray(0, 44)), 44);
  MAGIC.copy(b, 48);
  return b;
}

function u64(b: Buffer, offset: number): number {
  const v = b.readBigUInt64LE(offset);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new NotAPackError('trailer field out of range');
  return Number(v);
}

/**
 * Decodes a trailer that ends at dataEnd and makes the checks of section 2
 * in their documented order (the manifest CRC is checked by readManifest).
 */
export function decodeTrailer(b: Buffer, dataEnd: number): Trailer {
  if (b.length !== TRAILER_SIZE || !b.subarray(48).equals(MAGIC)) throw new NotAPackError('no pack trailer found');
  if (crc32(b.subarray(0, 44)) !== b.readUInt32LE(44)) throw new NotAPackError('trailer checksum mismatch');
  const version = b.readUInt32LE(32);
  if (version !== FORMAT_VERSION) {
    throw new NotAPackError(
      version > FORMAT_VERSION
        ? `pack format ${version} was built by a newer packer than this one (format ${FORMAT_VERSION})`
        : `unknown pack format ${version}`,
    );
  }
  if (b.readUInt32LE(36) !== 0) throw new NotAPackError(`unknown trailer flags 0x${b.readUInt32LE(36).toString(16)}`);
  const t: Trailer = {
    payloadOffset: u64(b, 0),
    payloadSize: u64(b, 8),
    manifestOffset: u64(b, 16),
    manifestSize: u64(b, 24),
    manifestCRC: b.readUInt32LE(40),
  };
  if (t.payloadOffset === 0) throw new NotAPackError('payload offset is zero');
  if (t.manifestOffset !== t.payloadOffset + t.payloadSize) throw new NotAPackError('manifest does not follow the payload');
  const manifestEnd = t.manifestOffset + t.manifestSize;
  if (manifestEnd > dataEnd - TRAILER_SIZE) throw new NotAPackError('manifest overlaps the trailer');
  if (dataEnd - TRAILER_SIZE - manifestEnd > MAX_PADDING) throw new NotAPackError('too much padding before the trailer');
  if (t.manifestSize === 0 || t.manifestSize > MAX_MANIFEST_SIZE) {
    throw new NotAPackError(`manifest size ${t.manifestSize} out of range`);
  }
  return t;
}

async function readAt(fh: FileHandle, length: number, position: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

/**
 * Finds the trailer with a few small reads: at the end of the file, else
 * where an Authenticode certificate table or a Mach-O code signature starts.
 */
export async function locate(fh: FileHandle, size: number): Promise<Layout> {
  const candidates: { end: number; padding: number; signature: Layout['signature'] }[] = [
    { end: size, padding: MAX_PADDING, signature: 'none' },
  ];
  const pe = await peCertificateOffset(fh, size);
  if (pe !== undefined) candidates.push({ end: pe, padding: MAX_PADDING, signature: 'authenticode' });
  const macho = await machoSignatureOffset(fh, size);
  if (macho !== undefined) candidates.push({ end: macho, padding: 15, signature: 'macho' });
  let firstError: Error | undefined;
  for (const c of candidates) {
    try {
      const found = await trailerBefore(fh, c.end, c.padding);
      if (found) return { ...found, signature: c.signature };
    } catch (err) {
      firstError ??= err as Error;
    }
  }
  throw firstError ?? new NotAPackError('no pack trailer found');
}

async function trailerBefore(
  fh: FileHandle,
  end: number,
  padding: number,
): Promise<(Trailer & { dataEnd: number }) | undefined> {
  if (end < TRAILER_SIZE) return undefined;
  const window = Math.min(TRAILER_SIZE + padding, end);
  const buf = await readAt(fh, window, end - window);
  for (let k = 0; k <= padding && TRAILER_SIZE + k <= buf.length; k++) {
    if (k > 0 && buf[buf.length - k] !== 0) break; // only zero bytes may follow the trailer
    const tb = buf.subarray(buf.length - k - TRAILER_SIZE, buf.length - k);
    if (!tb.subarray(48).equals(MAGIC)) continue;
    const dataEnd = end - k;
    return { ...decodeTrailer(tb, dataEnd), dataEnd };
  }
  return undefined;
}

/** Reads the manifest bytes of a located pack and checks their CRC. */
export async function readManifestBytes(fh: FileHandle, layout: Layout): Promise<Buffer> {
  const b = await readAt(fh, layout.manifestSize, layout.manifestOffset);
  if (b.length !== layout.manifestSize) throw new NotAPackError('manifest is truncated');
  if (crc32(b) !== layout.manifestCRC) throw new NotAPackError('manifest checksum mismatch');
  return b;
}

/** File offset of a PE file's Authenticode certificate table (data directory 4). */
async function peCertificateOffset(fh: FileHandle, size: number): Promise<number | undefined> {
  const dos = await readAt(fh, 64, 0);
  if (dos.length < 64 || dos[0] !== 0x4d || dos[1] !== 0x5a) return undefined;
  const peOff = dos.readUInt32LE(0x3c);
  const hdr = await readAt(fh, 4 + 20 + 152, peOff);
  if (peOff === 0 || hdr.length < 4 + 20 + 152 || !hdr.subarray(0, 4).equals(Buffer.from('PE\0\0', 'latin1'))) {
    return undefined;
  }
  const opt = hdr.subarray(24);
  const magic = opt.readUInt16LE(0);
  const dirs = magic === 0x10b ? 96 : magic === 0x20b ? 112 : 0;
  if (dirs === 0 || opt.readUInt32LE(dirs - 4) <= 4) return undefined;
  const off = opt.readUInt32LE(dirs + 4 * 8);
  const length = opt.readUInt32LE(dirs + 4 * 8 + 4);
  if (off === 0 || length === 0 || off + length > size) return undefined;
  return off;
}

/** LC_CODE_SIGNATURE's dataoff of a 64-bit Mach-O file. */
async function machoSignatureOffset(fh: FileHandle, size: number): Promise<number | undefined> {
  const h = await readAt(fh, 32, 0);
  if (h.length < 32 || h.readUInt32LE(0) !== 0xfeedfacf) return undefined;
  const ncmds = h.readUInt32LE(16);
  const sizeofcmds = h.readUInt32LE(20);
  if (sizeofcmds > 1 << 20 || 32 + sizeofcmds > size) return undefined;
  let cmds = await readAt(fh, sizeofcmds, 32);
  for (let i = 0; i < ncmds && cmds.length >= 8; i++) {
    const cmd = cmds.readUInt32LE(0);
    const cmdsize = cmds.readUInt32LE(4);
    if (cmdsize < 8 || cmdsize > cmds.length) return undefined;
    if (cmd === 0x1d && cmdsize >= 16) {
      const off = cmds.readUInt32LE(8);
      const n = cmds.readUInt32LE(12);
      if (off === 0 || off + n > size) return undefined;
      return off;
    }
    cmds = cmds.subarray(cmdsize);
  }
  return undefined;
}
