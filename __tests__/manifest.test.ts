import {
  creationTime,
  entryPathProblem,
  envProblem,
  formatCreated,
  idProblem,
  serializeManifest,
  validateManifest,
  versionProblem,
  type Manifest,
} from '../src/manifest.js';
import { PACKER, VERSION } from '../src/version.js';
import { readFileSync } from 'node:fs';

const base: Manifest = {
  format: 1,
  id: 'hello',
  version: '1.2.3',
  target: 'windows-x64',
  command: 'bin/hello.exe',
  args: ['{app}/x'],
  env: ['A=1'],
  compression: 'zstd',
  payloadSha256: 'a'.repeat(64),
  payloadSize: 10,
  unpackedSize: 20,
  fileCount: 3,
  packer: PACKER,
  created: '2026-11-22T07:00:00Z',
  windows: { subsystem: 'console', detach: false },
};

describe('manifest rules', () => {
  test.each(['a', 'A-b_c.d', 'x'.repeat(64)])('id %s is valid', (id) => expect(idProblem(id)).toBeUndefined());
  test.each(['', '.', '..', 'a/b', 'a b', 'x'.repeat(65), 'é'])('id %j is invalid', (id) => expect(idProblem(id)).toMatch(/invalid id/));
  test.each(['1.2.3', 'v1.2.3-rc.1+build.5', '2026.11.22', 'x'.repeat(128)])('version %s is valid', (v) =>
    expect(versionProblem(v)).toBeUndefined(),
  );
  test.each(['', '.', '..', '1.0/2', '1 0', 'x'.repeat(129)])('version %j is invalid', (v) =>
    expect(versionProblem(v)).toMatch(/invalid version/),
  );
  test.each(['A=1', '_x=', 'PATH=a=b'])('env %s is valid', (e) => expect(envProblem(e)).toBeUndefined());
  test.each(['A', '=1', '1A=2', 'A-B=1', 'PACK_ID=x'])('env %s is invalid', (e) => expect(envProblem(e)).toMatch(/invalid env/));
  test.each(['a', 'a/b.txt', '.packed', 'x/.pack'])('path %s is valid', (p) => expect(entryPathProblem(p)).toBeUndefined());
  test.each(['', '/abs', 'a//b', './a', 'a/../b', 'a\\b', 'c:x', 'a\0b', '.pack', '.pack/x', 'a/'.repeat(2049) + 'a'])(
    'path %j is invalid',
    (p) => expect(entryPathProblem(p)).toBeDefined(),
  );
});

describe('serialization', () => {
  test('keys in the documented order, two-space indent, final newline', () => {
    const shuffled = Object.fromEntries(Object.entries(base).reverse()) as unknown as Manifest;
    const text = serializeManifest(shuffled);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.split('\n')[1]).toBe('  "format": 1,');
    expect(Object.keys(JSON.parse(text))).toEqual([
      'format', 'id', 'version', 'target', 'command', 'args', 'env', 'compression',
      'payloadSha256', 'payloadSize', 'unpackedSize', 'fileCount', 'packer', 'created', 'windows',
    ]);
    expect(validateManifest(JSON.parse(text))).toEqual(base);
  });

  test('no windows key for other targets', () => {
    const { windows: _w, ...linux } = base;
    const text = serializeManifest({ ...linux, target: 'linux-x64' });
    expect(text).not.toContain('windows');
  });

  test('validation names the broken rule and ignores unknown keys', () => {
    const ok = JSON.parse(serializeManifest(base));
    expect(validateManifest({ ...ok, later: true }).id).toBe('hello');
    expect(() => validateManifest({ ...ok, format: 2 })).toThrow(/format 2/);
    expect(() => validateManifest({ ...ok, id: '..' })).toThrow(/invalid id/);
    expect(() => validateManifest({ ...ok, target: 'plan9-x64' })).toThrow(/unknown target/);
    expect(() => validateManifest({ ...ok, command: '../x' })).toThrow(/invalid command/);
    expect(() => validateManifest({ ...ok, env: ['PACK_X=1'] })).toThrow(/PACK_/);
    expect(() => validateManifest({ ...ok, compression: 'gzip' })).toThrow(/compression/);
    expect(() => validateManifest({ ...ok, payloadSha256: 'A'.repeat(64) })).toThrow(/payloadSha256/);
    expect(() => validateManifest({ ...ok, payloadSize: 2 ** 53 })).toThrow(/payloadSize/);
    expect(() => validateManifest({ ...ok, target: 'linux-x64' })).toThrow(/windows options/);
    expect(() => validateManifest({ ...ok, windows: { subsystem: 'tui' } })).toThrow(/subsystem/);
  });
});

describe('created time', () => {
  test('SOURCE_DATE_EPOCH wins and is formatted at seconds precision', () => {
    const d = creationTime({ SOURCE_DATE_EPOCH: '1700000000' });
    expect(formatCreated(d)).toBe('2023-11-14T22:13:20Z');
  });
  test('now is truncated to whole seconds', () => {
    expect(formatCreated(creationTime({}, new Date('2026-11-22T07:00:00.987Z')))).toBe('2026-11-22T07:00:00Z');
  });
  test('a malformed SOURCE_DATE_EPOCH is refused', () => {
    expect(() => creationTime({ SOURCE_DATE_EPOCH: 'yesterday' })).toThrow(/SOURCE_DATE_EPOCH/);
  });
});

test('the packer version matches package.json', () => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  expect(VERSION).toBe(pkg.version);
});
