// The library entry: turn a tree into one pack per target, atomically, with
// a SHA256SUMS, reproducibly. The CLI and the GitHub Action both call
// packTargets.

import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_LEVEL, MAX_LEVEL, writePayload, type PayloadInfo } from './archive.js';
import { caseCollisions, checkCommand, collectTree, type Tree } from './collect.js';
import { PackError } from './errors.js';
import { encodeTrailer, MAX_MANIFEST_SIZE, paddingAfter } from './format.js';
import {
  creationTime,
  envProblem,
  formatCreated,
  idProblem,
  serializeManifest,
  versionProblem,
  type Manifest,
  type WindowsOptions,
} from './manifest.js';
import { defaultStubsDir, loadStubs, stubKey, type Stub, type StubVariant } from './stubs.js';
import { exeSuffix, isTarget, targetArch, targetOS, type Target } from './targets.js';
import { PACKER } from './version.js';

export const DEFAULT_OUTPUT_NAME = '{name}-{target}{exe}';
export const SUMS_FILE = 'SHA256SUMS';
const TEMP_PREFIX = '.pack-action-';

export interface PackOptions {
  /** The tree to pack. May contain `{target}`, `{os}`, `{arch}` to give each target its own tree. */
  dir: string;
  /** Program name: used in output file names and as the default id. `[A-Za-z0-9._-]`. */
  name: string;
  /** Path of the program inside the tree, `/`-separated; may contain `{exe}` (`.exe` on Windows targets). */
  command: string;
  /** Fixed leading arguments; `{app}` and `{data}` are expanded by the stub. */
  args?: readonly string[];
  /** `NAME=VALUE` environment additions. */
  env?: readonly string[];
  /** Identity across versions (cache key); default: `name`. */
  id?: string;
  /** Default `0.0.0`. */
  version?: string;
  targets: readonly Target[];
  /** Output directory; created when missing. */
  outDir: string;
  /** Directory of stubs as `npm run build:stubs` writes it; default: build/stubs of this checkout. */
  stubsDir?: string;
  /** zstd level 1-19; default DEFAULT_LEVEL. */
  level?: number;
  include?: readonly string[];
  exclude?: readonly string[];
  /** Output file name template; `{name} {id} {version} {target} {os} {arch} {exe}`. Default `{name}-{target}{exe}`. */
  outputName?: string;
  /** Windows targets only: subsystem (`gui` uses the GUI stub) and detach. */
  windows?: Partial<WindowsOptions>;
  /** The manifest's `created` and every tar mtime; default SOURCE_DATE_EPOCH, else now. */
  created?: Date;
  /** Aborting stops the run and removes everything it wrote. */
  signal?: AbortSignal;
  /** Progress and warnings, for a UI. */
  onEvent?: (event: PackEvent) => void;
  /** Internal, not a CLI flag: bytes of tar per zstd frame (default 8 MiB), so tests can make several frames from a small tree. */
  frameSize?: number;
}

export type PackEvent =
  | { type: 'warning'; message: string }
  | { type: 'compress'; dir: string; targets: Target[]; done: number; total: number }
  | { type: 'compressed'; dir: string; targets: Target[]; payload: PayloadInfo }
  | { type: 'write'; target: Target; file: string; done: number; total: number }
  | { type: 'written'; result: PackResult };

export interface PackResult {
  target: Target;
  /** Absolute path of the pack. */
  file: string;
  /** Bytes. */
  size: number;
  /** Lowercase hex SHA-256 of the whole pack, as in SHA256SUMS. */
  sha256: string;
  manifest: Manifest;
}

export interface PackRun {
  results: PackResult[];
  /** Absolute path of the SHA256SUMS covering every pack of this run. */
  sumsFile: string;
  warnings: string[];
}

/** Expands `{target}`, `{os}`, `{arch}` (and `{exe}` where allowed) for one target. */
export function expandTarget(template: string, target: Target, extra: Record<string, string> = {}): string {
  const values: Record<string, string> = { target, os: targetOS(target), arch: targetArch(target), ...extra };
  return template.replace(/\{([a-z]+)\}/g, (whole, key: string) => values[key] ?? whole);
}

