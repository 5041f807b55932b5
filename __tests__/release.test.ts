// The release flow and the octokit client in-process against the fake GitHub
// (real HTTP on 127.0.0.1, every request checked against the OpenAPI
// description): the cases the end-to-end tests (action.e2e.test.ts) do not
// reach, and the retry classification table.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createReleaseClient, type ReleaseClient } from '../src/github.js';
import { canonical, publishRelease, ReleaseError, type UploadFile } from '../src/release.js';
import { classify } from '../src/retry.js';
import { FakeGitHub } from './fake-github/server.js';
import { tmp } from './helpers/tmp.js';

let fake: FakeGitHub;
let logs: string[];
let files: UploadFile[];

function client(token = fake.token): ReleaseClient {
  const log = { debug: () => {}, info: (m: string) => logs.push(m), warning: (m: string) => logs.push(`warning: ${m}`) };
  return createReleaseClient({ token, apiUrl: fake.apiUrl, owner: fake.owner, repo: fake.repo, log });
}

function publish(c: ReleaseClient, over: Partial<Parameters<typeof publishRelease>[1]> = {}) {
  return publishRelease(c, { tag: 'v1.0.0', title: 'v1.0.0', prerelease: false, publish: true, overwrite: true, files, log: (m) => logs.push(m), ...over });
}

beforeEach(async () => {
  fake = await new FakeGitHub().start();
  logs = [];
  const dir = tmp('release-test-');
  files = ['app-linux-x64', 'app-windows-x64.exe', 'SHA256SUMS'].map((name, i) => {
    const file = path.join(dir, name);
    writeFileSync(file, Buffer.alloc(100_000 + i, i + 1));
    return { name, path: file, size: 100_000 + i };
  });
});
afterEach(async () => {
  const violations = fake.violations;
  await fake.close();
  expect(violations).toEqual([]);
});

describe('publishRelease', () => {
  test('fresh tag: one release, created as a draft, assets uploaded, published last', async () => {
    const { release, assets } = await publish(client());
    expect(fake.releases).toHaveLength(1);
    const r = fake.releases[0]!;
    expect(r.draft).toBe(false);
    expect(r.assets.map((a) => a.name).sort()).toEqual(files.map((f) => f.name).sort());
    expect(r.assets.find((a) => a.name === 'app-linux-x64')!.data.equals(Buffer.alloc(100_000, 1))).toBe(true);
    const creates = fake.requests.filter((q) => q.operationId === 'repos/create-release');
    expect(creates).toHaveLength(1);
    const lastUpload = Math.max(...fake.events.filter((e) => e.type === 'upload').map((e) => fake.events.indexOf(e)));
    expect(fake.events.findIndex((e) => e.type === 'publish')).toBeGreaterThan(lastUpload);
    expect(release.htmlUrl).toBe(`${fake.url}/octo/hello/releases/tag/v1.0.0`);
    expect(assets.get('SHA256SUMS')!.url).toBe(`${fake.url}/octo/hello/releases/download/v1.0.0/SHA256SUMS`);
  });

  test('immutable releases: publishing last means every asset is in', async () => {
    await fake.close();
    fake = await new FakeGitHub({ immutableReleases: true }).start();
    await publish(client());
    expect(fake.releases[0]!.immutable).toBe(true);
    expect(fake.releases[0]!.assets).toHaveLength(3);
    await expect(publish(client())).rejects.toThrow(/published and immutable/);
  });

  test('reuses an existing draft for the tag (getReleaseByTag cannot see it)', async () => {
    const draft = fake.addRelease({ tag_name: 'v1.0.0', draft: true });
    await publish(client(), { publish: false });
    expect(fake.releases).toHaveLength(1);
    expect(fake.releases[0]!.id).toBe(draft.id);
    expect(fake.releases[0]!.draft).toBe(true);
  });

  test('overwrite false fails naming the asset, before uploading anything', async () => {
    const r = fake.addRelease({ tag_name: 'v1.0.0' });
    r.assets.push({ id: 1, name: 'app-windows-x64.exe', label: '', state: 'uploaded', data: Buffer.from('x'), created: 0 });
    await expect(publish(client(), { overwrite: false })).rejects.toThrow(
      new ReleaseError("release asset 'app-windows-x64.exe' already exists on the release for tag v1.0.0; set input 'overwrite' to true to replace it"),
    );
    expect(fake.events.filter((e) => e.type === 'upload')).toEqual([]);
  });

  test('a rate limit that resets too late is not waited for, and the message says why', async () => {
    const reset = String(Math.floor(Date.now() / 1000) + 3600);
    fake.inject('repos/create-release', { kind: 'status', status: 403, message: 'API rate limit exceeded', headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset } });
    await expect(publish(client())).rejects.toThrow(
      /^GitHub API: create a release for tag v1.0.0 failed \(HTTP 403: API rate limit exceeded\); rate limit exhausted, resets in 360\d s; that is longer than the 15 minutes this action waits$/,
    );
    expect(fake.requests.filter((q) => q.operationId === 'repos/create-release')).toHaveLength(1);
  });

  test('a bad token is a 401, not retried, naming the input', async () => {
    await expect(publish(client('ghs_wrong'))).rejects.toThrow(/HTTP 401: Bad credentials\); the token was rejected: check input 'token'/);
  });
});

