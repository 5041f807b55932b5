// Shared fixtures for the packer tests: temporary trees, stub directories
// (fake ones for format tests, the real build/stubs for runs) and an
// in-process CLI runner.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync, copyFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli.js';
import { stubFileName } from '../../src/stubs.js';
import { TARGETS, exeSuffix, type Target } from '../../src/targets.js';
import { tmp } from './tmp.js';

export const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export { tmp } from './tmp.js';

/** Writes files: name -> content (string) or [content, mode]. */
export function tree(files: Record<string, string | [string, number]>, dir = tmp('tree-')): string {
  for (const [name, spec] of Object.entries(files)) {
    const [content, mode] = typeof spec === 'string' ? [spec, 0o644] : spec;
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content, { mode });
  }
  return dir;
}

/** Small fake stubs for every target and variant, with a SHA256SUMS, as build/stubs is laid out. */
export function fakeStubs(dir = tmp('stubs-')): string {
  const lines: string[] = [];
  for (const target of TARGETS) {
    for (const variant of target.startsWith('windows-') ? (['console', 'gui'] as const) : (['console'] as const)) {
      const name = stubFileName(target, variant);
      const bytes = Buffer.from(`FAKE-STUB ${target} ${variant}\n`);
      writeFileSync(path.join(dir, name), bytes, { mode: 0o755 });
      lines.push(`${createHash('sha256').update(bytes).digest('hex')}  ${name}`);
    }
  }
  writeFileSync(path.join(dir, 'SHA256SUMS'), lines.join('\n') + '\n');
  return dir;
}

/** build/stubs of this checkout; the tests that run packs need it. */
export function realStubs(): string {
  const dir = path.join(ROOT, 'build', 'stubs');
  if (!existsSync(path.join(dir, 'SHA256SUMS'))) {
    throw new Error(`${dir} has no stubs; run \`npm run build:stubs\` before these tests`);
  }
  return dir;
}

/** Builds examples/hello for the targets into <dir>/<target>/ (hello[.exe] + share/greeting.txt). */
export function buildHello(targets: readonly Target[], dir = tmp('hello-')): string {
  const goarch = { x64: 'amd64', arm64: 'arm64' } as const;
  for (const target of targets) {
    const [os_, arch] = target.split('-') as [string, 'x64' | 'arm64'];
    const out = path.join(dir, target);
    mkdirSync(path.join(out, 'share'), { recursive: true });
    copyFileSync(path.join(ROOT, 'examples', 'hello', 'greeting.txt'), path.join(out, 'share', 'greeting.txt'));
    execFileSync('go', ['build', '-trimpath', '-o', path.join(out, `hello${exeSuffix(target)}`), '.'], {
      cwd: path.join(ROOT, 'examples', 'hello'),
      env: { ...process.env, CGO_ENABLED: '0', GOOS: os_, GOARCH: goarch[arch] },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  return dir;
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with captured output. */
export async function cli(argv: string[], stdin?: string | Buffer): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await main(argv, {
    stdout,
    stderr,
    stdin: stdin === undefined ? undefined : Readable.from([Buffer.from(stdin)]),
  });
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

export function listDir(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

/** Fails, naming the Debian package, when a tool a test needs is missing. */
export function requireTool(name: string, debianPackage: string): void {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
  } catch {
    throw new Error(`${name} is not installed; apt-get install ${debianPackage}`);
  }
}
