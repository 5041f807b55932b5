// Builds bench/gofloor/main.go, the reference for the Go runtime's share of a
// warm start, with what the stub is built with: the same go toolchain, the
// `go`/`toolchain`/`godebug` lines of stub/go.mod (they set the runtime's
// GODEBUG defaults), the stub's `//go:debug` directives, and the flags of
// scripts/build-stubs.mjs. A floor built any other way would not be the stub's floor.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GO_BUILD_ENV, goBuildArgs } from '../../scripts/build-stubs.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const SOURCE = join(here, '..', 'gofloor', 'main.go');

/**
 * The floor module's go.mod and main.go from the stub's go.mod and its package main sources
 * ([{ name, text }]): go version, toolchain and godebug settings carried over, no requirements.
 */
export function goFloorModule(stubGoMod, stubSources, floorSource) {
  const keep = [];
  const lines = stubGoMod.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (/^(go|toolchain)\s+\S+\s*$/.test(l) || /^godebug\s+[^(]/.test(l)) keep.push(l.trim());
    else if (/^godebug\s*\(\s*$/.test(l)) {
      const block = [l.trim()];
      while (i + 1 < lines.length && !/^\)\s*$/.test(lines[i])) block.push(lines[++i].trimEnd());
      keep.push(block.join('\n'));
    }
  }
  if (!keep.some((l) => l.startsWith('go '))) throw new Error('stub/go.mod has no "go" line to build the Go floor with');
  const debug = new Set();
  for (const { name, text } of stubSources) {
    if (name.endsWith('_test.go') || !/^package main\b/m.test(text)) continue;
    for (const m of text.matchAll(/^\/\/go:debug\s+\S+.*$/gm)) debug.add(m[0].trim());
  }
  return {
    goMod: ['module gofloor', '', ...keep, ''].join('\n'),
    main: (debug.size ? [...debug].join('\n') + '\n' : '') + floorSource,
  };
}

/** The stub's own go build flags and environment (scripts/build-stubs.mjs), for the host. */
export const FLOOR_BUILD = {
  args: [...goBuildArgs('gofloor'), '-ldflags=-s -w -buildid='],
  env: GO_BUILD_ENV,
};

/** Builds the floor program into workDir/bin/go-floor from the stub at stubDir; returns its path. */
export function buildGoFloor(workDir, stubDir) {
  const sources = readdirSync(stubDir).filter((f) => f.endsWith('.go')).map((name) => ({ name, text: readFileSync(join(stubDir, name), 'utf8') }));
  const mod = goFloorModule(readFileSync(join(stubDir, 'go.mod'), 'utf8'), sources, readFileSync(SOURCE, 'utf8'));
  const src = join(workDir, 'gofloor');
  rmSync(src, { recursive: true, force: true });
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, 'go.mod'), mod.goMod);
  writeFileSync(join(src, 'main.go'), mod.main);
  const out = join(workDir, 'bin', 'go-floor');
  mkdirSync(dirname(out), { recursive: true });
  const r = spawnSync('go', ['build', ...FLOOR_BUILD.args, '-o', out, '.'], {
    cwd: src,
    encoding: 'utf8',
    env: { ...process.env, ...FLOOR_BUILD.env },
  });
  if (r.status !== 0) {
    const why = r.error?.code === 'ENOENT' ? 'no `go` on PATH: install the Go toolchain that stub/go.mod names' : r.error ? r.error.message : r.stderr.trim().split('\n').slice(-3).join(' ');
    throw new Error(`building the Go floor (bench/gofloor/main.go) in ${src} failed: ${why}`);
  }
  return out;
}
