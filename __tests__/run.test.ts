// Packs written by the TypeScript packer, run by the real Go stubs of
// build/stubs: natively, linux-arm64 through qemu-user, windows-x64 through
// wine. Run `npm run build:stubs` and scripts/setup-emulators.sh first.

import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inspectPack } from '../src/inspect.js';
import { packTargets, type PackResult } from '../src/pack.js';
import { planRun, smokePack } from '../src/smoke.js';
import { TARGETS, type Target } from '../src/targets.js';
import { buildHello, cli, realStubs, requireTool, ROOT, tmp, tree } from './helpers/packer.js';

const RUNNABLE: Target[] = ['linux-x64', 'linux-arm64', 'windows-x64'];
let packs: Map<Target, PackResult>;
let cache: string;

beforeAll(async () => {
  requireTool('go', 'golang-go');
  const stubs = realStubs();
  const hello = buildHello(TARGETS);
  const run = await packTargets({
    dir: path.join(hello, '{target}'),
    name: 'hello',
    command: 'hello{exe}',
    args: ['fixed'],
    env: ['HELLO_HOME={app}'],
    version: '1.0.0',
    targets: TARGETS,
    outDir: tmp('packs-'),
    stubsDir: stubs,
  });
  packs = new Map(run.results.map((r) => [r.target, r]));
  cache = tmp('cache-');
}, 300_000);

/** Checks what a target needs on this host, failing with what to install. */
function requireRunner(target: Target): void {
  if (target === 'linux-arm64') {
    requireTool('qemu-aarch64-static', 'qemu-user-static');
    if (!existsSync('/proc/sys/fs/binfmt_misc/qemu-aarch64')) {
      throw new Error('qemu-aarch64 is not registered with binfmt_misc (the stub execs the arm64 program); run scripts/setup-emulators.sh as root');
    }
  }
  if (target === 'windows-x64') {
    requireTool('wine', 'wine64');
    const prefix = process.env.WINEPREFIX ?? path.join(os.homedir(), '.wine');
    const version = spawnSync('wine', ['--version']).stdout.toString();
    if (/^wine-[0-8]\./.test(version) && !existsSync(path.join(prefix, 'drive_c/windows/system32/bcryptprimitives.dll'))) {
      throw new Error(`${version.trim()} lacks bcryptprimitives.dll, which Go programs need; run scripts/setup-emulators.sh`);
    }
  }
}

const env = (): NodeJS.ProcessEnv => ({ ...process.env, PACK_CACHE_DIR: cache });

