// The action end to end, as the runner runs it: `node dist/index.js` with
// INPUT_*/GITHUB_* variables and real GITHUB_OUTPUT/GITHUB_STEP_SUMMARY files,
// against the fake GitHub on 127.0.0.1 (every request checked against the
// OpenAPI description), packing a tiny tree with the stubs in build/stubs.

import { afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { TARGETS } from '../src/targets.js';
import { FakeGitHub } from './fake-github/server.js';
import { ROOT, runAction, type ActionRun } from './fake-github/run-action.js';
import { tmp } from './helpers/tmp.js';

// Where `npm run build:stubs` writes the stubs (PACK_STUBS_OUT overrides it, as for that script).
const STUBS = process.env.PACK_STUBS_OUT ?? path.join(ROOT, 'build', 'stubs');
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let fake: FakeGitHub | undefined;

beforeAll(() => {
  if (!existsSync(path.join(STUBS, 'SHA256SUMS'))) {
    execFileSync(path.join(ROOT, 'node_modules', '.bin', 'node'), [path.join(ROOT, 'scripts', 'build-stubs.mjs')], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  }
  if (!existsSync(path.join(ROOT, 'dist', 'index.js'))) throw new Error('dist/index.js is missing: run `npm run bundle`');
});

afterEach(async () => {
  if (fake) {
    const violations = fake.violations;
    await fake.close();
    fake = undefined;
    expect(violations).toEqual([]);
  }
});

/** A workspace with a tiny tree: bin/hello (a shell script) and bin/hello.exe (a placeholder). */
function workspace(): string {
  const ws = tmp('action-e2e-');
  mkdirSync(path.join(ws, 'tree', 'bin'), { recursive: true });
  writeFileSync(path.join(ws, 'tree', 'bin', 'hello'), '#!/bin/sh\necho "hello from $PACK_ID: $*"\nexit "${HELLO_EXIT:-0}"\n');
  chmodSync(path.join(ws, 'tree', 'bin', 'hello'), 0o755);
  writeFileSync(path.join(ws, 'tree', 'bin', 'hello.exe'), 'not run in these tests\n');
  return ws;
}

const packInputs = { path: 'tree', name: 'hello', command: 'bin/hello{exe}', 'stub-dir': STUBS, 'smoke-args': 'one\ntwo' };

async function start(options: ConstructorParameters<typeof FakeGitHub>[0] = {}): Promise<FakeGitHub> {
  fake = await new FakeGitHub(options).start();
  return fake;
}

function run(f: FakeGitHub, inputs: Record<string, string>, extra: { workspace?: string; env?: Record<string, string>; token?: string } = {}): Promise<ActionRun> {
  return runAction({
    inputs,
    workspace: extra.workspace ?? workspace(),
    token: extra.token ?? f.token,
    env: { GITHUB_API_URL: f.apiUrl, GITHUB_SERVER_URL: f.url, ...extra.env },
  });
}

function expectTokenHidden(r: ActionRun, token: string): void {
  expect(r.stdout.replace(`::add-mask::${token}`, '')).not.toContain(token);
  expect(r.stderr).not.toContain(token);
  expect(r.summary).not.toContain(token);
}

describe('publishing', () => {
  test('a fresh tag: one release, one asset per target plus SHA256SUMS, published last, sums match', async () => {
    const f = await start();
    const ws = workspace();
    const r = await run(f, packInputs, { workspace: ws });
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    expectTokenHidden(r, f.token);
    expect(f.releases).toHaveLength(1);
    const release = f.releases[0]!;
    expect(release.tag_name).toBe('v1.0.0');
    expect(release.draft).toBe(false);
    expect(release.prerelease).toBe(false);
    expect(release.target_commitish).toBe('0123abc456def7890123abc456def7890123abcd');
    const names = TARGETS.map((t) => `hello-${t}${t.startsWith('windows') ? '.exe' : ''}`);
    expect(release.assets.map((a) => a.name).sort()).toEqual([...names, 'SHA256SUMS'].sort());
    // Created as a draft, published only after the last upload.
    const creates = f.requests.filter((q) => q.operationId === 'repos/create-release');
    expect(creates).toHaveLength(1);
    const publishAt = f.events.findIndex((e) => e.type === 'publish');
    expect(publishAt).toBe(f.events.length - 1);
    // SHA256SUMS uploaded covers exactly the uploaded packs.
    const sums = release.assets.find((a) => a.name === 'SHA256SUMS')!.data.toString('utf8');
    const lines = sums.trim().split('\n');
    expect(lines).toHaveLength(6);
    for (const line of lines) {
      const [hash, name] = line.split('  ');
      const asset = release.assets.find((a) => a.name === name)!;
      expect(sha256(asset.data)).toBe(hash);
      expect(asset.data.equals(readFileSync(path.join(ws, 'packs', name!)))).toBe(true);
    }
    // Outputs and summary.
    const packs = JSON.parse(r.outputs.packs!) as { target: string; file: string; size: number; sha256: string; url: string; smoke: string }[];
    expect(packs.map((p) => p.target)).toEqual([...TARGETS]);
    for (const p of packs) {
      expect(p.url).toBe(`${f.url}/octo/hello/releases/download/v1.0.0/${path.basename(p.file)}`);
      expect(p.size).toBe(statSync(p.file).size);
    }
    expect(packs.find((p) => p.target === 'linux-x64')!.smoke).toBe('passed');
    expect(r.outputs.checksums).toBe(path.join(ws, 'packs', 'SHA256SUMS'));
    expect(readFileSync(r.outputs.checksums!, 'utf8')).toBe(sums);
    expect(r.outputs['release-url']).toBe(`${f.url}/octo/hello/releases/tag/v1.0.0`);
    expect(r.summary).toContain('| target | size | sha256 | smoke | download |');
    expect(r.summary).toContain(`| linux-x64 | 1.`);
    expect(r.summary).toContain(`[hello-linux-x64](${f.url}/octo/hello/releases/download/v1.0.0/hello-linux-x64)`);
    expect(r.summary).toMatch(/\| linux-x64 \|[^\n]*✅ passed \(native\)/);
  });

  test('the same run twice: still one release, assets replaced, no duplicates; overwrite false fails naming the asset', async () => {
    const f = await start();
    const inputs = { ...packInputs, targets: 'linux-x64 windows-x64' };
    expect((await run(f, inputs)).code).toBe(0);
    const first = f.releases[0]!.assets.map((a) => a.id);
    const again = await run(f, inputs);
    expect(again.errors).toEqual([]);
    expect(f.releases).toHaveLength(1);
    const assets = f.releases[0]!.assets;
    expect(assets.map((a) => a.name).sort()).toEqual(['SHA256SUMS', 'hello-linux-x64', 'hello-windows-x64.exe']);
    expect(assets.some((a) => first.includes(a.id))).toBe(false);
    expect(f.requests.filter((q) => q.operationId === 'repos/create-release')).toHaveLength(1);

    const uploadsBefore = f.events.filter((e) => e.type === 'upload').length;
    const refused = await run(f, { ...inputs, overwrite: 'false' });
    expect(refused.code).toBe(1);
    expect(refused.errors).toEqual([
      "release asset 'hello-linux-x64' already exists on the release for tag v1.0.0; set input 'overwrite' to true to replace it",
    ]);
    expect(f.events.filter((e) => e.type === 'upload')).toHaveLength(uploadsBefore);
  });
});

describe('smoke', () => {
  test('a pack that fails its smoke test fails the job, naming the target, and nothing is published', async () => {
    const f = await start();
    const r = await run(f, { ...packInputs, targets: 'linux-x64 windows-x64', 'smoke-exit-code': '3' });
    expect(r.code).toBe(1);
    expect(r.errors).toEqual(['smoke test failed for linux-x64 (exited 0, expected 3); nothing was published']);
    expect(f.requests).toEqual([]);
    expect(JSON.parse(r.outputs.packs!).map((p: { smoke: string }) => p.smoke)).toEqual(['failed', 'skipped']);
    expect(r.summary).toMatch(/\| linux-x64 \|[^\n]*❌ failed: exited 0, expected 3/);
  });
});

describe('faults', () => {
  const two = { ...packInputs, targets: 'linux-x64 darwin-arm64' };

  test('a 502 then success', async () => {
    const f = await start();
    f.inject('repos/upload-release-asset', { kind: 'status', status: 502, message: 'Bad Gateway' });
    const r = await run(f, two);
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/server error 502; retry 1 of 5 in 1 s/);
    expect(f.releases[0]!.assets).toHaveLength(3);
  });

  test('a connection reset mid-upload: retried with a fresh stream, the stale asset replaced', async () => {
    const f = await start();
    f.inject('repos/upload-release-asset', { kind: 'reset', afterBytes: 64 * 1024, leaveStale: true });
    const r = await run(f, two);
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    const first = f.requests.filter((q) => q.operationId === 'repos/upload-release-asset' && q.name === 'hello-linux-x64');
    expect(first.map((q) => q.status)).toEqual([-1, 422, 201]);
    const asset = f.releases[0]!.assets.filter((a) => a.name === 'hello-linux-x64');
    expect(asset).toHaveLength(1);
    expect(asset[0]!.data.equals(readFileSync(path.join(r.workspace, 'packs', 'hello-linux-x64')))).toBe(true);
  });

  test('a 422 already_exists race: re-listed, deleted, uploaded again', async () => {
    const f = await start();
    f.inject('repos/upload-release-asset', { kind: 'already-exists-race' });
    const r = await run(f, two);
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    const asset = f.releases[0]!.assets.filter((a) => a.name === 'hello-linux-x64');
    expect(asset).toHaveLength(1);
    expect(asset[0]!.data.equals(readFileSync(path.join(r.workspace, 'packs', 'hello-linux-x64')))).toBe(true);
  });

  test('a secondary rate limit with Retry-After: waits, then succeeds', async () => {
    const f = await start();
    f.inject('repos/create-release', {
      kind: 'status',
      status: 403,
      message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      headers: { 'retry-after': '2' },
    });
    const r = await run(f, two);
    expect(r.errors).toEqual([]);
    const creates = f.requests.filter((q) => q.operationId === 'repos/create-release');
    expect(creates.map((q) => q.status)).toEqual([403, 201]);
    expect(creates[1]!.at - creates[0]!.at).toBeGreaterThanOrEqual(1900);
  });

  test('a 403: not retried, the job fails saying to grant contents: write, nothing published', async () => {
    const f = await start();
    f.inject('repos/create-release', { kind: 'status', status: 403, message: 'Resource not accessible by integration' });
    const r = await run(f, two);
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/create a release for tag v1.0.0 failed \(HTTP 403: Resource not accessible by integration.*\); grant the workflow `permissions: contents: write`/);
    expect(f.requests.filter((q) => q.operationId === 'repos/create-release')).toHaveLength(1);
    expect(f.releases).toEqual([]);
  });
});

