import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { inspectPack } from '../src/inspect.js';
import { packTargets, type PackEvent, type PackOptions } from '../src/pack.js';
import { TARGETS } from '../src/targets.js';
import { fakeStubs, listDir, tmp, tree } from './helpers/packer.js';


const created = new Date('2026-11-22T07:00:00Z');

function appTree(): string {
  return tree({
    'bin/app': ['#!/bin/sh\necho hi\n', 0o755],
    'bin/app.exe': ['MZ fake', 0o644],
    'share/data.txt': 'data\n'.repeat(1000),
    [`deep/${'n'.repeat(120)}/file`]: 'long names need pax headers',
  });
}

function options(over: Partial<PackOptions>): PackOptions {
  return {
    dir: appTree(),
    name: 'app',
    command: 'bin/app{exe}',
    targets: ['linux-x64'],
    outDir: path.join(tmp('out-'), 'out'),
    stubsDir: fakeStubs(),
    created,
    ...over,
  };
}

test('one pack per target and a SHA256SUMS that sha256sum accepts', async () => {
  const o = options({ targets: [...TARGETS], args: ['--flag', '{app}/x'], env: ['APP_HOME={app}'], version: 'v1.2.3' });
  const run = await packTargets(o);
  expect(listDir(o.outDir)).toEqual([
    'SHA256SUMS',
    'app-darwin-arm64', 'app-darwin-x64', 'app-linux-arm64', 'app-linux-x64', 'app-windows-arm64.exe', 'app-windows-x64.exe',
  ]);
  expect(execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: o.outDir }).toString()).toMatch(/app-linux-x64: OK/);
  expect(readFileSync(run.sumsFile, 'utf8').trim().split('\n')).toHaveLength(6);
  for (const r of run.results) {
    expect(statSync(r.file).mode & 0o777).toBe(0o755);
    expect(statSync(r.file).size).toBe(r.size);
    const stub = readFileSync(path.join(o.stubsDir!, `pack-stub-${r.target}${r.target.startsWith('windows') ? '.exe' : ''}`));
    expect(readFileSync(r.file).subarray(0, stub.length).equals(stub)).toBe(true);
    const info = await inspectPack(r.file, { list: true });
    expect(info.manifest).toEqual(r.manifest);
    expect(info.verified).toBe(true);
    expect(info.manifest.command).toBe(r.target.startsWith('windows') ? 'bin/app.exe' : 'bin/app');
    expect(info.manifest.args).toEqual(['--flag', '{app}/x']);
    expect(info.manifest.version).toBe('v1.2.3');
    expect(info.manifest.created).toBe('2026-11-22T07:00:00Z');
    expect(info.manifest.windows).toEqual(r.target.startsWith('windows') ? { subsystem: 'console', detach: false } : undefined);
    expect(info.size % 8).toBe(0);
    expect(info.entries!.map((e) => e.path)).toEqual(['bin', 'bin/app', 'bin/app.exe', 'deep', `deep/${'n'.repeat(120)}`, `deep/${'n'.repeat(120)}/file`, 'share', 'share/data.txt']);
    expect(info.entries!.find((e) => e.path === 'bin/app')!.mode).toBe(0o755);
  }
});

test('targets sharing a tree share one compression; per-target trees get their own', async () => {
  const events: PackEvent[] = [];
  const shared = await packTargets(options({ targets: ['linux-x64', 'linux-arm64', 'windows-x64'], onEvent: (e) => events.push(e) }));
  expect(events.filter((e) => e.type === 'compressed')).toHaveLength(1);
  expect(new Set(shared.results.map((r) => r.manifest.payloadSha256)).size).toBe(1);

  const root = tmp('per-target-');
  for (const t of ['linux-x64', 'windows-x64']) tree({ 'bin/app': [`#!/bin/sh\necho ${t}\n`, 0o755], 'bin/app.exe': t }, path.join(root, t));
  const separate = await packTargets(options({ dir: path.join(root, '{target}'), targets: ['linux-x64', 'windows-x64'] }));
  expect(new Set(separate.results.map((r) => r.manifest.payloadSha256)).size).toBe(2);
});

test('reproducible: the same inputs and SOURCE_DATE_EPOCH give byte-identical packs', async () => {
  const dir = appTree();
  const saved = process.env.SOURCE_DATE_EPOCH;
  process.env.SOURCE_DATE_EPOCH = '1790000000';
  try {
    const a = await packTargets(options({ dir, created: undefined, targets: ['linux-x64', 'windows-x64'] }));
    // file times and the clock differ between builds; the packs must not
    utimesSync(path.join(dir, 'share/data.txt'), new Date(), new Date(2001, 1, 1));
    await new Promise((r) => setTimeout(r, 1100));
    const b = await packTargets(options({ dir, created: undefined, targets: ['linux-x64', 'windows-x64'] }));
    for (let i = 0; i < a.results.length; i++) {
      expect(readFileSync(a.results[i]!.file).equals(readFileSync(b.results[i]!.file))).toBe(true);
      expect(a.results[i]!.manifest.created).toBe('2026-09-21T14:13:20Z');
    }
    expect(readFileSync(a.sumsFile).equals(readFileSync(b.sumsFile))).toBe(true);
  } finally {
    if (saved === undefined) delete process.env.SOURCE_DATE_EPOCH;
    else process.env.SOURCE_DATE_EPOCH = saved;
  }
});

