// The pack manifest (docs/format.md section 3): its type, the rules every
// field obeys, and the one serialization writers use so packs are
// reproducible.

import { isTarget, type Target } from './targets.js';

export const FORMAT_VERSION = 1;

export interface WindowsOptions {
  subsystem: 'console' | 'gui';
  detach: boolean;
}

export interface Manifest {
  format: 1;
  id: string;
  version: string;
  target: Target;
  command: string;
  args: string[];
  env: string[];
  compression: 'zstd';
  payloadSha256: string;
  payloadSize: number;
  unpackedSize: number;
  fileCount: number;
  packer: string;
  created: string;
  windows?: WindowsOptions;
}

const ID = /^[A-Za-z0-9._-]{1,64}$/;
const VERSION = /^[A-Za-z0-9._+-]{1,128}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SHA256 = /^[0-9a-f]{64}$/;
const CREATED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** Why `id` is not a valid pack id, or undefined when it is. */
export function idProblem(id: string): string | undefined {
  if (!ID.test(id) || id === '.' || id === '..') {
    return `invalid id "${id}": use 1-64 characters of A-Z a-z 0-9 . _ - (not "." or "..")`;
  }
  return undefined;
}

/** Why `version` is not a valid pack version, or undefined when it is. */
export function versionProblem(version: string): string | undefined {
  // "." and ".." are refused as the stub does: the version names a directory.
  if (!VERSION.test(version) || version === '.' || version === '..') {
    return `invalid version "${version}": use 1-128 characters of A-Z a-z 0-9 . _ + - (e.g. 1.2.3 or v1.2.3)`;
  }
  return undefined;
}

/** Why `entry` is not a valid NAME=VALUE env entry, or undefined when it is. */
export function envProblem(entry: string): string | undefined {
  const eq = entry.indexOf('=');
  const name = eq < 0 ? entry : entry.slice(0, eq);
  if (eq < 0 || !ENV_NAME.test(name)) {
    return `invalid env entry "${entry}": want NAME=VALUE with NAME of A-Z a-z 0-9 _ not starting with a digit`;
  }
  if (name.startsWith('PACK_')) {
    return `invalid env entry "${entry}": PACK_ variables are set by the stub itself`;
  }
  return undefined;
}

/**
 * Why `name` is not a valid tar entry path (docs/format.md section 4), or
 * undefined when it is. A directory's trailing slash must already be removed.
 */
export function entryPathProblem(name: string): string | undefined {
  if (name === '') return 'empty path';
  if (Buffer.byteLength(name) > 4096) return 'path longer than 4096 bytes';
  if (name.startsWith('/')) return 'absolute path';
  if (/[\\:\0]/.test(name)) return 'path contains \\, : or NUL, which Windows cannot represent';
  for (const part of name.split('/')) {
    if (part === '') return 'empty path component';
    if (part === '.' || part === '..') return 'path component . or ..';
  }
  if (name === '.pack' || name.startsWith('.pack/')) return 'the top-level name .pack is reserved for the stub';
  return undefined;
}

/** RFC 3339 UTC time at seconds precision, as the manifest's `created`. */
export function formatCreated(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The creation time of a build: SOURCE_DATE_EPOCH when set (so builds are
 * reproducible), else now; always whole seconds.
 */
export function creationTime(env: NodeJS.ProcessEnv = process.env, now: Date = new Date()): Date {
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch !== undefined && epoch !== '') {
    if (!/^\d{1,12}$/.test(epoch)) {
      throw new Error(`SOURCE_DATE_EPOCH="${epoch}" is not a whole number of seconds; unset it or fix it`);
    }
    return new Date(Number(epoch) * 1000);
  }
  return new Date(Math.floor(now.getTime() / 1000) * 1000);
}

/**
 * The manifest as writers emit it: keys in the documented order, two-space
 * indent, final newline. Key order is fixed here rather than trusted to the
 * caller's object so that packs are byte-identical.
 */
