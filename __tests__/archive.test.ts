import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { zstdDecompressSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { writePayload } from '../src/archive.js';
import { collectTree } from '../src/collect.js';
import { tmp, tree } from './helpers/packer.js';

const mtime = new Date('2026-11-22T07:00:00Z');

test('the payload is a zstd tar with fixed owners, times and modes, and its hash is reported', async () => {
  const dir = tree({ 'a.txt': 'hello', 'bin/x': ['#!/bin/sh\n', 0o750] });
  const file = path.join(tmp(), 'payload');
  const info = await writePayload(await collectTree(dir), file, { mtime });
  const bytes = readFileSync(file);
  expect(info.size).toBe(bytes.length);
  expect(info.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  expect(info.fileCount).toBe(3);
  expect(info.unpackedSize).toBe(15);
  const tarBytes = zstdDecompressSync(bytes);
  // ustar header fields: name, mode, uid, gid, size, mtime, ..., uname, gname
  const header = (i: number) => tarBytes.subarray(i * 512, i * 512 + 512);
  const field = (h: Buffer, off: number, len: number) => h.subarray(off, off + len).toString('latin1').replace(/\0.*$/s, '').trim();
  const names: string[] = [];
  for (let off = 0; off + 512 <= tarBytes.length; ) {
    const h = tarBytes.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    names.push(field(h, 0, 100));
    expect(parseInt(field(h, 108, 8), 8)).toBe(0); // uid
    expect(parseInt(field(h, 116, 8), 8)).toBe(0); // gid
    expect(parseInt(field(h, 136, 12), 8)).toBe(mtime.getTime() / 1000);
    expect(field(h, 265, 32)).toBe(''); // uname
    expect(field(h, 297, 32)).toBe(''); // gname
    const size = parseInt(field(h, 124, 12), 8);
    off += 512 + Math.ceil(size / 512) * 512;
  }
  expect(names).toEqual(['a.txt', 'bin/', 'bin/x']);
  expect(parseInt(field(header(2 + 1), 100, 8), 8)).toBe(0o750); // a.txt takes a header and a data block
});

test('a file removed after collection fails the payload cleanly', async () => {
  const dir = tree({ 'a.txt': 'a', 'b.txt': 'b' });
  const t = await collectTree(dir);
  rmSync(path.join(dir, 'b.txt'));
  const file = path.join(tmp(), 'payload');
  await expect(writePayload(t, file, { mtime })).rejects.toThrow(/ENOENT.*b\.txt/);
});

test('a file that grows while packing is an error, not a wrong tar entry', async () => {
  const dir = tree({ 'a.txt': 'a' });
  const t = await collectTree(dir);
  appendFileSync(path.join(dir, 'a.txt'), 'more');
  await expect(writePayload(t, path.join(tmp(), 'payload'), { mtime })).rejects.toThrow(/a\.txt grew while it was being packed/);
});

test('the payload file must not exist yet', async () => {
  const file = path.join(tmp(), 'payload');
  writeFileSync(file, 'x');
  await expect(writePayload(await collectTree(tree({ a: 'a' })), file, { mtime })).rejects.toThrow(/EEXIST/);
  expect(existsSync(file)).toBe(true);
});
