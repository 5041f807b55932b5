// The matrix flow's hand-over between jobs. A `mode: pack` job writes its
// packs and their SHA256SUMS into one tar (`<name>-<targets>.packs.tar`):
// a tar keeps the executable bit, which zipped workflow artifacts drop, and a
// single file can be uploaded with actions/upload-artifact `archive: false`.
// The `mode: publish` job finds those tars (and loose packs listed in a
// SHA256SUMS) under its `path`, checks every pack against the sums, and merges
// them into one SHA256SUMS for the release.

import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import * as tc from '@actions/tool-cache';
import { TarArchive } from 'archiver';
import { inspectPack } from './inspect.js';
import { parseSums, sha256File } from './stubs.js';
import { TARGETS, type Target } from './targets.js';

export interface PackFile {
  target: Target;
  /** File name, as in SHA256SUMS and the release. */
  name: string;
  /** Absolute path. */
  file: string;
  size: number;
  sha256: string;
}

export class ArtifactError extends Error {
  override name = 'ArtifactError';
}

export const TAR_SUFFIX = '.packs.tar';

export function artifactTarName(name: string, targets: readonly Target[]): string {
  return `${name}-${targets.join('_')}${TAR_SUFFIX}`;
}

/** Writes the packs and their SHA256SUMS into one tar, modes kept (0755 packs). */
export async function writeArtifactTar(packs: readonly PackFile[], sumsFile: string, tarFile: string): Promise<void> {
  const tmp = `${tarFile}.tmp-${process.pid}`;
  try {
    const out = createWriteStream(tmp);
    const archive = new TarArchive();
    archive.pipe(out);
    const date = new Date(0);
    for (const p of packs) archive.file(p.file, { name: p.name, mode: 0o755, date });
    archive.file(sumsFile, { name: 'SHA256SUMS', mode: 0o644, date });
    await archive.finalize();
    await finished(out);
    await rename(tmp, tarFile);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** SHA256SUMS text in the `sha256sum` format, sorted by name. */
export function sumsText(packs: readonly PackFile[]): string {
  return [...packs]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((p) => `${p.sha256}  ${p.name}\n`)
    .join('');
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

/**
 * Collects every pack under `dir` (tars from `mode: pack` jobs, or packs next
 * to a SHA256SUMS), each checked against its job's SHA256SUMS; tars are
 * extracted below `workDir`. Throws naming the file on any mismatch.
 */
export async function collectPacks(dir: string, workDir: string, log: (m: string) => void): Promise<PackFile[]> {
  const isDir = await stat(dir).then((s) => s.isDirectory(), () => false);
  if (!isDir) throw new ArtifactError(`input 'path': ${dir} is not a directory; download the pack artifacts there first (actions/download-artifact)`);
  const sumsFiles: string[] = [];
  for (const file of (await listFiles(dir)).sort()) {
    if (file.endsWith(TAR_SUFFIX)) {
      await mkdir(workDir, { recursive: true });
      const dest = await mkdtemp(path.join(workDir, 'artifact-'));
      await tc.extractTar(file, dest, 'x');
      log(`extracted ${path.relative(dir, file)}`);
      sumsFiles.push(...(await listFiles(dest)).filter((f) => path.basename(f) === 'SHA256SUMS'));
    } else if (path.basename(file) === 'SHA256SUMS') {
      sumsFiles.push(file);
    }
  }
  const byName = new Map<string, PackFile>();
  for (const sums of sumsFiles.sort()) {
    for (const [name, sha256] of parseSums(await readFile(sums, 'utf8'))) {
      const file = path.resolve(path.dirname(sums), name);
      const actual = await sha256File(file).catch(() => undefined);
      if (!actual) throw new ArtifactError(`${name} is listed in ${sums} but missing next to it; the artifact is incomplete`);
      if (actual.sha256 !== sha256) {
        throw new ArtifactError(`${name} has sha256 ${actual.sha256}, but ${sums} says ${sha256}; the artifact was damaged on the way`);
      }
      const known = byName.get(name);
      if (known && known.sha256 !== sha256) {
        throw new ArtifactError(`two artifacts hold different files named ${name}; give each job its own targets`);
      }
      if (known) continue;
      let target: Target;
      try {
        target = (await inspectPack(file)).manifest.target;
      } catch (err) {
        throw new ArtifactError(`${file} is not a pack (${(err as Error).message})`);
      }
      byName.set(name, { target, name, file, size: actual.size, sha256 });
    }
  }
  if (byName.size === 0) {
    throw new ArtifactError(`input 'path': no packs under ${dir}; expected *${TAR_SUFFIX} artifacts from mode: pack jobs, or packs with their SHA256SUMS`);
  }
  return [...byName.values()].sort((a, b) => TARGETS.indexOf(a.target) - TARGETS.indexOf(b.target) || (a.name < b.name ? -1 : 1));
}

/** Writes the merged SHA256SUMS into `outDir`; returns its path. */
export async function writeSums(packs: readonly PackFile[], outDir: string): Promise<string> {
  await mkdir(outDir, { recursive: true });
  const file = path.resolve(outDir, 'SHA256SUMS');
  await writeFile(`${file}.tmp-${process.pid}`, sumsText(packs));
  await rename(`${file}.tmp-${process.pid}`, file);
  return file;
}