export function serializeManifest(m: Manifest): string {
  const ordered: Record<string, unknown> = {
    format: m.format,
    id: m.id,
    version: m.version,
    target: m.target,
    command: m.command,
    args: m.args,
    env: m.env,
    compression: m.compression,
    payloadSha256: m.payloadSha256,
    payloadSize: m.payloadSize,
    unpackedSize: m.unpackedSize,
    fileCount: m.fileCount,
    packer: m.packer,
    created: m.created,
  };
  if (m.windows) ordered.windows = { subsystem: m.windows.subsystem, detach: m.windows.detach };
  return JSON.stringify(ordered, null, 2) + '\n';
}

/**
 * Checks a decoded manifest against every rule of docs/format.md section 3
 * and returns it typed. Throws an Error naming the first broken rule.
 * Unknown keys are ignored, as readers must.
 */
export function validateManifest(value: unknown): Manifest {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('manifest is not a JSON object');
  }
  const m = value as Record<string, unknown>;
  const str = (key: string): string => {
    if (typeof m[key] !== 'string') throw new Error(`manifest ${key} is not a string`);
    return m[key] as string;
  };
  const int = (key: string): number => {
    const n = m[key];
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
      throw new Error(`manifest ${key} is not a non-negative integer below 2^53`);
    }
    return n;
  };
  const strings = (key: string): string[] => {
    const a = m[key];
    if (!Array.isArray(a) || !a.every((s) => typeof s === 'string')) {
      throw new Error(`manifest ${key} is not an array of strings`);
    }
    return a as string[];
  };
  if (m.format !== FORMAT_VERSION) throw new Error(`manifest format ${String(m.format)}, want ${FORMAT_VERSION}`);
  const problem =
    idProblem(str('id')) ??
    versionProblem(str('version')) ??
    (isTarget(str('target')) ? undefined : `unknown target "${str('target')}"`);
  if (problem) throw new Error(`manifest: ${problem}`);
  const commandProblem = entryPathProblem(str('command'));
  if (commandProblem) throw new Error(`manifest: invalid command "${str('command')}": ${commandProblem}`);
  const args = strings('args');
  const env = strings('env');
  for (const entry of env) {
    const p = envProblem(entry);
    if (p) throw new Error(`manifest: ${p}`);
  }
  if (m.compression !== 'zstd') throw new Error(`manifest: unknown compression ${JSON.stringify(m.compression)}`);
  if (!SHA256.test(str('payloadSha256'))) throw new Error('manifest: payloadSha256 is not 64 lowercase hex digits');
  if (!CREATED.test(str('created'))) throw new Error('manifest: created is not an RFC 3339 UTC time like 2026-11-22T07:00:00Z');
  const out: Manifest = {
    format: 1,
    id: str('id'),
    version: str('version'),
    target: str('target') as Target,
    command: str('command'),
    args,
    env,
    compression: 'zstd',
    payloadSha256: str('payloadSha256'),
    payloadSize: int('payloadSize'),
    unpackedSize: int('unpackedSize'),
    fileCount: int('fileCount'),
    packer: str('packer'),
    created: str('created'),
  };
  if (m.windows !== undefined) {
    if (!out.target.startsWith('windows-')) throw new Error('manifest: windows options on a non-Windows target');
    const w = m.windows as Record<string, unknown>;
    if (typeof w !== 'object' || w === null) throw new Error('manifest: windows is not an object');
    const subsystem = w.subsystem ?? 'console';
    if (subsystem !== 'console' && subsystem !== 'gui') {
      throw new Error(`manifest: unknown windows subsystem ${JSON.stringify(subsystem)}`);
    }
    if (w.detach !== undefined && typeof w.detach !== 'boolean') throw new Error('manifest: windows.detach is not a boolean');
    out.windows = { subsystem, detach: w.detach === true };
  }
  return out;
}
