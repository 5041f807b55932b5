import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { caseCollisions, checkCommand, collectTree } from '../src/collect.js';
import { tmp, tree } from './helpers/packer.js';


test('entries come in byte order with directories first, modes kept', async () => {
  const dir = tree({ 'b.txt': 'b', 'a/z': 'z', 'a.txt': 'a', 'bin/run': ['#!/bin/sh\n', 0o755], 'B': 'upper' });
  const t = await collectTree(dir);
  expect(t.entries.map((e) => `${e.type[0]} ${e.name}`)).toEqual(['f B', 'd a', 'f a.txt', 'f a/z', 'f b.txt', 'd bin', 'f bin/run']);
  expect(t.entries.find((e) => e.name === 'bin/run')!.mode).toBe(0o755);
  expect(t.entries.find((e) => e.name === 'b.txt')!.mode).toBe(0o644);
  expect(t.unpackedSize).toBe(1 + 1 + 1 + 10 + 5);
});

test('include and exclude globs; an excluded directory drops its subtree', async () => {
  const dir = tree({ 'app/main.js': 'x', 'app/test/t.js': 'x', 'docs/a.md': 'x', '.hidden': 'x', 'keep.txt': 'x' });
  mkdirSync(path.join(dir, 'empty'));
  const all = await collectTree(dir);
  expect(all.entries.map((e) => e.name)).toContain('.hidden');
  expect(all.entries.map((e) => e.name)).toContain('empty');
  const some = await collectTree(dir, { include: ['app/**', '*.txt'], exclude: ['**/test'] });
  expect(some.entries.map((e) => e.name)).toEqual(['app', 'app/main.js', 'keep.txt']);
});

test('symlinks inside the tree are kept as relative links', async () => {
  const dir = tree({ 'lib/libx.so.1': 'lib', 'bin/tool': ['x', 0o755] });
  symlinkSync('libx.so.1', path.join(dir, 'lib/libx.so'));
  symlinkSync('../lib', path.join(dir, 'bin/lib'));
  symlinkSync(path.join(dir, 'lib/libx.so.1'), path.join(dir, 'abs-inside'));
  symlinkSync('missing', path.join(dir, 'dangling'));
  const t = await collectTree(dir);
  const links = Object.fromEntries(t.entries.filter((e) => e.type === 'symlink').map((e) => [e.name, e.linkname]));
  expect(links).toEqual({ 'lib/libx.so': 'libx.so.1', 'bin/lib': '../lib', 'abs-inside': 'lib/libx.so.1', dangling: 'missing' });
});

test.each([
  ['a relative escape', (dir: string) => symlinkSync('../outside', path.join(dir, 'esc'))],
  ['an absolute target outside', (dir: string) => symlinkSync('/etc/passwd', path.join(dir, 'esc'))],
  ['an escape through another link', (dir: string) => {
    symlinkSync('.', path.join(dir, 'here'));
    symlinkSync('here/../x', path.join(dir, 'esc')); // lexically "x", really ../x
  }],
  ['an escape the stub would see lexically', (dir: string) => {
    mkdirSync(path.join(dir, 'sub/x'), { recursive: true });
    symlinkSync('sub/x', path.join(dir, 'deep'));
    symlinkSync('deep/../../y', path.join(dir, 'esc')); // really sub/y, lexically ../y
  }],
])('a symlink escaping the tree is refused: %s', async (_what, make) => {
  const dir = tree({ 'ok.txt': 'x' });
  make(dir);
  await expect(collectTree(dir)).rejects.toThrow(/symlink .*esc.* points outside the tree|esc .*contains/);
});

test('FIFOs and sockets are refused, naming the path', async () => {
  const dir = tree({ 'ok.txt': 'x' });
  execFileSync('mkfifo', [path.join(dir, 'pipe')]);
  await expect(collectTree(dir)).rejects.toThrow(/pipe is a FIFO, which a pack cannot hold/);
  const dir2 = tree({ 'ok.txt': 'x' });
  const server = net.createServer().listen(path.join(dir2, 'sock'));
  await new Promise((r) => server.once('listening', r));
  try {
    await expect(collectTree(dir2)).rejects.toThrow(/sock is a socket/);
  } finally {
    server.close();
  }
  // excluded, they are fine
  expect((await collectTree(dir, { exclude: ['pipe'] })).entries.map((e) => e.name)).toEqual(['ok.txt']);
});

test('the reserved .pack and names Windows cannot hold are refused', async () => {
  await expect(collectTree(tree({ '.pack/x': 'x' }))).rejects.toThrow(/\.pack is reserved/);
  await expect(collectTree(tree({ 'a:b': 'x' }))).rejects.toThrow(/a:b: path contains/);
  await expect(collectTree(tree({ 'sub/.pack': 'x' }))).resolves.toBeDefined();
});

test('a missing directory is a clear error', async () => {
  await expect(collectTree(path.join(tmp(), 'nope'))).rejects.toThrow(/does not exist/);
});

test('the command must be a regular, executable file of the tree', async () => {
  const dir = tree({ 'bin/run': ['x', 0o755], 'bin/data': 'x', 'run.exe': 'x' });
  symlinkSync('run', path.join(dir, 'bin/link'));
  const t = await collectTree(dir);
  expect(() => checkCommand(t, 'bin/run', true)).not.toThrow();
  expect(() => checkCommand(t, 'run.exe', false)).not.toThrow();
  expect(() => checkCommand(t, 'bin/data', true)).toThrow(/not executable; chmod \+x/);
  expect(() => checkCommand(t, 'bin/missing', true)).toThrow(/is not in the tree/);
  expect(() => checkCommand(t, 'bin', true)).toThrow(/is a directory/);
  expect(() => checkCommand(t, 'bin/link', true)).toThrow(/is a symlink/);
  expect(() => checkCommand(t, '../x', true)).toThrow(/path component/);
});

test('names that differ only in case are reported', async () => {
  const t = await collectTree(tree({ 'README': 'x', 'readme': 'y', 'Dir/a': 'x', 'dir/a': 'x' }));
  expect(caseCollisions(t)).toEqual([['Dir', 'dir'], ['Dir/a', 'dir/a'], ['README', 'readme']]);
});

test('on a Windows host modes come from content, so Unix packs built there still run', async () => {
  const dir = tree({
    'bin/tool': ['\x7fELF rest of a program', 0o644],
    'bin/script': ['#!/bin/sh\n', 0o644],
    'bin/app.exe': ['MZ program', 0o644],
    'data.txt': ['#not a script', 0o755],
    'empty': ['', 0o755],
  });
  writeFileSync(path.join(dir, 'bin/mac'), Buffer.from([0xcf, 0xfa, 0xed, 0xfe, 1, 2]), { mode: 0o644 });
  const t = await collectTree(dir, { modesFromContent: true });
  const modes = Object.fromEntries(t.entries.map((e) => [e.name, e.mode.toString(8)]));
  expect(modes).toEqual({ bin: '755', 'bin/app.exe': '755', 'bin/mac': '755', 'bin/script': '755', 'bin/tool': '755', 'data.txt': '644', empty: '644' });
});