describe('the fake GitHub checks requests against the OpenAPI description', () => {
  const send = (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(url, {
      method,
      headers: { authorization: `token ${fake.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  test('unknown operations, missing or mistyped fields, and uploads to the wrong origin are refused and recorded', async () => {
    expect((await send('POST', `${fake.apiUrl}/repos/octo/hello/releases`, { name: 'no tag' })).status).toBe(400);
    expect((await send('POST', `${fake.apiUrl}/repos/octo/hello/releases`, { tag_name: 'v1', draft: 'yes' })).status).toBe(400);
    expect((await send('POST', `${fake.apiUrl}/repos/octo/hello/releases`, { tag_name: 'v1', drafts: true })).status).toBe(400);
    expect((await send('GET', `${fake.apiUrl}/repos/octo/hello/releases?per_page=many`)).status).toBe(400);
    expect((await send('PUT', `${fake.apiUrl}/repos/octo/hello/releases/1`)).status).toBe(400);
    expect((await send('POST', `${fake.apiUrl}/repos/octo/hello/releases/1/assets?name=x`, undefined, { 'content-type': 'application/octet-stream' })).status).toBe(400);
    expect(fake.violations).toEqual([
      'POST /repos/octo/hello/releases: body.tag_name is required',
      'POST /repos/octo/hello/releases: body.draft must be boolean, got "yes"',
      'POST /repos/octo/hello/releases: body.drafts is not a field of this operation',
      "GET /repos/octo/hello/releases: query parameter 'per_page' must be an integer, got 'many'",
      'PUT /repos/octo/hello/releases/1: not an operation of the GitHub REST API',
      'POST /repos/octo/hello/releases/1/assets: repos/upload-release-asset must be sent to the uploads origin',
    ]);
    fake.violations = [];
  });
});

describe('canonical and classify', () => {
  const r = (id: number, draft: boolean) => ({ id, draft, tag: 't', prerelease: false, immutable: false, htmlUrl: '', uploadUrl: '', assets: [] });
  test('published beats draft, then the lowest id', () => {
    expect(canonical([r(5, true), r(3, true)])!.id).toBe(3);
    expect(canonical([r(5, false), r(3, true)])!.id).toBe(5);
    expect(canonical([])).toBeUndefined();
  });
  const f = (status: number | undefined, headers: Record<string, string> = {}, message = 'x') => ({ status, headers, message, codes: [] });
  test.each([
    ['network error', f(undefined), 0, { retry: true, delaySeconds: 1 }],
    ['network error, 4th retry', f(undefined), 3, { retry: true, delaySeconds: 8 }],
    ['502', f(502), 0, { retry: true, delaySeconds: 1 }],
    ['503 with Retry-After', f(503, { 'retry-after': '7' }), 0, { retry: true, delaySeconds: 7 }],
    ['429', f(429), 1, { retry: true, delaySeconds: 2 }],
    ['429 with Retry-After', f(429, { 'retry-after': '3' }), 1, { retry: true, delaySeconds: 3 }],
    ['secondary rate limit without Retry-After', f(403, {}, 'You have exceeded a secondary rate limit'), 0, { retry: true, delaySeconds: 60 }],
    ['primary rate limit, resets in 10 s', f(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1010' }), 0, { retry: true, delaySeconds: 11 }],
    ['primary rate limit, resets in a day', f(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '99999' }), 0, { retry: false }],
    ['403', f(403), 0, { retry: false }],
    ['401', f(401), 0, { retry: false }],
    ['404', f(404), 0, { retry: false }],
    ['422', f(422), 0, { retry: false }],
    ['502 after 5 retries', f(502), 5, { retry: false }],
  ])('%s', (_name, failure, attempt, want) => {
    expect(classify(failure, attempt, 1_000_000)).toMatchObject(want);
  });
});
