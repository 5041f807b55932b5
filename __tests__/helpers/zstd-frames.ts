// Walks the frames of a zstd stream (RFC 8878 section 3.1) without decoding
// them, so tests can check how a payload is cut: where each frame starts,
// what content size its header declares and whether it has a checksum.

export interface ZstdFrame {
  offset: number;
  /** Bytes of the whole frame, header to checksum. */
  size: number;
  skippable: boolean;
  /** Frame_Content_Size, when the header has one. */
  contentSize?: number;
  checksum: boolean;
}

const MAGIC = 0xfd2fb528;

export function zstdFrames(b: Buffer): ZstdFrame[] {
  const frames: ZstdFrame[] = [];
  for (let off = 0; off < b.length; ) {
    const magic = b.readUInt32LE(off);
    if ((magic & 0xfffffff0) >>> 0 === 0x184d2a50) {
      const size = 8 + b.readUInt32LE(off + 4);
      frames.push({ offset: off, size, skippable: true, checksum: false });
      off += size;
      continue;
    }
    if (magic !== MAGIC) throw new Error(`no zstd frame at byte ${off} (magic ${magic.toString(16)})`);
    const fhd = b[off + 4]!;
    const fcsFlag = fhd >> 6;
    const single = (fhd >> 5) & 1;
    const checksum = ((fhd >> 2) & 1) === 1;
    let p = off + 5 + (single ? 0 : 1) + [0, 1, 2, 4][fhd & 3]!;
    const fcsLen = fcsFlag === 0 ? single : [0, 2, 4, 8][fcsFlag]!;
    const contentSize =
      fcsLen === 0 ? undefined
      : fcsLen === 1 ? b[p]!
      : fcsLen === 2 ? b.readUInt16LE(p) + 256
      : fcsLen === 4 ? b.readUInt32LE(p)
      : Number(b.readBigUInt64LE(p));
    p += fcsLen;
    for (;;) {
      const h = b.readUIntLE(p, 3);
      p += 3;
      const type = (h >> 1) & 3;
      if (type === 3) throw new Error(`reserved block type at byte ${p - 3}`);
      p += type === 1 ? 1 : h >>> 3; // an RLE block stores one byte
      if (h & 1) break;
    }
    if (checksum) p += 4;
    if (p > b.length) throw new Error(`frame at byte ${off} runs past the end`);
    frames.push({ offset: off, size: p - off, skippable: false, contentSize, checksum });
    off = p;
  }
  return frames;
}