/**
 * Writes one pack per target into `options.outDir`, plus a SHA256SUMS
 * covering them, and returns what it wrote. Each distinct tree is
 * compressed once and shared by the targets using it.
 *
 * All or nothing: on any error (a PackError for bad input, with a one-line
 * message saying what to fix) no pack, temporary file or SHA256SUMS of this
 * run is left behind. Existing files of the same names are replaced only
 * when every pack succeeded.
 */
export async function packTargets(options: PackOptions): Promise<PackRun> {
  const plan = validate(options);
  const warnings: string[] = [];
  const emit = (event: PackEvent): void => {
    if (event.type === 'warning') warnings.push(event.message);
    options.onEvent?.(event);
  };
  const stubs = await loadStubs(
    options.stubsDir ?? defaultStubsDir(),
    plan.targets.map((target) => ({ target, variant: variantOf(target, plan.windows) })),
  );
  const groups = await collectTrees(options, plan.targets, emit);

  const outDir = path.resolve(options.outDir);
  const created = await prepareOutDir(outDir);
  const temps: string[] = [];
  const finals: string[] = [];
  const tempName = (what: string): string => {
    const file = path.join(outDir, `${TEMP_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}-${what}`);
    temps.push(file);
    return file;
  };
  try {
    const written: { temp: string; result: PackResult }[] = [];
    for (const group of groups) {
      options.signal?.throwIfAborted();
      const payloadFile = tempName('payload');
      const payload = await writePayload(group.tree, payloadFile, {
        level: plan.level,
        mtime: plan.created,
        signal: options.signal,
        frameSize: options.frameSize,
        onProgress: (done, total) => emit({ type: 'compress', dir: group.tree.root, targets: group.targets, done, total }),
      }).catch((err: unknown) => {
        throw wrapIo(err, `writing the payload into ${outDir}`);
      });
      emit({ type: 'compressed', dir: group.tree.root, targets: group.targets, payload });
      for (const target of group.targets) {
        options.signal?.throwIfAborted();
        const manifest = manifestFor(options, plan, target, payload);
        const file = path.join(outDir, plan.outputNames.get(target)!);
        const temp = tempName(`${target}.tmp`);
        const stub = stubs.get(stubKey(target, variantOf(target, plan.windows)))!;
        const { size, sha256 } = await writePack(temp, stub, payloadFile, payload, manifest, (done, total) => {
          emit({ type: 'write', target, file, done, total });
          options.signal?.throwIfAborted();
        }).catch((err: unknown) => {
          throw wrapIo(err, `writing ${file}`);
        });
        written.push({ temp, result: { target, file, size, sha256, manifest } });
      }
      await rm(payloadFile, { force: true });
    }
    // Everything is on disk: publish the packs, then their checksums.
    for (const { temp, result } of written) {
      await rename(temp, result.file);
      finals.push(result.file);
      emit({ type: 'written', result });
    }
    const sumsFile = path.join(outDir, SUMS_FILE);
    const sumsTemp = tempName('sums.tmp');
    const sums = written.map(({ result }) => `${result.sha256}  ${path.basename(result.file)}\n`).join('');
    await writeSmall(sumsTemp, sums, 0o644);
    await rename(sumsTemp, sumsFile);
    return { results: written.map((w) => w.result), sumsFile, warnings };
  } catch (err) {
    await Promise.all([...temps, ...finals].map((f) => rm(f, { force: true })));
    if (created) await rm(created, { recursive: true, force: true }); // only what this run created
    throw err;
  } finally {
    await Promise.all(temps.map((f) => rm(f, { force: true })));
  }
}

interface Plan {
  targets: Target[];
  id: string;
  version: string;
  level: number;
  created: Date;
  windows: WindowsOptions;
  outputNames: Map<Target, string>;
}

