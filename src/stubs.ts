// Finds the stub for each target in a directory laid out as
// `npm run build:stubs` writes it, and checks every stub it hands out
// against that directory's SHA256SUMS.

import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PackError } from './errors.js';
import { exeSuffix, type Target } from './targets.js';

export type StubVariant = 'console' | 'gui';

export interface Stub {
  target: Target;
  variant: StubVariant;
  /** Absolute path of the stub file. */
  file: string;
  sha256: string;
  size: number;
}

/**
 * The stub's file name in a stubs directory: `pack-stub-<target>[-gui][.exe]`.
 * The same rule as scripts/build-stubs.mjs, which writes them.
 */
export function stubFileName(target: Target, variant: StubVariant = 'console'): string {
  return `pack-stub-${target}${variant === 'gui' ? '-gui' : ''}${exeSuffix(target)}`;
}

/** build/stubs of this checkout: lib/, src/ and dist/ all sit one level below the root. */
export function defaultStubsDir(): string {
  return path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'build', 'stubs');
}

/** Parses a `sha256sum` file into name -> lowercase hex digest. */
export function parseSums(text: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line.trimEnd());
    if (m) sums.set(m[2]!, m[1]!.toLowerCase());
  }
  return sums;
}

export async function sha256File(file: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

/**
 * Loads and verifies the stubs for the given targets and variants from
 * `dir`. Throws a PackError naming the target when a stub is missing or
 * does not match SHA256SUMS.
 */
export async function loadStubs(
  dir: string,
  wanted: readonly { target: Target; variant: StubVariant }[],
): Promise<Map<string, Stub>> {
  const sumsFile = path.join(dir, 'SHA256SUMS');
  let sums: Map<string, string>;
  try {
    sums = parseSums(await readFile(sumsFile, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (!existsSync(dir)) throw new PackError(`stubs directory ${dir} does not exist; ${stubsHint(dir)}`);
    throw new PackError(`cannot read ${sumsFile} (${code ?? (err as Error).message}); ${stubsHint(dir)}`);
  }
  const stubs = new Map<string, Stub>();
  for (const { target, variant } of wanted) {
    const key = stubKey(target, variant);
    if (stubs.has(key)) continue;
    const name = stubFileName(target, variant);
    const file = path.resolve(dir, name);
    const expected = sums.get(name);
    const what = `stub for ${target}${variant === 'gui' ? ' (gui)' : ''}`;
    if (!expected) throw new PackError(`${what}: ${name} is not listed in ${sumsFile}; ${stubsHint(dir)}`);
    let actual: { sha256: string; size: number };
    try {
      actual = await sha256File(file);
    } catch (err) {
      throw new PackError(`${what}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); ${stubsHint(dir)}`);
    }
    if (actual.sha256 !== expected) {
      throw new PackError(`${what}: ${file} has sha256 ${actual.sha256} but SHA256SUMS says ${expected}; the stub is damaged or replaced, ${stubsHint(dir)}`);
    }
    stubs.set(key, { target, variant, file, ...actual });
  }
  return stubs;
}

export function stubKey(target: Target, variant: StubVariant): string {
  return `${target}/${variant}`;
}

function stubsHint(dir: string): string {
  return path.resolve(dir) === path.resolve(defaultStubsDir())
    ? 'run `npm run build:stubs` to build them'
    : 'pass --stubs with a directory written by `npm run build:stubs`';
}
