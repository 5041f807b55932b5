import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { cli, fakeStubs, listDir, ROOT, tmp, tree } from './helpers/packer.js';


function goodTree(): string {
  return tree({ 'bin/app': ['#!/bin/sh\necho hi\n', 0o755], 'bin/app.exe': 'MZ' });
}

/** Runs `pack` with a bad input and checks the contract: one line, exit 1, nothing in --out. */
async function refuses(extra: string[], dir: string, pattern: RegExp, stubs = fakeStubs()): Promise<void> {
  const out = path.join(tmp('out-'), 'out');
  const run = await cli(['pack', dir, '--name', 'app', '--command', 'bin/app', '--out', out, '--stubs', stubs, ...extra]);
  expect(run.stderr).toMatch(pattern);
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(/^pack-action: /);
  expect(run.code).toBe(1);
  expect(listDir(out)).toEqual([]);
}

describe('every bad input gets one clear line, exit 1 and nothing in --out', () => {
  test('missing directory', () => refuses([], path.join(tmp(), 'missing'), /directory .*missing does not exist/));
  test('command missing', () => refuses(['--command', 'bin/nope'], goodTree(), /--command "bin\/nope" is not in the tree/));
  test('command not executable', () =>
    refuses([], tree({ 'bin/app': 'not executable' }), /--command "bin\/app" .* is not executable; chmod \+x/));
  test('a symlink escaping the tree', () => {
    const dir = goodTree();
    symlinkSync('../../etc/passwd', path.join(dir, 'bin', 'passwd'));
    return refuses([], dir, /symlink .*passwd -> \.\.\/\.\.\/etc\/passwd points outside the tree/);
  });
  test('unknown target', () => refuses(['--target', 'linux-x64,solaris-sparc'], goodTree(), /--target: unknown target "solaris-sparc"/));
  test('invalid id', () => refuses(['--id', 'my app'], goodTree(), /invalid id "my app"/));
  test('invalid version', () => refuses(['--version', '1.0/evil'], goodTree(), /invalid version "1.0\/evil"/));
  test('invalid level', () => refuses(['--level', 'fast'], goodTree(), /--level "fast": use a whole number from 1 to 22, or max/));
  test('bad env entry', () => refuses(['--env', 'NOEQUALS'], goodTree(), /invalid env entry "NOEQUALS"/));
  test('a stub with the wrong checksum', () => {
    const stubs = fakeStubs();
    writeFileSync(path.join(stubs, 'pack-stub-linux-arm64'), 'evil');
    return refuses(['--target', 'linux-x64,linux-arm64'], goodTree(), /stub for linux-arm64: .* has sha256 [0-9a-f]{64} but SHA256SUMS says/, stubs);
  });
  test('a missing stub', () => {
    const stubs = fakeStubs();
    writeFileSync(path.join(stubs, 'SHA256SUMS'), '');
    return refuses(['--target', 'darwin-arm64'], goodTree(), /stub for darwin-arm64: pack-stub-darwin-arm64 is not listed/, stubs);
  });
  test('an output path that is a file', () => {
    const file = path.join(tmp(), 'file');
    writeFileSync(file, 'x');
    return refuses(['--out', path.join(file, 'out')], goodTree(), /cannot create output directory .* \(ENOTDIR\); choose another --out/);
  });
});