function validate(o: PackOptions): Plan {
  const fail = (msg: string): never => {
    throw new PackError(msg);
  };
  if (!o.dir) fail('no directory given; pass the built tree to pack');
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(o.name ?? '') || o.name === '.' || o.name === '..') {
    fail(`invalid name "${o.name ?? ''}": use 1-64 characters of A-Z a-z 0-9 . _ - (it names the output files)`);
  }
  if (!o.command) fail('no command given; name the program to run, relative to the tree');
  const id = o.id ?? o.name;
  const version = o.version ?? '0.0.0';
  const problem = idProblem(id) ?? versionProblem(version);
  if (problem) fail(problem);
  for (const entry of o.env ?? []) {
    const p = envProblem(entry);
    if (p) fail(p);
  }
  const targets = [...new Set(o.targets)];
  if (targets.length === 0) fail('no target given; pass one or more of the six targets, all or host');
  for (const t of targets) if (!isTarget(t)) fail(`unknown target "${String(t)}"`);
  const level = o.level ?? DEFAULT_LEVEL;
  if (!Number.isInteger(level) || level < 1 || level > MAX_LEVEL) {
    fail(`invalid level ${String(level)}: use a whole number from 1 to ${MAX_LEVEL}, or max`);
  }
  const subsystem = o.windows?.subsystem ?? 'console';
  if (subsystem !== 'console' && subsystem !== 'gui') fail(`invalid windows subsystem "${String(subsystem)}": use console or gui`);
  const windows: WindowsOptions = { subsystem, detach: o.windows?.detach === true };
  const template = o.outputName ?? DEFAULT_OUTPUT_NAME;
  const outputNames = new Map<Target, string>();
  const seen = new Map<string, Target>();
  for (const target of targets) {
    const name = expandTarget(template, target, { name: o.name, id, version, exe: exeSuffix(target) });
    const unknown = /\{[a-z]+\}/.exec(name);
    if (unknown) fail(`output name "${template}" has unknown placeholder ${unknown[0]}; use {name} {id} {version} {target} {os} {arch} {exe}`);
    if (!name || name === '.' || name === '..' || /[/\\\0]/.test(name) || name === SUMS_FILE || name.startsWith(TEMP_PREFIX)) {
      fail(`output name "${name}" (from "${template}") is not a plain file name; change the output name template`);
    }
    const other = seen.get(name);
    if (other) fail(`output name "${template}" gives ${name} for both ${other} and ${target}; add {target} to it`);
    seen.set(name, target);
    outputNames.set(target, name);
  }
  let created: Date;
  try {
    created = o.created ?? creationTime();
  } catch (err) {
    throw new PackError((err as Error).message);
  }
  return { targets, id, version, level, created, windows, outputNames };
}

function variantOf(target: Target, windows: WindowsOptions): StubVariant {
  return targetOS(target) === 'windows' && windows.subsystem === 'gui' ? 'gui' : 'console';
}

interface TreeGroup {
  tree: Tree;
  targets: Target[];
}

/** Collects each distinct tree once and checks the command of every target in it. */
async function collectTrees(o: PackOptions, targets: Target[], emit: (e: PackEvent) => void): Promise<TreeGroup[]> {
  const byRoot = new Map<string, TreeGroup>();
  const byDir = new Map<string, Tree>();
  for (const target of targets) {
    const dir = path.resolve(expandTarget(o.dir, target));
    let tree = byDir.get(dir);
    if (!tree) {
      tree = await collectTree(dir, { include: o.include, exclude: o.exclude });
      byDir.set(dir, tree);
    }
    const command = expandTarget(o.command, target, { exe: exeSuffix(target) });
    checkCommand(tree, command, targetOS(target) !== 'windows');
    const group = byRoot.get(tree.root);
    if (group) group.targets.push(target);
    else byRoot.set(tree.root, { tree, targets: [target] });
  }
  for (const group of byRoot.values()) {
    const caseless = group.targets.filter((t) => targetOS(t) !== 'linux');
    if (caseless.length === 0) continue;
    for (const names of caseCollisions(group.tree)) {
      emit({
        type: 'warning',
        message: `${group.tree.root}: ${names.join(', ')} differ only in case; on ${caseless.join(', ')} one overwrites the other`,
      });
    }
  }
  return [...byRoot.values()];
}

