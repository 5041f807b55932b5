// smoke/action.yml: its bash steps run as the runner would run them on a
// Linux x64 runner, against a pack handed over as pack-action's artifact tar.
// (The download-artifact step is the one part not run: the test puts the tar
// where it would download it.)
import { beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { artifactTarName, writeArtifactTar } from '../src/artifact.js';
import { packTargets } from '../src/pack.js';
import { ROOT } from './fake-github/run-action.js';
import { tmp } from './helpers/tmp.js';

const STUBS = process.env.PACK_STUBS_OUT ?? path.join(ROOT, 'build', 'stubs');

/** The `run:` script of the step with this id. */
function stepScript(id: string): string {
  const lines = readFileSync(path.join(ROOT, 'smoke', 'action.yml'), 'utf8').split('\n');
  const start = lines.findIndex((l) => l.trim() === `- id: ${id}`);
  if (start < 0) throw new Error(`no step ${id} in smoke/action.yml`);
  const run = lines.findIndex((l, i) => i > start && /^\s+run: \|$/.test(l));
  const indent = /^\s*/.exec(lines[run + 1]!)![0].length;
  const body: string[] = [];
  for (const line of lines.slice(run + 1)) {
    if (line.trim() !== '' && /^\s*/.exec(line)![0].length < indent) break;
    body.push(line.slice(indent));
  }
  return body.join('\n');
}

function step(id: string, env: Record<string, string>) {
  // As the runner runs a composite step's bash: --noprofile --norc -eo pipefail.
  const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', stepScript(id)], { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, errors: r.stdout.split('\n').filter((l) => l.startsWith('::error::')).map((l) => l.slice(9)) };
}

let tar: string;

beforeAll(async () => {
  const dir = tmp('smoke-action-');
  mkdirSync(path.join(dir, 'tree', 'bin'), { recursive: true });
  writeFileSync(path.join(dir, 'tree', 'bin', 'hello'), '#!/bin/sh\necho "hello from $PACK_ID: $*"\nexit "${HELLO_EXIT:-0}"\n');
  chmodSync(path.join(dir, 'tree', 'bin', 'hello'), 0o755);
  const run = await packTargets({ dir: path.join(dir, 'tree'), name: 'demo', command: 'bin/hello', targets: ['linux-x64'], outDir: path.join(dir, 'out'), stubsDir: STUBS });
  tar = path.join(dir, artifactTarName('demo', ['linux-x64']));
  await writeArtifactTar(
    run.results.map((r) => ({ target: r.target, name: path.basename(r.file), file: r.file, size: r.size, sha256: r.sha256 })),
    run.sumsFile,
    tar,
  );
});

function runner(): { env: Record<string, string>; dir: string } {
  const temp = tmp('smoke-runner-');
  const output = path.join(temp, 'output');
  writeFileSync(output, '');
  const env = { RUNNER_OS: 'Linux', RUNNER_ARCH: 'X64', RUNNER_TEMP: temp, GITHUB_OUTPUT: output, PACK_CACHE_DIR: path.join(temp, 'cache') };
  const t = step('target', { ...env, NAME: '', TAG: '', ARTIFACT: 'pack-linux-x64', REPOSITORY: 'octo/demo' });
  expect(t.errors).toEqual([]);
  const outputs = Object.fromEntries(readFileSync(output, 'utf8').trim().split('\n').map((l) => l.split('=', 2) as [string, string]));
  expect(outputs).toMatchObject({ target: 'linux-x64', file: 'demo-linux-x64' });
  // What actions/download-artifact would leave there.
  copyFileSync(tar, path.join(outputs.dir!, path.basename(tar)));
  return { env: { ...env, DIR: outputs.dir!, FILE: outputs.file! }, dir: outputs.dir! };
}

describe('smoke/action.yml', () => {
  test('verifies the pack against SHA256SUMS, runs it with the args, checks exit code and stdout', () => {
    const { env } = runner();
    const fetch = step('fetch', { ...env, TAG: '', REPOSITORY: 'octo/demo' });
    expect(fetch.errors).toEqual([]);
    expect(fetch.stdout).toMatch(/^verified demo-linux-x64 \([0-9a-f]{64}\)$/m);
    const run = step('run', { ...env, ARGS: 'one\n\ntwo words\n', EXPECT_EXIT: '0', EXPECT_STDOUT: '^hello from demo: one two words$' });
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('smoke: demo-linux-x64 passed (exit 0)');
  });

  test('a wrong exit code or stdout fails, saying which', () => {
    const { env } = runner();
    expect(step('fetch', { ...env, TAG: '', REPOSITORY: 'octo/demo' }).code).toBe(0);
    const exit = step('run', { ...env, ARGS: '', EXPECT_EXIT: '0', EXPECT_STDOUT: '', HELLO_EXIT: '3' });
    expect(exit.code).toBe(1);
    expect(exit.errors).toEqual(['smoke: demo-linux-x64 exited 3, expected 0']);
    const out = step('run', { ...env, ARGS: 'x', EXPECT_EXIT: '0', EXPECT_STDOUT: 'goodbye' });
    expect(out.code).toBe(1);
    expect(out.errors).toEqual(['smoke: the stdout of demo-linux-x64 does not match /goodbye/']);
  });

  test('a pack that does not match SHA256SUMS is refused before it runs', () => {
    const { env, dir } = runner();
    spawnSync('tar', ['-xf', path.basename(tar)], { cwd: dir });
    const sums = readFileSync(path.join(dir, 'SHA256SUMS'), 'utf8');
    // Re-pack the tar with a damaged SHA256SUMS.
    writeFileSync(path.join(dir, 'SHA256SUMS'), sums.replace(/^[0-9a-f]/, (c) => (c === '0' ? '1' : '0')));
    spawnSync('tar', ['-cf', path.basename(tar), 'demo-linux-x64', 'SHA256SUMS'], { cwd: dir });
    const fetch = step('fetch', { ...env, TAG: '', REPOSITORY: 'octo/demo' });
    expect(fetch.code).toBe(1);
    expect(fetch.errors[0]).toMatch(/^smoke: demo-linux-x64 has sha256 [0-9a-f]{64}, but SHA256SUMS says [0-9a-f]{64}$/);
  });

  test('tag and artifact together are refused, naming both inputs', () => {
    const temp = tmp('smoke-runner-');
    const r = step('target', { RUNNER_OS: 'Linux', RUNNER_ARCH: 'X64', RUNNER_TEMP: temp, GITHUB_OUTPUT: path.join(temp, 'o'), NAME: 'x', TAG: 'v1', ARTIFACT: 'a', REPOSITORY: 'o/r' });
    expect(r.code).toBe(1);
    expect(r.errors).toEqual(["smoke: give input 'tag' or input 'artifact', not both"]);
  });
});