describe('the command line', () => {
  test('--help and --version exit 0 and document the exit codes', async () => {
    const help = await cli(['pack', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--command <path>/);
    expect(help.stdout).toMatch(/Exit codes:\n\s+0\s+success/);
    for (const cmd of ['inspect', 'smoke']) expect((await cli([cmd, '--help'])).stdout).toMatch(/Exit codes/);
    expect((await cli(['--version'])).stdout.trim()).toBe('0.1.0');
  });

  test('with --json an error is also a JSON object on stdout', async () => {
    const out = path.join(tmp(), 'out');
    const run = await cli(['pack', path.join(tmp(), 'missing'), '--name', 'app', '--command', 'bin/app', '--out', out, '--stubs', fakeStubs(), '--json']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual({ ok: false, error: expect.stringMatching(/missing does not exist/) });
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  test('smoke on a file that is not a pack fails it, saying why', async () => {
    const file = path.join(tmp(), 'not-a-pack');
    writeFileSync(file, 'hello');
    const run = await cli(['smoke', file, '--json']);
    expect(run.code).toBe(3);
    expect(JSON.parse(run.stdout)).toEqual([{ file, status: 'failed', reason: expect.stringMatching(/not a pack or damaged/) }]);
  });

  test('a wrong command line exits 2', async () => {
    expect((await cli(['pack', goodTree(), '--name', 'x', '--command', 'bin/app', '--frobnicate'])).code).toBe(2);
    expect((await cli(['pack', goodTree()])).stderr).toMatch(/required option '--name <name>'/);
    expect((await cli(['unpack'])).code).toBe(2);
  });

  test('pack --json prints the packs; the table otherwise', async () => {
    const out = path.join(tmp(), 'out');
    const args = ['pack', goodTree(), '--name', 'app', '--command', 'bin/app{exe}', '--target', 'linux-x64,windows-x64', '--out', out, '--stubs', fakeStubs()];
    const json = await cli([...args, '--json']);
    expect(json.code).toBe(0);
    const result = JSON.parse(json.stdout);
    expect(result.ok).toBe(true);
    expect(result.packs.map((p: { target: string }) => p.target)).toEqual(['linux-x64', 'windows-x64']);
    expect(result.packs[1].manifest.command).toBe('bin/app.exe');
    const plain = await cli(args);
    expect(plain.stdout).toMatch(/^target\s+file\s+size\s+sha256\s+smoke\n/);
    expect(plain.stdout).toMatch(/windows-x64\s+\S+app-windows-x64\.exe\s+\d+ B\s+[0-9a-f]{16}\s+-/);
    expect(plain.stderr).toMatch(/compressing .* for linux-x64, windows-x64\n/); // plain lines when not a terminal
  });

  test('inspect shows the layout, lists entries, and refuses a non-pack in one line', async () => {
    const out = path.join(tmp(), 'out');
    await cli(['pack', goodTree(), '--name', 'app', '--command', 'bin/app', '--out', out, '--stubs', fakeStubs(), '--target', 'linux-arm64']);
    const shown = await cli(['inspect', '--list', path.join(out, 'app-linux-arm64')]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/pack for linux-arm64/);
    expect(shown.stdout).toMatch(/0755 +\d+ bin\/app\n/);
    const json = JSON.parse((await cli(['inspect', '--json', '--verify', path.join(out, 'app-linux-arm64')])).stdout);
    expect(json.verified).toBe(true);
    expect(json.layout.payloadOffset).toBe(json.stub.size);
    const bad = await cli(['inspect', path.join(out, 'SHA256SUMS')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/not a pack or damaged \(no pack trailer found\)/);
  });
});

describe('bin/pack-action.js', () => {
  const lib = path.join(ROOT, 'lib', 'cli.js');
  beforeAll(() => {
    // what `npm run build:cli` does
    buildSync({ entryPoints: [path.join(ROOT, 'src', 'cli.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node24', packages: 'external', outfile: lib, logLevel: 'warning' });
  });

  test('runs the bundled CLI on Node 24', () => {
    const run = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'pack-action.js'), '--version']);
    expect(run.stdout.toString().trim()).toBe('0.1.0');
    expect(run.status).toBe(0);
  });

  test('a reader that closes the pipe early ends the output quietly, not with an EPIPE stack trace', () => {
    const bin = path.join(ROOT, 'bin', 'pack-action.js');
    // true exits long before Node has started and written
    const run = spawnSync('bash', ['-c', '"$0" "$1" --help | true; echo "status ${PIPESTATUS[0]}"', process.execPath, bin]);
    expect(run.stderr.toString()).toBe('');
    expect(run.stdout.toString().trim()).toBe('status 0');
  });

  test('a tree with more files than the open-file limit packs, one descriptor at a time', () => {
    // archiver opens a stream source as soon as it is appended: appending a
    // whole tree at once failed with EMFILE on a 20,000-file node_modules.
    const files: Record<string, string | [string, number]> = { 'bin/run': ['#!/bin/sh\necho ok\n', 0o755] };
    for (let i = 0; i < 1500; i++) files[`m/${i % 40}/f${i}.js`] = 'x'.repeat(i % 700);
    files['big.bin'] = 'y'.repeat(600 * 1024); // over the small-file threshold: streamed
    const dir = tree(files);
    const out = tmp('out-');
    const bin = path.join(ROOT, 'bin', 'pack-action.js');
    const run = spawnSync('bash', ['-c', `ulimit -n 200 && exec "$0" "$@"`, process.execPath, bin, 'pack', dir,
      '--name', 'many', '--command', 'bin/run', '--target', 'linux-x64', '--out', out, '--stubs', fakeStubs()]);
    expect(run.stderr.toString()).not.toMatch(/^pack-action:/m); // progress lines only, no error
    expect(run.status).toBe(0);
    expect(listDir(out)).toEqual(['SHA256SUMS', 'many-linux-x64']);
  });

  test('memory stays flat: a 2 GiB file packs in a fraction of its size', () => {
    const dir = tree({ 'bin/run': ['#!/bin/sh\n', 0o755], blob: '' });
    const measure = (size: number): number => {
      truncateSync(path.join(dir, 'blob'), size);
      writeFileSync(path.join(dir, 'blob'), 'x', { flag: 'r+' }); // not all zeros
      const out = path.join(tmp('mem-'), 'out');
      const script = `import { main } from ${JSON.stringify(lib)};
        const code = await main(process.argv.slice(1), { stdout: process.stdout, stderr: process.stderr });
        console.error('maxrss ' + process.resourceUsage().maxRSS);
        process.exitCode = code;`;
      const run = spawnSync(process.execPath, ['--input-type=module', '-e', script, 'pack', dir, '--name', 'big', '--command', 'bin/run', '--out', out, '--stubs', fakeStubs(), '--level', '3', '--json']);
      expect(run.status).toBe(0);
      return Number(/maxrss (\d+)/.exec(run.stderr.toString())![1]) * 1024;
    };
    // 64 MiB: enough 8 MiB frames to fill the pipeline, so that the baseline is the steady state (16 MiB
    // peaked at 100 MB, 64 MiB at 150 MB, 256 MiB and 2 GiB at 175 MB).
    const small = measure(64 * 2 ** 20);
    const large = measure(2 * 2 ** 30);
    // Peak memory follows buffers and the zstd contexts, not the data: 32x the data, well under 2x the memory.
    expect(large).toBeLessThan(small * 2);
    expect(large).toBeLessThan(512 * 2 ** 20);
  });

  test('an unwritable output directory is one line, exit 1, nothing written', () => {
    const base = tmp('unwritable-');
    chmodSync(base, 0o755);
    const dir = tree({ 'bin/app': ['#!/bin/sh\n', 0o755] }, path.join(base, 'tree'));
    mkdirSync(path.join(base, 'stubs'));
    const stubs = fakeStubs(path.join(base, 'stubs'));
    const out = path.join(base, 'out');
    mkdirSync(out, { mode: 0o555 });
    chmodSync(out, 0o555);
    for (const d of [dir, path.join(dir, 'bin'), stubs]) chmodSync(d, 0o755);
    // root may write anywhere: drop to nobody when running as root
    const asUser = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
    const argv = [...asUser, process.execPath, path.join(ROOT, 'bin', 'pack-action.js'), 'pack', dir, '--name', 'app', '--command', 'bin/app', '--out', out, '--stubs', stubs];
    const run = spawnSync(argv[0]!, argv.slice(1));
    const stderr = run.stderr.toString();
    expect(stderr).toMatch(/^pack-action: writing the payload into .*out: EACCES .*the output directory is not writable, choose another --out\n$/);
    expect(run.status).toBe(1);
    expect(listDir(out)).toEqual([]);
  });
});

test('packs from the TypeScript packer pass sha256sum -c', async () => {
  const out = path.join(tmp(), 'out');
  await cli(['pack', goodTree(), '--name', 'app', '--command', 'bin/app{exe}', '--out', out, '--stubs', fakeStubs(), '--target', 'all']);
  expect(existsSync(path.join(out, 'SHA256SUMS'))).toBe(true);
  execFileSync('sha256sum', ['--quiet', '-c', 'SHA256SUMS'], { cwd: out });
});