function manifestFor(o: PackOptions, plan: Plan, target: Target, payload: PayloadInfo): Manifest {
  const m: Manifest = {
    format: 1,
    id: plan.id,
    version: plan.version,
    target,
    command: expandTarget(o.command, target, { exe: exeSuffix(target) }),
    args: [...(o.args ?? [])],
    env: [...(o.env ?? [])],
    compression: 'zstd',
    payloadSha256: payload.sha256,
    payloadSize: payload.size,
    unpackedSize: payload.unpackedSize,
    fileCount: payload.fileCount,
    packer: PACKER,
    created: formatCreated(plan.created),
  };
  if (targetOS(target) === 'windows') m.windows = { ...plan.windows };
  return m;
}

/**
 * Creates the output directory when missing and checks that it is a
 * directory; returns the topmost directory it created, to remove on failure.
 */
async function prepareOutDir(outDir: string): Promise<string | undefined> {
  let created: string | undefined;
  try {
    created = await mkdir(outDir, { recursive: true });
    if (!(await stat(outDir)).isDirectory()) throw new PackError(`output directory ${outDir} is not a directory; choose another --out`);
  } catch (err) {
    if (err instanceof PackError) throw err;
    throw new PackError(`cannot create output directory ${outDir} (${(err as NodeJS.ErrnoException).code}); choose another --out`);
  }
  return created;
}

/** Streams stub + payload + manifest + padding + trailer into `file` and hashes the whole. */
async function writePack(
  file: string,
  stub: Stub,
  payloadFile: string,
  payload: PayloadInfo,
  manifest: Manifest,
  onProgress: (done: number, total: number) => void,
): Promise<{ size: number; sha256: string }> {
  const manifestBytes = Buffer.from(serializeManifest(manifest));
  if (manifestBytes.length > MAX_MANIFEST_SIZE) {
    throw new PackError(`the manifest is ${manifestBytes.length} bytes, over the 1 MiB limit; pass fewer or shorter args and env`);
  }
  const payloadOffset = stub.size;
  const manifestOffset = payloadOffset + payload.size;
  const manifestEnd = manifestOffset + manifestBytes.length;
  const tail = Buffer.concat([
    manifestBytes,
    Buffer.alloc(paddingAfter(manifestEnd)),
    encodeTrailer({
      payloadOffset,
      payloadSize: payload.size,
      manifestOffset,
      manifestSize: manifestBytes.length,
      manifest: manifestBytes,
    }),
  ]);
  const total = manifestOffset + tail.length;
  const whole = createHash('sha256');
  const stubHash = createHash('sha256');
  let done = 0;
  const fh = await open(file, 'wx', 0o755);
  try {
    const put = async (chunk: Buffer): Promise<void> => {
      await fh.write(chunk);
      whole.update(chunk);
      done += chunk.length;
      onProgress(done, total);
    };
    for await (const chunk of createReadStream(stub.file)) {
      stubHash.update(chunk as Buffer);
      await put(chunk as Buffer);
    }
    // The stub was checked against SHA256SUMS when loaded; check the bytes actually copied too.
    if (done !== stub.size || stubHash.digest('hex') !== stub.sha256) {
      throw new PackError(`stub for ${stub.target}: ${stub.file} changed while packing; build the stubs again`);
    }
    for await (const chunk of createReadStream(payloadFile)) await put(chunk as Buffer);
    if (done !== manifestOffset) throw new Error(`payload file ${payloadFile} changed while packing`);
    await put(tail);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await chmod(file, 0o755); // open's mode is filtered by the umask
  return { size: total, sha256: whole.digest('hex') };
}

async function writeSmall(file: string, text: string, mode: number): Promise<void> {
  const fh: FileHandle = await open(file, 'wx', mode);
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Turns an I/O error into one line naming what was being done. */
function wrapIo(err: unknown, doing: string): Error {
  if (err instanceof PackError || (err as Error).name === 'AbortError') return err as Error;
  const e = err as NodeJS.ErrnoException;
  const hint =
    e.code === 'EACCES' || e.code === 'EPERM' || e.code === 'EROFS'
      ? '; the output directory is not writable, choose another --out'
      : e.code === 'ENOSPC'
        ? '; the disk is full'
        : '';
  return new PackError(`${doing}: ${e.code ? `${e.code} ` : ''}${e.message.replace(/^\w+: /, '')}${hint}`);
}
