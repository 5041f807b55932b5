import { describe, expect, test } from '@jest/globals';
import { defaultStubUrl, isPrerelease, parseConfig, type Env } from '../src/config.js';
import { TARGETS } from '../src/targets.js';
import { MAX_LEVEL } from '../src/archive.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const base: Env = {
  INPUT_PATH: 'build',
  INPUT_COMMAND: 'bin/app{exe}',
  GITHUB_REPOSITORY: 'octo/hello',
  GITHUB_SHA: '0123abc456def7890123abc456def7890123abcd',
  GITHUB_REF: 'refs/heads/main',
};
const parse = (env: Env) => parseConfig({ ...base, ...env }, { actionVersion: '0.1.0' });

describe('parseConfig defaults', () => {
  test('on a branch: version from the sha, no release, all targets', () => {
    const c = parse({});
    expect(c.version).toBe('0.0.0-0123abc');
    expect(c.release).toBe('false');
    expect(c.targets).toEqual([...TARGETS]);
    expect(c.name).toBe('hello');
    expect(c.id).toBe('hello');
    expect(c.overwrite).toBe(true);
    expect(c.mode).toBe('all');
    expect(c.smoke).toBe('host');
    expect(c.outDir).toBe('packs');
    expect(c.apiUrl).toBe('https://api.github.com');
    expect(c.stubs).toEqual({
      kind: 'download',
      version: '0.1.0',
      urlTemplate: 'https://github.com/pack-action/pack-action/releases/download/v{version}/{file}',
    });
  });

  test('on a tag: version without v, release true, tag from the ref, prerelease from semver', () => {
    const c = parse({ GITHUB_REF: 'refs/tags/v1.2.0-rc.1', INPUT_TOKEN: 't' });
    expect(c.version).toBe('1.2.0-rc.1');
    expect(c.tag).toBe('v1.2.0-rc.1');
    expect(c.release).toBe('true');
    expect(c.prerelease).toBe(true);
    expect(parse({ GITHUB_REF: 'refs/tags/v1.2.0', INPUT_TOKEN: 't' }).prerelease).toBe(false);
    expect(parse({ GITHUB_REF: 'refs/tags/v1.2.0', INPUT_TOKEN: 't', INPUT_PRERELEASE: 'true' }).prerelease).toBe(true);
  });

  test('GHES: the API URL from GITHUB_API_URL; stubs from the action repository on github.com', () => {
    const env = { GITHUB_API_URL: 'https://ghe.example/api/v3/', GITHUB_SERVER_URL: 'https://ghe.example', GITHUB_ACTION_REPOSITORY: 'tools/pack-action' };
    const c = parse(env);
    expect(c.apiUrl).toBe('https://ghe.example/api/v3');
    expect(defaultStubUrl(env)).toBe('https://github.com/tools/pack-action/releases/download/v{version}/{file}');
  });

  test('lists: args and env one per line, targets by comma or space, host', () => {
    const c = parse({ INPUT_ARGS: ' {app}/main.py \n\n--x y\n', INPUT_ENV: 'A=1\nPYTHONHOME={app}', INPUT_TARGETS: 'linux-x64, windows-arm64 linux-x64' });
    expect(c.args).toEqual(['{app}/main.py', '--x y']);
    expect(c.env).toEqual(['A=1', 'PYTHONHOME={app}']);
    expect(c.targets).toEqual(['linux-x64', 'windows-arm64']);
  });

  test('publish mode needs no command', () => {
    const c = parse({ INPUT_MODE: 'publish', INPUT_COMMAND: '', INPUT_RELEASE: 'draft', INPUT_TAG: 'v1', INPUT_TOKEN: 't' });
    expect(c.mode).toBe('publish');
    expect(c.release).toBe('draft');
  });
});

