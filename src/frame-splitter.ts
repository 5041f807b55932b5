// Cuts a zstd stream at its frame boundaries, for Node's zstd decompressor.
//
// Node 24's decompressor stops at the end of the first frame when more input
// follows in the same write while its output buffer has room: it takes the
// leftover bytes for the end of the stream and silently drops every later
// frame (nodejs/node#64741). A payload is a sequence of frames of any size
// (docs/format.md section 4), so readers put this in front of it: each chunk
// it passes on ends at most at one frame's end, and the decompressor starts
// every frame on a fresh write. Nothing is decoded or copied here; only the
// frame and block headers are read (RFC 8878 section 3.1).

import { Transform, type TransformCallback } from 'node:stream';

const ZSTD_MAGIC = 0xfd2fb528;
/** Skippable frames have magics 0x184D2A50 to 0x184D2A5F. */
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;

/** What the splitter reads next: a frame's magic, its descriptor byte, a block header, a skippable frame's size. */
type Step = 'magic' | 'descriptor' | 'block' | 'skippableSize';
const HEADER_BYTES: Record<Step, number> = { magic: 4, descriptor: 1, block: 3, skippableSize: 4 };

export class FrameSplitter extends Transform {
  private step: Step = 'magic';
  private readonly header = Buffer.alloc(4);
  private got = 0;
  /** Bytes to let through before the next step, when passing. */
  private passing = false;
  private pass = 0;
  private next: Step | 'end' = 'magic';
  private checksum = false;
  /** Stream offset of the current chunk, for messages. */
  private offset = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    let start = 0; // first byte of the chunk not yet passed on
    let i = 0;
    try {
      for (;;) {
        if (this.passing) {
          const n = Math.min(this.pass, chunk.length - i);
          i += n;
          this.pass -= n;
          if (this.pass > 0) break;
          this.passing = false;
          if (this.next === 'end') {
            if (i > start) this.push(chunk.subarray(start, i));
            start = i;
            this.next = 'magic';
          }
          this.step = this.next;
          this.got = 0;
          continue;
        }
        if (i >= chunk.length) break;
        const n = Math.min(HEADER_BYTES[this.step] - this.got, chunk.length - i);
        chunk.copy(this.header, this.got, i, i + n);
        this.got += n;
        i += n;
        if (this.got === HEADER_BYTES[this.step]) this.parse(this.offset + i - this.got);
      }
    } catch (err) {
      done(err as Error);
      return;
    }
    if (start < chunk.length) this.push(chunk.subarray(start));
    this.offset += chunk.length;
    done();
  }

  override _flush(done: TransformCallback): void {
    const between = !this.passing && this.step === 'magic' && this.got === 0;
    done(between ? null : new Error(`zstd stream ends inside a frame, at byte ${this.offset}`));
  }

  /** Reads the header just completed, which started at stream offset `at`. */
  private parse(at: number): void {
    const h = this.header;
    switch (this.step) {
      case 'magic': {
        const magic = h.readUInt32LE(0);
        if (magic === ZSTD_MAGIC) return this.then(0, 'descriptor');
        if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) return this.then(0, 'skippableSize');
        throw new Error(`no zstd frame at byte ${at} (magic ${magic.toString(16).padStart(8, '0')})`);
      }
      case 'descriptor': {
        const fhd = h[0]!;
        const single = (fhd >> 5) & 1;
        const fcsFlag = fhd >> 6;
        this.checksum = ((fhd >> 2) & 1) === 1;
        const windowBytes = single ? 0 : 1;
        const dictBytes = [0, 1, 2, 4][fhd & 3]!;
        const sizeBytes = fcsFlag === 0 ? single : [0, 2, 4, 8][fcsFlag]!;
        return this.then(windowBytes + dictBytes + sizeBytes, 'block');
      }
      case 'block': {
        const b = h.readUIntLE(0, 3);
        const last = (b & 1) === 1;
        const type = (b >> 1) & 3;
        if (type === 3) throw new Error(`reserved zstd block type at byte ${at}`);
        const content = type === 1 ? 1 : b >>> 3; // an RLE block stores its byte once
        return last ? this.then(content + (this.checksum ? 4 : 0), 'end') : this.then(content, 'block');
      }
      case 'skippableSize':
        return this.then(h.readUInt32LE(0), 'end');
    }
  }

  private then(bytes: number, next: Step | 'end'): void {
    this.passing = true;
    this.pass = bytes;
    this.next = next;
  }
}
