// The action's inputs, parsed once into a typed Config. parseConfig is a pure
// function of an env-like record (INPUT_* and GITHUB_* variables), so every
// rule here is unit-testable without a runner. Every message names the input.

import { MAX_LEVEL } from './archive.js';
import { envProblem, idProblem, versionProblem } from './manifest.js';
import { hostTarget, isTarget, TARGETS, type Target } from './targets.js';

export type Mode = 'all' | 'pack' | 'publish';
export type ReleaseMode = 'false' | 'draft' | 'true';
export type SmokeMode = 'host' | 'emulated' | 'none';

export type StubSource =
  | { kind: 'dir'; dir: string }
  | { kind: 'download'; version: string; urlTemplate: string };

export interface Repo {
  owner: string;
  repo: string;
}

export interface Config {
  mode: Mode;
  /** pack/all: the tree to pack (may hold {target} {os} {arch}); publish: where the pack artifacts were downloaded. */
  path: string;
  name: string;
  command: string;
  args: string[];
  env: string[];
  id: string;
  version: string;
  targets: Target[];
  outDir: string;
  level: number | undefined;
  stubs: StubSource;
  windowsSubsystem: 'console' | 'gui';
  release: ReleaseMode;
  tag: string;
  overwrite: boolean;
  prerelease: boolean;
  token: string;
  smoke: SmokeMode;
  smokeArgs: string[];
  smokeExitCode: number;
  repo: Repo | undefined;
  apiUrl: string;
  serverUrl: string;
  sha: string;
}

export type Env = Record<string, string | undefined>;

/** A bad input: the message already names the input and says what to do. */
export class InputError extends Error {}

