import { open, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { decodeTrailer, encodeTrailer, locate, paddingAfter, readManifestBytes, TRAILER_SIZE } from '../src/format.js';
import { tmp } from './helpers/packer.js';


const manifest = Buffer.from('{"format":1}\n');

/** stub + payload + manifest + padding + trailer, as a writer lays them out. */
function packBytes(stub: Buffer, payload = Buffer.from('PAYLOAD')): Buffer {
  const payloadOffset = stub.length;
  const manifestOffset = payloadOffset + payload.length;
  const pad = paddingAfter(manifestOffset + manifest.length);
  const trailer = encodeTrailer({
    payloadOffset,
    payloadSize: payload.length,
    manifestOffset,
    manifestSize: manifest.length,
    manifest,
  });
  return Buffer.concat([stub, payload, manifest, Buffer.alloc(pad), trailer]);
}

async function located(bytes: Buffer) {
  const file = path.join(tmp(), 'p');
  await writeFile(file, bytes);
  const fh = await open(file, 'r');
  try {
    const layout = await locate(fh, bytes.length);
    return { layout, manifest: await readManifestBytes(fh, layout) };
  } finally {
    await fh.close();
  }
}

test('trailer layout matches docs/format.md section 2', () => {
  const b = encodeTrailer({ payloadOffset: 100, payloadSize: 7, manifestOffset: 107, manifestSize: manifest.length, manifest });
  expect(b.length).toBe(64);
  expect(b.readBigUInt64LE(0)).toBe(100n);
  expect(b.readBigUInt64LE(8)).toBe(7n);
  expect(b.readBigUInt64LE(16)).toBe(107n);
  expect(b.readBigUInt64LE(24)).toBe(BigInt(manifest.length));
  expect(b.readUInt32LE(32)).toBe(1);
  expect(b.readUInt32LE(36)).toBe(0);
  expect(b.readUInt32LE(40)).toBe(crc32(manifest));
  expect(b.readUInt32LE(44)).toBe(crc32(b.subarray(0, 44)));
  expect(b.subarray(48).toString('latin1')).toBe('\x89PACK-ACTION\r\n\x1a\n');
});

test('writers pad so that the trailer ends on a multiple of 8', async () => {
  for (let stubLen = 1; stubLen <= 16; stubLen++) {
    const bytes = packBytes(Buffer.alloc(stubLen, 0x41));
    expect(bytes.length % 8).toBe(0);
    const { layout, manifest: m } = await located(bytes);
    expect(layout.payloadOffset).toBe(stubLen);
    expect(layout.signature).toBe('none');
    expect(m.equals(manifest)).toBe(true);
  }
});

test('damaged trailers are refused with the reason', () => {
  const good = packBytes(Buffer.from('STUB'));
  const end = good.length;
  const trailer = (): Buffer => Buffer.from(good.subarray(end - TRAILER_SIZE));
  const t1 = trailer();
  t1[50] = t1[50]! ^ 1;
  expect(() => decodeTrailer(t1, end)).toThrow(/no pack trailer/);
  const t2 = trailer();
  t2[0] = t2[0]! ^ 1;
  expect(() => decodeTrailer(t2, end)).toThrow(/trailer checksum/);
  const reCRC = (b: Buffer): Buffer => {
    b.writeUInt32LE(crc32(b.subarray(0, 44)), 44);
    return b;
  };
  const t3 = trailer();
  t3.writeUInt32LE(2, 32);
  expect(() => decodeTrailer(reCRC(t3), end)).toThrow(/newer packer/);
  const t4 = trailer();
  t4.writeUInt32LE(1, 36);
  expect(() => decodeTrailer(reCRC(t4), end)).toThrow(/flags/);
  const t5 = trailer();
  t5.writeBigUInt64LE(0n, 0);
  expect(() => decodeTrailer(reCRC(t5), end)).toThrow(/payload offset is zero/);
  const t6 = trailer();
  t6.writeBigUInt64LE(3n, 8);
  expect(() => decodeTrailer(reCRC(t6), end)).toThrow(/does not follow/);
  expect(() => decodeTrailer(trailer(), end + 8)).toThrow(/padding/);
});

test('a manifest with a wrong CRC is refused', async () => {
  const bytes = packBytes(Buffer.from('STUB'));
  bytes[4 + 7] = bytes[4 + 7]! ^ 0x20; // first manifest byte
  await expect(located(bytes)).rejects.toThrow(/manifest checksum/);
});

/** A minimal PE32+ header with the certificate directory entry set. */
function peStub(): Buffer {
  const b = Buffer.alloc(512);
  b.write('MZ', 0, 'latin1');
  b.writeUInt32LE(0x80, 0x3c);
  b.write('PE\0\0', 0x80, 'latin1');
  const opt = 0x80 + 24;
  b.writeUInt16LE(0x20b, opt);
  b.writeUInt32LE(16, opt + 108); // NumberOfRvaAndSizes
  return b;
}

test('finds the trailer of an Authenticode-signed PE pack', async () => {
  const unsigned = packBytes(peStub());
  const certOffset = unsigned.length; // already 8-aligned, as signers need
  const cert = Buffer.alloc(256, 0xcc);
  const signed = Buffer.concat([unsigned, cert]);
  signed.writeUInt32LE(certOffset, 0x80 + 24 + 112 + 4 * 8);
  signed.writeUInt32LE(cert.length, 0x80 + 24 + 112 + 4 * 8 + 4);
  const { layout } = await located(signed);
  expect(layout.signature).toBe('authenticode');
  expect(layout.dataEnd).toBe(certOffset);
  expect(layout.payloadOffset).toBe(512);
});

/** A minimal 64-bit Mach-O header with one LC_CODE_SIGNATURE command. */
function machoStub(): Buffer {
  const b = Buffer.alloc(256);
  b.writeUInt32LE(0xfeedfacf, 0);
  b.writeUInt32LE(1, 16); // ncmds
  b.writeUInt32LE(16, 20); // sizeofcmds
  b.writeUInt32LE(0x1d, 32);
  b.writeUInt32LE(16, 36);
  return b;
}

test('finds the trailer of a re-signed Mach-O pack behind codesign padding', async () => {
  const unsigned = packBytes(machoStub());
  const pad = Buffer.alloc(8); // codesign aligns to 16
  const sigOffset = unsigned.length + pad.length;
  const sig = Buffer.alloc(100, 0xfa);
  const signed = Buffer.concat([unsigned, pad, sig]);
  signed.writeUInt32LE(sigOffset, 40);
  signed.writeUInt32LE(sig.length, 44);
  const { layout } = await located(signed);
  expect(layout.signature).toBe('macho');
  expect(layout.dataEnd).toBe(unsigned.length);
});

test('a file without a trailer is not a pack', async () => {
  await expect(located(Buffer.alloc(200, 1))).rejects.toThrow(/no pack trailer/);
  await expect(located(Buffer.alloc(10))).rejects.toThrow(/no pack trailer/);
});