/** Runs a pack the way a user would, without smoke. */
function direct(target: Target, args: string[], stdin: string) {
  const plan = planRun(target);
  if ('skip' in plan) throw new Error(`cannot run ${target} here: ${plan.skip}`);
  const file = packs.get(target)!.file;
  const [cmd, argv] = plan.runner.command ? [plan.runner.command, [file, ...args]] : [file, args];
  const r = spawnSync(cmd, argv, { input: stdin, env: { ...env(), ...plan.runner.env }, timeout: 180_000 });
  return { code: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

describe.each(RUNNABLE)('%s pack', (target) => {
  const args = ['one', 'two words', '--stdin', '--exit', '3'];

  test('runs under the Go stub with args, stdin and exit status intact', () => {
    requireRunner(target);
    const r = direct(target, args, 'from stdin');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(3);
    const os_ = target.split('-')[0];
    const arch = target.endsWith('x64') ? 'amd64' : 'arm64';
    expect(r.stdout.replace(/\r\n/g, '\n')).toBe(
      `Hello, packed world from ${os_}/${arch}\narg: fixed\narg: one\narg: two words\nstdin: from stdin\n`,
    );
  });

  test('smoke passes exit status, args and stdin through as a direct run does', async () => {
    requireRunner(target);
    const file = packs.get(target)!.file;
    const expected = direct(target, args, 'piped');
    const lib = await smokePack(file, { args, stdin: Buffer.from('piped'), expectExit: 3, env: env() });
    expect(lib).toMatchObject({ status: 'passed', exitCode: expected.code, stdout: expected.stdout });

    const saved = process.env.PACK_CACHE_DIR;
    process.env.PACK_CACHE_DIR = cache;
    try {
      const viaCli = await cli(['smoke', file, '--expect-exit', '3', '--expect-stdout', '^stdin: piped$', '--', ...args], 'piped');
      expect(viaCli.code).toBe(0);
      expect(viaCli.stdout.startsWith(expected.stdout)).toBe(true); // the program's output, then the table
      expect(viaCli.stdout).toMatch(new RegExp(`${target}\\s+\\S+\\s+3\\s+passed`));
      const failing = await cli(['smoke', file, '--json', '--', ...args], 'piped');
      expect(failing.code).toBe(3);
      const failed = JSON.parse(failing.stdout)[0];
      expect(failed).toMatchObject({ status: 'failed', exitCode: 3 });
      expect(failed.reason).toMatch(/^exited 3, expected 0/);
    } finally {
      if (saved === undefined) delete process.env.PACK_CACHE_DIR;
      else process.env.PACK_CACHE_DIR = saved;
    }
  });
});

test('inspect reads every target\'s pack written with the real stubs', async () => {
  const kinds: Record<string, string> = { linux: 'ELF', darwin: 'Mach-O', windows: 'PE' };
  for (const target of TARGETS) {
    const r = packs.get(target)!;
    const info = await inspectPack(r.file, { list: true });
    expect(info.manifest).toEqual(r.manifest);
    expect(info.stub.kind).toBe(kinds[target.split('-')[0]!]);
    expect(info.verified).toBe(true);
    expect(info.entries!.map((e) => e.path)).toEqual([`hello${target.startsWith('windows') ? '.exe' : ''}`, 'share', 'share/greeting.txt']);
  }
});

test('smoke says which packs it skips here and why', async () => {
  for (const target of ['darwin-x64', 'darwin-arm64', 'windows-arm64'] as const) {
    const r = await smokePack(packs.get(target)!.file);
    expect(r.status).toBe('skipped');
    expect(r.reason).toMatch(/macOS|arm64 Windows/);
  }
});

test('the Go stub extracts a TypeScript-written tree exactly: modes, symlinks, long names, empty dirs', async () => {
  const dir = tree({
    'bin/tool': ['#!/bin/sh\necho tool\n', 0o755],
    'lib/libx.so.1': 'library',
    [`deep/${'d'.repeat(150)}/${'f'.repeat(150)}`]: 'a long path',
    'private.txt': ['secret', 0o600],
  });
  symlinkSync('libx.so.1', path.join(dir, 'lib/libx.so'));
  symlinkSync('../lib', path.join(dir, 'bin/lib'));
  mkdirSync(path.join(dir, 'empty'));
  const run = await packTargets({ dir, name: 'tree', command: 'bin/tool', targets: ['linux-x64'], outDir: tmp('out-'), stubsDir: realStubs() });
  const into = path.join(tmp('extract-'), 'x');
  const r = spawnSync(run.results[0]!.file, [], { env: { ...env(), PACK_STUB: `extract:${into}` } });
  expect(r.stderr.toString()).toBe('');
  expect(r.status).toBe(0);
  expect(readFileSync(path.join(into, 'bin/tool'), 'utf8')).toBe('#!/bin/sh\necho tool\n');
  expect(lstatSync(path.join(into, 'bin/tool')).mode & 0o111).toBe(0o111);
  expect(readlinkSync(path.join(into, 'lib/libx.so'))).toBe('libx.so.1');
  expect(readlinkSync(path.join(into, 'bin/lib'))).toBe('../lib');
  expect(readFileSync(path.join(into, `deep/${'d'.repeat(150)}/${'f'.repeat(150)}`), 'utf8')).toBe('a long path');
  expect(lstatSync(path.join(into, 'empty')).isDirectory()).toBe(true);
  expect(readFileSync(path.join(into, 'private.txt'), 'utf8')).toBe('secret');
  const ran = spawnSync(run.results[0]!.file, [], { env: env() });
  expect(ran.stdout.toString()).toBe('tool\n');
});

test('examples/node-app: a Node.js program packed with the host node binary runs where no node is installed', async () => {
  const dir = tmp('node-app-');
  mkdirSync(path.join(dir, 'bin'));
  copyFileSync(process.execPath, path.join(dir, 'bin', 'node'));
  chmodSync(path.join(dir, 'bin', 'node'), 0o755);
  cpSync(path.join(ROOT, 'examples', 'node-app', 'app'), path.join(dir, 'app'), { recursive: true });
  const run = await packTargets({
    dir,
    name: 'node-app',
    command: 'bin/node',
    args: ['{app}/app/main.js'],
    env: ['APP_DATA={data}'],
    targets: ['linux-x64'],
    outDir: tmp('out-'),
    stubsDir: realStubs(),
    level: 1,
  });
  const r = spawnSync(run.results[0]!.file, ['x', 'y'], { env: { PATH: '/nonexistent', PACK_CACHE_DIR: cache, NODE_APP_EXIT: '4' } });
  expect(r.stderr.toString()).toBe('');
  expect(r.status).toBe(4);
  expect(r.stdout.toString()).toBe(
    `node-app 1.0.0 on node ${process.version} (linux-x64)\nargs: ["x","y"]\ndata dir: ${path.join(cache, 'node-app', 'data')}\n`,
  );
});