describe('parseConfig names the input in every error', () => {
  const cases: [Env, RegExp][] = [
    [{ INPUT_TARGETS: 'linux-x64 solaris-sparc' }, /^input 'targets': unknown target 'solaris-sparc'/],
    [{ INPUT_RELEASE: 'maybe' }, /^input 'release' must be false, draft or true, got 'maybe'$/],
    [{ INPUT_PATH: '' }, /^input 'path' is required/],
    [{ INPUT_COMMAND: '' }, /^input 'command' is required/],
    [{ INPUT_MODE: 'both' }, /^input 'mode' must be all, pack or publish, got 'both'$/],
    [{ INPUT_SMOKE: 'yes' }, /^input 'smoke' must be host, emulated or none/],
    [{ INPUT_OVERWRITE: 'yes' }, /^input 'overwrite' must be true or false, got 'yes'$/],
    [{ INPUT_PRERELEASE: '1' }, /^input 'prerelease' must be true or false/],
    [{ INPUT_LEVEL: '99' }, new RegExp(`^input 'level' must be a whole number from 1 to ${MAX_LEVEL}, got '99'$`)],
    [{ INPUT_LEVEL: 'fast' }, /^input 'level'/],
    [{ 'INPUT_SMOKE-EXIT-CODE': '-1' }, /^input 'smoke-exit-code'/],
    [{ INPUT_ID: '../x' }, /^input 'id': invalid id/],
    [{ INPUT_VERSION: 'a b' }, /^input 'version': invalid version/],
    [{ GITHUB_REF: 'refs/tags/release/1.0' }, /^input 'version' is not set and the tag 'release\/1.0'/],
    [{ INPUT_ENV: 'PACK_ID=x' }, /^input 'env': invalid env entry/],
    [{ INPUT_NAME: 'my app' }, /^input 'name' must be/],
    [{ INPUT_RELEASE: 'true' }, /^input 'tag' is required with release: true/],
    [{ INPUT_RELEASE: 'true', INPUT_TAG: 'v1' }, /^input 'token' is empty/],
    [{ 'INPUT_STUB-DIR': 'stubs', 'INPUT_STUB-URL': 'https://x/{target}' }, /^input 'stub-dir' uses local stubs/],
    [{ 'INPUT_STUB-URL': 'https://example.com/stub' }, /^input 'stub-url' must contain \{target\}/],
    [{ 'INPUT_STUB-URL': 'ftp://example.com/{target}' }, /^input 'stub-url' must be an http\(s\) URL/],
    [{ 'INPUT_STUB-VERSION': 'latest' }, /^input 'stub-version' must be a version/],
    [{ 'INPUT_WINDOWS-SUBSYSTEM': 'window' }, /^input 'windows-subsystem' must be console or gui/],
  ];
  test.each(cases)('%j', (env, message) => {
    expect(() => parse(env)).toThrow(message);
  });
});

test('isPrerelease follows semver', () => {
  expect(isPrerelease('1.0.0-rc.1')).toBe(true);
  expect(isPrerelease('v2.0.0-beta')).toBe(true);
  expect(isPrerelease('1.0.0')).toBe(false);
  expect(isPrerelease('1.0.0+build-1')).toBe(false);
  expect(isPrerelease('nightly-2026')).toBe(false);
});

test('action.yml, docs/action.md and parseConfig name the same inputs', () => {
  const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
  const source = readFileSync(path.join(root, 'src', 'config.ts'), 'utf8');
  const parsed = new Set([...source.matchAll(/(?:getInput|oneOf|bool|integer)\(env, '([a-z-]+)'/g)].map((m) => m[1]!));
  const yml = readFileSync(path.join(root, 'action.yml'), 'utf8');
  const inputs = [...yml.slice(yml.indexOf('\ninputs:'), yml.indexOf('\noutputs:')).matchAll(/^ {2}([a-z-]+):\s*$/gm)].map((m) => m[1]!);
  expect(inputs.length).toBe(23);
  expect([...parsed].sort()).toEqual([...inputs].sort());
  const docs = readFileSync(path.join(root, 'docs', 'action.md'), 'utf8');
  for (const input of inputs) expect(docs).toContain('`' + input + '`');
});
