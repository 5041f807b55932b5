// The splitter lets Node's zstd decompressor read every frame of a stream,
// whatever their sizes and however the stream arrives in chunks.

import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { constants as zc, createZstdDecompress, zstdCompressSync } from 'node:zlib';
import { FrameSplitter } from '../src/frame-splitter.js';

function text(size: number, seed: string): Buffer {
  let s = '';
  for (let i = 0; s.length < size; i++) s += `${seed} ${i} ${createHash('sha256').update(`${seed}${i}`).digest('hex').slice(0, i % 50)}\n`;
  return Buffer.from(s.slice(0, size));
}
function random(size: number): Buffer {
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i += 32) createHash('sha256').update(String(i)).digest().copy(out, i);
  return out;
}
function skippable(n: number, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32LE(0x184d2a50 + n, 0);
  head.writeUInt32LE(data.length, 4);
  return Buffer.concat([head, data]);
}

/** Contents and a stream of frames of every kind a reader must accept. */
const contents = [text(10_000, 'a'), Buffer.alloc(300_000, 'r'), random(70_000), text(1, 'b'), text(200_000, 'c'), Buffer.alloc(0)];
const stream = Buffer.concat([
  zstdCompressSync(contents[0]!, { params: { [zc.ZSTD_c_checksumFlag]: 1 } }), // compressed blocks, checksum
  skippable(0, Buffer.from('skip me')),
  zstdCompressSync(contents[1]!), // RLE blocks, more than one
  zstdCompressSync(contents[2]!, { params: { [zc.ZSTD_c_contentSizeFlag]: 0 } }), // raw blocks, no content size
  skippable(15, Buffer.alloc(0)),
  zstdCompressSync(contents[3]!, { params: { [zc.ZSTD_c_compressionLevel]: 19 } }),
  zstdCompressSync(contents[4]!, { params: { [zc.ZSTD_c_compressionLevel]: 1, [zc.ZSTD_c_checksumFlag]: 1 } }),
  zstdCompressSync(contents[5]!),
]);
const whole = Buffer.concat(contents);

function pieces(b: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < b.length; i += size) out.push(b.subarray(i, i + size));
  return out;
}

test('without the splitter, Node drops the frames after the first (nodejs/node#64741; if this fails, Node is fixed and the splitter can go)', async () => {
  const out = await buffer(Readable.from([stream]).pipe(createZstdDecompress()));
  expect(out.length).toBeLessThan(whole.length);
});

/** Splits and decodes `chunks`, reading the output as it comes. */
async function decode(chunks: Buffer[]): Promise<Buffer> {
  const decompress = createZstdDecompress();
  const [, out] = await Promise.all([pipeline(Readable.from(chunks), new FrameSplitter(), decompress), buffer(decompress)]);
  return out;
}

test.each([stream.length, 65536, 1000, 7])('every frame is decoded from chunks of %i bytes', async (size) => {
  expect((await decode(pieces(stream, size))).equals(whole)).toBe(true);
});

test('no chunk it passes on spans the end of a frame', async () => {
  const chunks: Buffer[] = [];
  await pipeline(Readable.from([stream]), new FrameSplitter().on('data', (c: Buffer) => chunks.push(c)));
  expect(Buffer.concat(chunks).equals(stream)).toBe(true);
  expect(chunks).toHaveLength(8); // one per frame, skippable ones included
});

test('bytes that are not a frame are refused where they are', async () => {
  const bad = Buffer.concat([zstdCompressSync(contents[0]!), Buffer.from('junk')]);
  await expect(decode(pieces(bad, 5))).rejects.toThrow(
    new RegExp(`^no zstd frame at byte ${bad.length - 4} \\(magic 6b6e756a\\)$`),
  );
});

test('a stream that ends inside a frame is refused', async () => {
  const cut = stream.subarray(0, stream.length - 3);
  await expect(decode([cut])).rejects.toThrow(
    `zstd stream ends inside a frame, at byte ${cut.length}`,
  );
});
