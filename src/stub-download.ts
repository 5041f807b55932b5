// Stubs for the action: downloaded with @actions/tool-cache from the stub-url
// template, checked against the checksums that ship inside dist/
// (dist/stub-checksums.json, written by scripts/bundle.mjs from
// build/stubs/SHA256SUMS), and cached in the runner's tool cache. The result
// is a stubs directory with its own SHA256SUMS, as the packer's loadStubs
// expects, so the packer checks every stub once more before using it.
//
// Trust: the checksums are part of the action's code at the tag a workflow
// uses, so a release asset replaced later (or a mirror serving other bytes)
// is refused. The release workflow rebuilds the stubs reproducibly and fails
// when they differ from the committed checksums (see docs/action.md).

import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tc from '@actions/tool-cache';
import { sha256File, stubFileName, type StubVariant } from './stubs.js';
import { exeSuffix, type Target } from './targets.js';

export interface StubChecksums {
  /** The stub version these checksums belong to (the action's version). */
  version: string;
  /** Stub file name (pack-stub-linux-x64, pack-stub-windows-x64-gui.exe, ...) to lowercase hex SHA-256. */
  files: Record<string, string>;
}

/** The tool-cache name stubs are cached under; the "arch" slot holds the target (and variant). */
const TOOL = 'pack-action-stub';

export class StubDownloadError extends Error {
  override name = 'StubDownloadError';
}

/** Reads dist/stub-checksums.json (next to the bundle). */
export async function loadStubChecksums(file: string): Promise<StubChecksums> {
  let parsed: StubChecksums;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8')) as StubChecksums;
  } catch (err) {
    throw new StubDownloadError(
      `cannot read the stub checksums shipped with this action (${file}: ${(err as Error).message}); use input 'stub-dir' with local stubs`,
    );
  }
  if (typeof parsed.version !== 'string' || typeof parsed.files !== 'object' || parsed.files === null) {
    throw new StubDownloadError(`${file} is not a stub checksum file ({"version", "files"})`);
  }
  return parsed;
}

/** Expands {version}, {target}, {exe} and {file} in a stub URL template. */
export function stubUrl(template: string, version: string, target: Target, variant: StubVariant): string {
  const values: Record<string, string> = {
    version,
    target: variant === 'gui' ? `${target}-gui` : target,
    exe: exeSuffix(target),
    file: stubFileName(target, variant),
  };
  return template.replace(/\{(version|target|exe|file)\}/g, (_m, key: string) => values[key]!);
}

export interface DownloadOptions {
  version: string;
  urlTemplate: string;
  wanted: readonly { target: Target; variant: StubVariant }[];
  checksums: StubChecksums;
  log: (message: string) => void;
}

/** Fetches (or finds in the tool cache) every wanted stub; returns a stubs directory with a SHA256SUMS. */
export async function downloadStubs(options: DownloadOptions): Promise<string> {
  const { version, checksums } = options;
  if (version !== checksums.version) {
    throw new StubDownloadError(
      `input 'stub-version' is ${version}, but this action carries checksums for stub version ${checksums.version} only; ` +
        `use stub-version ${checksums.version} (the default), or input 'stub-dir' with stubs you built`,
    );
  }
  const dir = await mkdtemp(path.join(process.env.RUNNER_TEMP || tmpdir(), 'pack-action-stubs-'));
  const sums: string[] = [];
  for (const { target, variant } of options.wanted) {
    const file = stubFileName(target, variant);
    if (sums.some((line) => line.endsWith(`  ${file}`))) continue;
    const what = `stub for ${target}${variant === 'gui' ? ' (gui)' : ''}`;
    const expected = checksums.files[file];
    if (!expected) throw new StubDownloadError(`${what}: ${file} has no checksum in this action's stub-checksums.json`);
    const slot = variant === 'gui' ? `${target}-gui` : target;
    let source: string | undefined;
    const cached = tc.find(TOOL, version, slot);
    if (cached) {
      const candidate = path.join(cached, file);
      const actual = await sha256File(candidate).catch(() => undefined);
      if (actual?.sha256 === expected) {
        options.log(`${what}: from the tool cache (${candidate})`);
        source = candidate;
      } else {
        options.log(`${what}: the tool cache copy does not match its checksum; downloading again`);
      }
    }
    if (source === undefined) {
      const url = stubUrl(options.urlTemplate, version, target, variant);
      let downloaded: string;
      try {
        downloaded = await tc.downloadTool(url);
      } catch (err) {
        throw new StubDownloadError(`${what}: download of ${url} failed (${(err as Error).message}); check inputs 'stub-url' and 'stub-version'`);
      }
      const actual = await sha256File(downloaded);
      if (actual.sha256 !== expected) {
        throw new StubDownloadError(
          `${what}: ${url} has sha256 ${actual.sha256}, but this action expects ${expected}; refusing a damaged or replaced stub`,
        );
      }
      const stage = await mkdtemp(path.join(process.env.RUNNER_TEMP || tmpdir(), 'pack-action-stub-'));
      await copyFile(downloaded, path.join(stage, file));
      const cachedDir = await tc.cacheDir(stage, TOOL, version, slot);
      source = path.join(cachedDir, file);
      options.log(`${what}: downloaded ${url} (${actual.size} bytes, sha256 ${actual.sha256})`);
    }
    await copyFile(source, path.join(dir, file));
    sums.push(`${expected}  ${file}`);
  }
  await writeFile(path.join(dir, 'SHA256SUMS'), sums.join('\n') + '\n');
  return dir;
}