test('output names follow the template; a template that collides is refused before writing', async () => {
  const o = options({ targets: ['linux-x64', 'windows-x64'], outputName: '{id}_{version}_{os}_{arch}{exe}', version: '2.0.0' });
  await packTargets(o);
  expect(listDir(o.outDir)).toEqual(['SHA256SUMS', 'app_2.0.0_linux_x64', 'app_2.0.0_windows_x64.exe']);
  const bad = options({ targets: ['linux-x64', 'linux-arm64'], outputName: '{name}' });
  await expect(packTargets(bad)).rejects.toThrow(/gives app for both linux-x64 and linux-arm64; add \{target\}/);
  await expect(packTargets(options({ outputName: '{name}-{colour}' }))).rejects.toThrow(/unknown placeholder \{colour\}/);
  await expect(packTargets(options({ outputName: 'sub/{name}' }))).rejects.toThrow(/not a plain file name/);
  expect(existsSync(bad.outDir)).toBe(false);
});

test('the gui variant uses the GUI stub and records the subsystem', async () => {
  const o = options({ targets: ['windows-arm64', 'linux-x64'], windows: { subsystem: 'gui', detach: true } });
  const run = await packTargets(o);
  const win = run.results.find((r) => r.target === 'windows-arm64')!;
  const gui = 'FAKE-STUB windows-arm64 gui\n';
  expect(readFileSync(win.file).subarray(0, gui.length).toString()).toBe(gui);
  expect(win.manifest.windows).toEqual({ subsystem: 'gui', detach: true });
  expect(run.results.find((r) => r.target === 'linux-x64')!.manifest.windows).toBeUndefined();
});

test('case collisions are warned about for Windows and macOS targets only', async () => {
  const dir = tree({ 'bin/app': ['x', 0o755], 'bin/app.exe': 'x', README: 'a', readme: 'b' });
  const linux = await packTargets(options({ dir, targets: ['linux-x64'] }));
  expect(linux.warnings).toEqual([]);
  const both = await packTargets(options({ dir, targets: ['linux-x64', 'darwin-arm64', 'windows-x64'] }));
  expect(both.warnings).toHaveLength(1);
  expect(both.warnings[0]).toMatch(/README, readme differ only in case; on darwin-arm64, windows-x64/);
});

test('a failure leaves nothing of the run in the output directory', async () => {
  const stubs = fakeStubs();
  writeFileSync(path.join(stubs, 'pack-stub-windows-x64.exe'), 'tampered');
  const o = options({ targets: ['linux-x64', 'windows-x64'], stubsDir: stubs });
  await expect(packTargets(o)).rejects.toThrow(/stub for windows-x64: .* SHA256SUMS says/);
  expect(existsSync(o.outDir)).toBe(false);

  // An existing output directory keeps exactly what it had.
  const out = tmp('existing-');
  writeFileSync(path.join(out, 'app-linux-x64'), 'old pack');
  const controller = new AbortController();
  const aborting = options({
    outDir: out,
    targets: ['linux-x64', 'linux-arm64'],
    signal: controller.signal,
    onEvent: (e) => {
      if (e.type === 'write' && e.target === 'linux-arm64') controller.abort();
    },
  });
  await expect(packTargets(aborting)).rejects.toThrow(/abort/i);
  expect(listDir(out)).toEqual(['app-linux-x64']);
  expect(readFileSync(path.join(out, 'app-linux-x64'), 'utf8')).toBe('old pack');
});

test('bad options are refused with a line naming the option', async () => {
  await expect(packTargets(options({ id: 'a b' }))).rejects.toThrow(/invalid id "a b"/);
  await expect(packTargets(options({ version: '' }))).rejects.toThrow(/invalid version/);
  await expect(packTargets(options({ name: '../x' }))).rejects.toThrow(/invalid name/);
  await expect(packTargets(options({ env: ['PACK_ID=x'] }))).rejects.toThrow(/PACK_ variables/);
  await expect(packTargets(options({ level: 23 }))).rejects.toThrow(/invalid level 23/);
  await expect(packTargets(options({ targets: [] }))).rejects.toThrow(/no target/);
  await expect(packTargets(options({ targets: ['beos-x64' as never] }))).rejects.toThrow(/unknown target "beos-x64"/);
  await expect(packTargets(options({ stubsDir: path.join(tmp(), 'none') }))).rejects.toThrow(/stubs directory .* does not exist/);
});