describe('the matrix flow', () => {
  test('mode pack per target writes artifact tars; two publish jobs for one tag at once make one release', async () => {
    const f = await start();
    const collected = tmp('artifacts-');
    for (const target of ['linux-x64', 'windows-x64']) {
      const r = await run(f, { ...packInputs, mode: 'pack', targets: target });
      expect(r.errors).toEqual([]);
      expect(r.outputs.artifact).toBe(path.join(r.workspace, 'packs', `hello-${target}.packs.tar`));
      // What download-artifact would put in the publish job's directory.
      const dest = path.join(collected, `pack-${target}`);
      mkdirSync(dest);
      writeFileSync(path.join(dest, path.basename(r.outputs.artifact!)), readFileSync(r.outputs.artifact!));
      // The tar keeps the executable bit.
      const listing = execFileSync('tar', ['-tvf', r.outputs.artifact!], { encoding: 'utf8' });
      expect(listing).toMatch(/^-rwxr-xr-x .* hello-(linux|windows)-x64(\.exe)?$/m);
    }
    expect(f.requests).toEqual([]);
    // Both jobs look, find nothing, and create a draft before either sees the other's.
    f.holdUntil('repos/create-release', 2);
    const publish = { mode: 'publish', path: collected };
    const [a, b] = await Promise.all([run(f, publish), run(f, publish)]);
    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);
    expect(f.requests.filter((q) => q.operationId === 'repos/create-release').map((q) => q.status)).toEqual([201, 201]);
    expect(f.requests.filter((q) => q.operationId === 'repos/delete-release').map((q) => q.status)).toEqual([204]);
    expect(f.releases).toHaveLength(1);
    expect(f.releases[0]!.draft).toBe(false);
    expect(f.releases[0]!.assets.map((x) => x.name).sort()).toEqual(['SHA256SUMS', 'hello-linux-x64', 'hello-windows-x64.exe']);
    const sums = f.releases[0]!.assets.find((x) => x.name === 'SHA256SUMS')!.data.toString('utf8');
    for (const asset of f.releases[0]!.assets.filter((x) => x.name !== 'SHA256SUMS')) {
      expect(sums).toContain(`${sha256(asset.data)}  ${asset.name}\n`);
    }
  });
});

