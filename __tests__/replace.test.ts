import { chmodSync, closeSync, openSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { inspectPack } from '../src/inspect.js';
import { packTargets } from '../src/pack.js';
import { replacePack } from '../src/replace.js';
import { cli, fakeStubs, listDir, tmp, tree } from './helpers/packer.js';


const stubs = fakeStubs();

/** A linux-x64 pack of `id` at `version` (fake stub: these packs are never run). */
async function pack(version: string, id = 'app', target: 'linux-x64' | 'windows-x64' = 'linux-x64'): Promise<string> {
  const run = await packTargets({
    dir: tree({ 'bin/app': [`#!/bin/sh\necho ${version}\n`, 0o755], 'bin/app.exe': 'MZ', 'share/v.txt': version.repeat(500) }),
    name: 'app',
    id,
    version,
    command: target === 'linux-x64' ? 'bin/app' : 'bin/app.exe',
    targets: [target],
    outDir: path.join(tmp('out-'), 'out'),
    stubsDir: stubs,
    created: new Date('2026-11-22T07:00:00Z'),
  });
  return run.results[0]!.file;
}

/** The installed pack, alone in a directory, with mode 0750. */
async function installed(version = '1.0.0'): Promise<string> {
  const file = path.join(tmp('installed-'), 'app');
  writeFileSync(file, readFileSync(await pack(version)));
  chmodSync(file, 0o750);
  return file;
}

test('the new pack takes the old one\'s place; an open file keeps the old content', async () => {
  const file = await installed();
  const before = readFileSync(file);
  const next = await pack('2.0.0');
  const held = openSync(file, 'r'); // as a running program holds its file
  try {
    const r = await replacePack(file, next);
    expect(r).toEqual({ file, id: 'app', target: 'linux-x64', from: '1.0.0', to: '2.0.0' });
    expect(readFileSync(file).equals(readFileSync(next))).toBe(true);
    const old = Buffer.alloc(before.length);
    readSync(held, old, 0, old.length, 0);
    expect(old.equals(before)).toBe(true);
  } finally {
    closeSync(held);
  }
  expect((await inspectPack(file, { verify: true })).manifest.version).toBe('2.0.0');
  expect(listDir(path.dirname(file))).toEqual(['app']);
  expect(statSync(file).mode & 0o777).toBe(0o750);
});

test('a downgrade is allowed: replace installs whatever version it is given', async () => {
  const file = await installed('3.0.0');
  expect((await replacePack(file, await pack('2.9.0'))).to).toBe('2.9.0');
});

describe('refusals change nothing', () => {
  async function refuses(next: string, message: RegExp): Promise<void> {
    const file = await installed();
    const before = readFileSync(file);
    await expect(replacePack(file, next)).rejects.toThrow(message);
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(listDir(path.dirname(file))).toEqual(['app']);
  }
  test('another program', async () => refuses(await pack('2.0.0', 'other'), /is the program "other", not "app"/));
  test('another target', async () => refuses(await pack('2.0.0', 'app', 'windows-x64'), /is built for windows-x64, not linux-x64/));
  test('a damaged new pack', async () => {
    const next = await pack('2.0.0');
    const info = await inspectPack(next);
    const b = readFileSync(next);
    const at = info.layout.payloadOffset + 10;
    b[at] = b[at]! ^ 0xff;
    writeFileSync(next, b);
    await refuses(next, /payload damaged/);
  });
  test('not a pack', async () => {
    const bad = path.join(tmp(), 'bad');
    writeFileSync(bad, 'hello');
    await refuses(bad, /not a pack or damaged/);
  });
});

test('Windows: the old file is renamed aside, and old copies nothing runs are deleted', async () => {
  const file = await installed();
  writeFileSync(path.join(path.dirname(file), '.app.old-leftover'), 'from an earlier replace');
  const next = await pack('2.0.0');
  await replacePack(file, next, { platform: 'win32' });
  expect(readFileSync(file).equals(readFileSync(next))).toBe(true);
  expect(listDir(path.dirname(file))).toEqual(['app']);
});

test('pack-action replace: one summary line, or one error line and exit 1', async () => {
  const file = await installed();
  const ok = await cli(['replace', file, await pack('2.0.0')]);
  expect(ok.code).toBe(0);
  expect(ok.stdout).toMatch(/^replaced .*app: app 1\.0\.0 -> 2\.0\.0\n$/);
  const bad = await cli(['replace', file, await pack('3.0.0', 'other')]);
  expect(bad.code).toBe(1);
  expect(bad.stderr).toMatch(/^pack-action: .* is the program "other", not "app".*nothing was changed\n$/);
  const json = await cli(['replace', file, await pack('3.0.0'), '--json']);
  expect(JSON.parse(json.stdout)).toMatchObject({ from: '2.0.0', to: '3.0.0' });
});