/** Reads an input the way @actions/core does: INPUT_<NAME uppercased, spaces to _>, trimmed. */
export function getInput(env: Env, name: string): string {
  return (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

function lines(value: string): string[] {
  return value
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const value = getInput(env, name);
  if (value === '') return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new InputError(`input '${name}' must be ${orList(allowed)}, got '${value}'`);
}

function orList(values: readonly string[]): string {
  return values.length === 1 ? values[0]! : `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;
}

/** A strict boolean, as core.getBooleanInput accepts: true|True|TRUE|false|False|FALSE. */
function bool(env: Env, name: string, fallback: boolean): boolean {
  const value = getInput(env, name);
  if (value === '') return fallback;
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  throw new InputError(`input '${name}' must be true or false, got '${value}'`);
}

function integer(env: Env, name: string, min: number, max: number): number | undefined {
  const value = getInput(env, name);
  if (value === '') return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new InputError(`input '${name}' must be a whole number from ${min} to ${max}, got '${value}'`);
  }
  return Number(value);
}

/** The tag name when GITHUB_REF is a tag, else undefined. */
export function refTag(env: Env): string | undefined {
  const ref = env.GITHUB_REF ?? '';
  return ref.startsWith('refs/tags/') ? ref.slice('refs/tags/'.length) : undefined;
}

const SEMVER =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/** True when `version` is semver with a pre-release part (1.2.0-rc.1). */
export function isPrerelease(version: string): boolean {
  const m = SEMVER.exec(version);
  return m !== null && m[4] !== undefined;
}

export function isSemver(version: string): boolean {
  return SEMVER.test(version);
}

function parseTargets(env: Env): Target[] {
  const value = getInput(env, 'targets');
  if (value === '' || value === 'all') return [...TARGETS];
  const out: Target[] = [];
  for (const word of value.split(/[\s,]+/).filter((w) => w !== '')) {
    let target: string | undefined = word;
    if (word === 'host') {
      target = hostTarget();
      if (target === undefined) {
        throw new InputError(`input 'targets': 'host' asked for, but ${process.platform}-${process.arch} is not a target`);
      }
    }
    if (!isTarget(target)) {
      throw new InputError(`input 'targets': unknown target '${word}'; use all, host or some of ${TARGETS.join(' ')}`);
    }
    if (!out.includes(target)) out.push(target);
  }
  if (out.length === 0) throw new InputError(`input 'targets' names no target`);
  return out;
}

function parseVersion(env: Env): string {
  const given = getInput(env, 'version');
  if (given !== '') {
    const problem = versionProblem(given);
    if (problem) throw new InputError(`input 'version': ${problem}`);
    return given;
  }
  const tag = refTag(env);
  if (tag !== undefined) {
    const version = tag.replace(/^v/, '');
    if (versionProblem(version)) {
      throw new InputError(
        `input 'version' is not set and the tag '${tag}' does not make a valid version (A-Z a-z 0-9 . _ + -); set input 'version'`,
      );
    }
    return version;
  }
  const sha = (env.GITHUB_SHA ?? '').slice(0, 7);
  if (!/^[0-9a-f]{7}$/.test(sha)) {
    throw new InputError(`input 'version' is not set, and there is neither a tag in GITHUB_REF nor a commit in GITHUB_SHA to derive it from`);
  }
  return `0.0.0-${sha}`;
}

function parseRepo(env: Env): Repo | undefined {
  const full = env.GITHUB_REPOSITORY ?? '';
  const [owner, repo, ...rest] = full.split('/');
  if (!owner || !repo || rest.length > 0) return undefined;
  return { owner, repo };
}

function parseStubs(env: Env, actionVersion: string, defaultStubUrl: string): StubSource {
  const dir = getInput(env, 'stub-dir');
  const url = getInput(env, 'stub-url');
  const version = getInput(env, 'stub-version');
  if (dir !== '') {
    if (url !== '' || version !== '') {
      throw new InputError(`input 'stub-dir' uses local stubs: leave 'stub-url' and 'stub-version' unset`);
    }
    return { kind: 'dir', dir };
  }
  if (version !== '' && !isSemver(version)) {
    throw new InputError(`input 'stub-version' must be a version like 1.2.3, got '${version}'`);
  }
  const template = url === '' ? defaultStubUrl : url;
  if (!/^https?:\/\//.test(template)) {
    throw new InputError(`input 'stub-url' must be an http(s) URL template with {version} and {target}, got '${template}'`);
  }
  if (!template.includes('{target}') && !template.includes('{file}')) {
    throw new InputError(`input 'stub-url' must contain {target} (or {file}), got '${template}'`);
  }
  return { kind: 'download', version: (version || actionVersion).replace(/^v/, ''), urlTemplate: template };
}

export interface ParseOptions {
  /** This action's own version: the default stub version. */
  actionVersion: string;
}

/**
 * The default stub URL: this action's own release assets on github.com. Also
 * on GitHub Enterprise Server: actions come from github.com through GitHub
 * Connect, their releases are not mirrored; without access to github.com,
 * mirror the stubs and set stub-url.
 */
export function defaultStubUrl(env: Env): string {
  const repo = env.GITHUB_ACTION_REPOSITORY || 'pack-action/pack-action';
  return `https://github.com/${repo}/releases/download/v{version}/{file}`;
}

export function parseConfig(env: Env, options: ParseOptions): Config {
  const mode = oneOf(env, 'mode', ['all', 'pack', 'publish'] as const, 'all');
  const path = getInput(env, 'path');
  if (path === '') {
    throw new InputError(
      mode === 'publish'
        ? `input 'path' is required: the directory where the pack artifacts were downloaded`
        : `input 'path' is required: the directory tree to pack`,
    );
  }
  const repo = parseRepo(env);
  const name = getInput(env, 'name') || repo?.repo || '';
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(name) || name === '.' || name === '..') {
    throw new InputError(`input 'name' must be 1-64 of A-Z a-z 0-9 . _ - (it names the pack files), got '${name}'`);
  }
  const command = getInput(env, 'command');
  if (command === '' && mode !== 'publish') {
    throw new InputError(`input 'command' is required: the program inside the tree to run, e.g. bin/app{exe}`);
  }
  const id = getInput(env, 'id') || name;
  const idError = idProblem(id);
  if (idError) throw new InputError(`input 'id': ${idError}`);
  const envEntries = lines(getInput(env, 'env'));
  for (const entry of envEntries) {
    const problem = envProblem(entry);
    if (problem) throw new InputError(`input 'env': ${problem}`);
  }
  const version = parseVersion(env);
  const tagged = refTag(env);
  const release = oneOf(env, 'release', ['false', 'draft', 'true'] as const, tagged !== undefined ? 'true' : 'false');
  const tag = getInput(env, 'tag') || tagged || '';
  if (release !== 'false' && mode !== 'pack' && tag === '') {
    throw new InputError(
      `input 'tag' is required with release: ${release} when the workflow does not run for a tag (GITHUB_REF=${env.GITHUB_REF ?? ''})`,
    );
  }
  const token = getInput(env, 'token');
  if (release !== 'false' && mode !== 'pack' && token === '') {
    throw new InputError(`input 'token' is empty; publishing a release needs a token with contents: write (the default is github.token)`);
  }
  if (release !== 'false' && mode !== 'pack' && repo === undefined) {
    throw new InputError(`input 'release' is ${release}, but GITHUB_REPOSITORY ('${env.GITHUB_REPOSITORY ?? ''}') is not owner/repo`);
  }
  const prereleaseInput = getInput(env, 'prerelease');
  const prerelease = prereleaseInput === '' ? isPrerelease(version) : bool(env, 'prerelease', false);
  return {
    mode,
    path,
    name,
    command,
    args: lines(getInput(env, 'args')),
    env: envEntries,
    id,
    version,
    targets: parseTargets(env),
    outDir: getInput(env, 'out-dir') || 'packs',
    level: integer(env, 'level', 1, MAX_LEVEL),
    stubs: parseStubs(env, options.actionVersion, defaultStubUrl(env)),
    windowsSubsystem: oneOf(env, 'windows-subsystem', ['console', 'gui'] as const, 'console'),
    release,
    tag,
    overwrite: bool(env, 'overwrite', true),
    prerelease,
    token,
    smoke: oneOf(env, 'smoke', ['host', 'emulated', 'none'] as const, 'host'),
    smokeArgs: lines(getInput(env, 'smoke-args')),
    smokeExitCode: integer(env, 'smoke-exit-code', 0, 4294967295) ?? 0,
    repo,
    apiUrl: (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, ''),
    serverUrl: (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, ''),
    sha: env.GITHUB_SHA ?? '',
  };
}
