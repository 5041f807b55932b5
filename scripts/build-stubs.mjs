#!/usr/bin/env node
// Cross-compiles the stub for every target into build/stubs/ with a
// SHA256SUMS, reproducibly: the same sources and Go version give the same
// bytes (-trimpath, no build id, no VCS stamp, no cgo).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Absolute: go build runs in stub/, where a relative path would land.
const out = resolve(process.env.PACK_STUBS_OUT ?? join(root, 'build', 'stubs'));
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
const maxSize = 2 * 1024 * 1024;

// [target, GOOS, GOARCH, variant]; Windows also gets a GUI-subsystem stub.
const builds = [
  ['linux-x64', 'linux', 'amd64', ''],
  ['linux-arm64', 'linux', 'arm64', ''],
  ['darwin-x64', 'darwin', 'amd64', ''],
  ['darwin-arm64', 'darwin', 'arm64', ''],
  ['windows-x64', 'windows', 'amd64', ''],
  ['windows-arm64', 'windows', 'arm64', ''],
  ['windows-x64', 'windows', 'amd64', 'gui'],
  ['windows-arm64', 'windows', 'arm64', 'gui'],
];

// Packages compiled without inlining: the stub's own code and the standard
// library's file, path and text code under it, which extraction calls once
// per file or less. 22 KB less on windows-x64, and extraction of bench trees
// (b) and (c) measured the same; the zstd decoder and sha256, where the time
// goes, keep theirs. GOAMD64 is v1 (and pinned, as the
// environment could change the bytes): a pack must start on any x86-64 CPU.
const NO_INLINE = ['os', 'syscall', 'time', 'strconv', 'path/filepath', 'strings', 'internal/poll', 'io/fs', 'internal/syscall/windows'];

/** go build's flags for a stub (or, for bench/, a program standing in for one), but -ldflags and -o. */
export function goBuildArgs(mainPackage = 'github.com/pack-action/pack-action/stub') {
  return ['-trimpath', '-buildvcs=false', ...[mainPackage, ...NO_INLINE].map((p) => `-gcflags=${p}=-l`)];
}

/** The environment go build runs in, but GOOS and GOARCH. */
export const GO_BUILD_ENV = { CGO_ENABLED: '0', GOAMD64: 'v1', GOARM64: 'v8.0', GOFLAGS: '-mod=readonly' };

export function stubFileName(target, variant = '') {
  const exe = target.startsWith('windows-') ? '.exe' : '';
  return `pack-stub-${target}${variant ? `-${variant}` : ''}${exe}`;
}

function build() {
  rmSync(out, { recursive: true, force: true });
  const tmp = `${out}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const sums = [];
  for (const [target, goos, goarch, variant] of builds) {
    const file = stubFileName(target, variant);
    let ldflags = `-s -w -buildid= -X main.stubVersion=${version}`;
    if (variant === 'gui') ldflags += ' -H=windowsgui';
    execFileSync('go', ['build', ...goBuildArgs(), `-ldflags=${ldflags}`, '-o', join(tmp, file), '.'], {
      cwd: join(root, 'stub'),
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, ...GO_BUILD_ENV, GOOS: goos, GOARCH: goarch },
    });
    const bytes = readFileSync(join(tmp, file));
    if (bytes.length > maxSize) {
      throw new Error(`${file} is ${bytes.length} bytes, over the 2.0 MiB budget; trim the stub's dependencies`);
    }
    sums.push(`${createHash('sha256').update(bytes).digest('hex')}  ${file}`);
    console.log(`${file.padEnd(36)} ${(statSync(join(tmp, file)).size / 1024).toFixed(0).padStart(6)} KiB`);
  }
  writeFileSync(join(tmp, 'SHA256SUMS'), sums.join('\n') + '\n');
  renameSync(tmp, out);
  console.log(`stubs written to ${out}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    build();
  } catch (err) {
    console.error(`build:stubs: ${err.message}`);
    process.exit(1);
  }
}