describe('stubs downloaded', () => {
  let server: http.Server | undefined;
  let base: string;
  const serve = (wrong: Set<string>) =>
    new Promise<void>((resolve) => {
      server = http.createServer((req, res) => {
        const name = path.basename(req.url ?? '');
        if (!readdirSync(STUBS).includes(name)) return void res.writeHead(404).end();
        res.end(wrong.has(name) ? Buffer.from('a different stub') : readFileSync(path.join(STUBS, name)));
      });
      server!.listen(0, '127.0.0.1', () => {
        base = `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
        resolve();
      });
    });
  afterEach(async () => {
    if (server) await new Promise<void>((r) => server!.close(() => r()));
    server = undefined;
  });

  test('dist/stub-checksums.json lists exactly the stubs in build/stubs (else run `npm run bundle`)', () => {
    const shipped = JSON.parse(readFileSync(path.join(ROOT, 'dist', 'stub-checksums.json'), 'utf8')) as { files: Record<string, string> };
    const built = readFileSync(path.join(STUBS, 'SHA256SUMS'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split('  ').reverse() as [string, string]);
    expect(shipped.files).toEqual(Object.fromEntries(built));
  });

  test('from stub-url, verified against dist/stub-checksums.json, then packed', async () => {
    await serve(new Set());
    const r = await runAction({
      workspace: workspace(),
      inputs: { ...packInputs, 'stub-dir': '', 'stub-url': `${base}/v{version}/{file}`, targets: 'linux-x64 windows-arm64', release: 'false' },
    });
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/stub for linux-x64: downloaded http:\/\/127\.0\.0\.1:\d+\/v0\.1\.0\/pack-stub-linux-x64/);
  });

  test('a stub with the wrong checksum fails the job naming the target, and writes no pack', async () => {
    await serve(new Set(['pack-stub-windows-arm64.exe']));
    const r = await runAction({
      workspace: workspace(),
      inputs: { ...packInputs, 'stub-dir': '', 'stub-url': `${base}/v{version}/{file}`, targets: 'linux-x64 windows-arm64', release: 'false' },
    });
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/^stub for windows-arm64: http:\/\/127\.0\.0\.1:\d+\/v0\.1\.0\/pack-stub-windows-arm64\.exe has sha256 [0-9a-f]{64}, but this action expects [0-9a-f]{64}; refusing a damaged or replaced stub$/);
    expect(existsSync(path.join(r.workspace, 'packs'))).toBe(false);
  });
});

describe('bad inputs fail with one line naming the input, and write nothing', () => {
  test.each([
    [{ targets: 'linux-x64 plan9-x64' }, /^input 'targets': unknown target 'plan9-x64'; use all, host or some of linux-x64/],
    [{ release: 'maybe' }, /^input 'release' must be false, draft or true, got 'maybe'$/],
    [{ path: '' }, /^input 'path' is required: the directory tree to pack$/],
    [{ 'smoke-exit-code': 'zero' }, /^input 'smoke-exit-code' must be a whole number/],
  ])('%j', async (inputs, message) => {
    const ws = workspace();
    const r = await runAction({ inputs: { ...packInputs, ...inputs }, workspace: ws, token: 'ghs_unused' });
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(message);
    expect(existsSync(path.join(ws, 'packs'))).toBe(false);
  });
});
