// The GitHub API, behind the small ReleaseClient interface the release flow
// needs. Octokit comes from @actions/github (GITHUB_API_URL, proxies) with
// @octokit/plugin-retry as the retry mechanism and @octokit/plugin-throttling
// to pace writes; which failures are retried is decided by retry.ts alone.

import { createReadStream, type ReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { getOctokit } from '@actions/github';
import { HttpClient } from '@actions/http-client';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { classify, failureOf, MAX_RETRIES, type Failure } from './retry.js';

export interface Release {
  id: number;
  tag: string;
  draft: boolean;
  prerelease: boolean;
  immutable: boolean;
  htmlUrl: string;
  uploadUrl: string;
  assets: Asset[];
}

export interface Asset {
  id: number;
  name: string;
  label: string;
  size: number;
  /** browser_download_url */
  url: string;
}

export interface NewRelease {
  tag: string;
  name: string;
  draft: boolean;
  prerelease: boolean;
  targetCommitish?: string;
}

/** What the release flow needs from GitHub; tests may pass a fake. */
export interface ReleaseClient {
  /** The published release for a tag (GitHub never returns drafts here), or undefined. */
  getReleaseByTag(tag: string): Promise<Release | undefined>;
  /** The newest releases, drafts included, up to `pages` pages of 100. */
  listReleases(pages: number): Promise<Release[]>;
  createRelease(release: NewRelease): Promise<Release>;
  updateRelease(id: number, change: { draft?: boolean; prerelease?: boolean }): Promise<Release>;
  deleteRelease(id: number): Promise<void>;
  listAssets(releaseId: number): Promise<Asset[]>;
  /** Streams `file` (of `size` bytes) as asset `name`; the file is re-opened for every attempt. */
  uploadAsset(release: Release, name: string, file: string, size: number): Promise<Asset>;
  /** Deletes an asset; an asset that is already gone counts as deleted. */
  deleteAsset(id: number): Promise<void>;
}

/** A failed API call: what was being done, and the classified failure. */
export class GitHubError extends Error {
  override name = 'GitHubError';
  constructor(
    message: string,
    readonly failure: Failure,
  ) {
    super(message);
  }
}

/** One line for a failed call, with what to do for the failures users can fix. */
export function describeFailure(what: string, failure: Failure): string {
  const status = failure.status === undefined ? 'no response' : `HTTP ${failure.status}`;
  const base = `GitHub API: ${what} failed (${status}: ${failure.message})${failure.gaveUp ? `; ${failure.gaveUp}` : ''}`;
  if (failure.status === 401) return `${base}; the token was rejected: check input 'token'`;
  if (failure.status === 403 && !failure.gaveUp) {
    return `${base}; grant the workflow \`permissions: contents: write\` (or pass a token that may write releases in input 'token')`;
  }
  if (failure.status === 404) {
    return `${base}; check GITHUB_REPOSITORY and that the token can see the repository (a 404 also means missing \`permissions: contents: write\` on private repositories)`;
  }
  return base;
}

interface RequestOptions {
  request?: { openBody?: () => ReadStream };
  [key: string]: unknown;
}
type HookRequest = (options: RequestOptions) => Promise<unknown>;
interface HookedOctokit {
  hook: {
    wrap(name: 'request', fn: (request: HookRequest, options: RequestOptions) => Promise<unknown>): void;
    error(name: 'request', fn: (error: unknown, options: RequestOptions) => Promise<unknown>): void;
  };
  retry?: { retryRequest(error: unknown, retries: number, retryAfterSeconds: number): unknown };
  log: { warn(message: string): void };
}

/**
 * Our octokit plugin, registered before plugin-retry so that its hooks run
 * inside every retry attempt: it re-opens a streamed body per attempt (a
 * consumed stream cannot be sent twice) and hands each failure to classify(),
 * marking the retryable ones for plugin-retry with classify's delay.
 */
function classifiedRetries(octokit: unknown): Record<string, never> {
  const o = octokit as HookedOctokit;
  // Attempts per request, counted here: plugin-retry's options.request.retryCount
  // lives on an object octokit shares between requests, so it leaks across them.
  const attempts = new WeakMap<RequestOptions, number>();
  o.hook.wrap('request', async (request, options) => {
    attempts.set(options, (attempts.get(options) ?? 0) + 1);
    const open = options.request?.openBody;
    if (open === undefined) return request(options);
    // Hooks inside ours (octokit's auth) are bound to this same options
    // object and ignore arguments, so the fresh body is set on it in place.
    const body = open();
    options.data = body;
    try {
      return await request(options);
    } finally {
      body.destroy();
    }
  });
  o.hook.error('request', async (error, options) => {
    const attempt = (attempts.get(options) ?? 1) - 1;
    const verdict = classify(failureOf(error), attempt);
    if (verdict.retry && o.retry) {
      o.log.warn(`${String(options.method)} ${String(options.url)}: ${verdict.reason}; retry ${attempt + 1} of ${MAX_RETRIES} in ${verdict.delaySeconds} s`);
      throw o.retry.retryRequest(error, MAX_RETRIES, verdict.delaySeconds);
    }
    // Say in the final message why retrying stopped.
    if (!verdict.retry && verdict.gaveUp && typeof error === 'object' && error !== null) {
      (error as { packActionGaveUp?: string }).packActionGaveUp = verdict.reason;
    }
    throw error;
  });
  return {};
}

/**
 * A fetch for uploads that really streams: Node's fetch (undici) holds a
 * streamed request body in memory (a 1 GiB upload peaked at 1.1 GiB RSS),
 * while @actions/http-client pipes it into the socket with backpressure (and
 * honours the runner's proxy settings). Network errors reject, as fetch's do,
 * so octokit reports them as such and classify() retries them.
 */
async function streamingFetch(url: string | URL | Request, init?: RequestInit): Promise<Response> {
  const client = new HttpClient('pack-action', [], { allowRedirects: false });
  const headers = Object.fromEntries(Object.entries((init?.headers ?? {}) as Record<string, string>));
  const res = await client.sendStream(init?.method ?? 'POST', String(url), init?.body as unknown as Readable, headers);
  const body = await res.readBody();
  const responseHeaders = new Headers();
  for (const [name, value] of Object.entries(res.message.headers)) {
    if (value !== undefined) responseHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const status = res.message.statusCode ?? 500;
  return new Response(status === 204 || status === 205 ? null : body, { status, headers: responseHeaders });
}

/** Every HTTP error status: plugin-retry must not apply its own classification, only ours. */
const ALL_ERROR_STATUSES = Array.from({ length: 200 }, (_, i) => 400 + i);

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
}

export interface ClientOptions {
  token: string;
  apiUrl: string;
  owner: string;
  repo: string;
  log: Logger;
}

interface RawRelease {
  id: number;
  tag_name: string;
  draft: boolean;
  prerelease: boolean;
  immutable?: boolean;
  html_url: string;
  upload_url: string;
  assets?: RawAsset[];
}
interface RawAsset {
  id: number;
  name: string;
  label?: string | null;
  size: number;
  browser_download_url: string;
}

function toAsset(a: RawAsset): Asset {
  return { id: a.id, name: a.name, label: a.label ?? '', size: a.size, url: a.browser_download_url };
}

function toRelease(r: RawRelease): Release {
  return {
    id: r.id,
    tag: r.tag_name,
    draft: r.draft,
    prerelease: r.prerelease,
    immutable: r.immutable === true,
    htmlUrl: r.html_url,
    uploadUrl: r.upload_url,
    assets: (r.assets ?? []).map(toAsset),
  };
}

export function createReleaseClient(options: ClientOptions): ReleaseClient {
  const { owner, repo, log } = options;
  const octokit = getOctokit(
    options.token,
    {
      baseUrl: options.apiUrl,
      log: { debug: log.debug, info: log.info, warn: log.warning, error: log.warning },
      retry: { doNotRetry: ALL_ERROR_STATUSES },
      throttle: {
        // Rate limits were already retried (or given up on) by classify().
        onRateLimit: () => false,
        onSecondaryRateLimit: () => false,
      },
    },
    classifiedRetries,
    retry,
    throttling,
  );

  async function call<T>(what: string, fn: () => Promise<{ data: T }>): Promise<T> {
    try {
      return (await fn()).data;
    } catch (error) {
      const failure = failureOf(error);
      throw new GitHubError(describeFailure(what, failure), failure);
    }
  }

  return {
    async getReleaseByTag(tag) {
      try {
        return toRelease((await octokit.rest.repos.getReleaseByTag({ owner, repo, tag })).data as RawRelease);
      } catch (error) {
        const failure = failureOf(error);
        if (failure.status === 404) return undefined;
        throw new GitHubError(describeFailure(`get the release for tag ${tag}`, failure), failure);
      }
    },
    async listReleases(pages) {
      const out: Release[] = [];
      for (let page = 1; page <= pages; page++) {
        const data = await call(`list releases (page ${page})`, () =>
          octokit.rest.repos.listReleases({ owner, repo, per_page: 100, page }),
        );
        out.push(...(data as RawRelease[]).map(toRelease));
        if (data.length < 100) break;
      }
      return out;
    },
    async createRelease(r) {
      const data = await call(`create a release for tag ${r.tag}`, () =>
        octokit.rest.repos.createRelease({
          owner,
          repo,
          tag_name: r.tag,
          name: r.name,
          draft: r.draft,
          prerelease: r.prerelease,
          ...(r.targetCommitish ? { target_commitish: r.targetCommitish } : {}),
        }),
      );
      return toRelease(data as RawRelease);
    },
    async updateRelease(id, change) {
      const data = await call(`update release ${id}`, () =>
        octokit.rest.repos.updateRelease({ owner, repo, release_id: id, ...change }),
      );
      return toRelease(data as RawRelease);
    },
    async deleteRelease(id) {
      await call(`delete release ${id}`, () => octokit.rest.repos.deleteRelease({ owner, repo, release_id: id }));
    },
    async listAssets(releaseId) {
      const data = await call(`list the assets of release ${releaseId}`, () =>
        octokit.paginate(octokit.rest.repos.listReleaseAssets, { owner, repo, release_id: releaseId, per_page: 100 }).then((d) => ({ data: d })),
      );
      return (data as RawAsset[]).map(toAsset);
    },
    async uploadAsset(release, name, file, size) {
      const data = await call(`upload ${name}`, () =>
        octokit.request({
          method: 'POST',
          url: release.uploadUrl,
          name,
          label: name,
          headers: { 'content-type': 'application/octet-stream', 'content-length': size },
          // Replaced by a fresh stream for every attempt (classifiedRetries).
          data: '',
          request: { openBody: () => createReadStream(file), fetch: streamingFetch },
        }),
      );
      return toAsset(data as RawAsset);
    },
    async deleteAsset(id) {
      try {
        await octokit.rest.repos.deleteReleaseAsset({ owner, repo, asset_id: id });
      } catch (error) {
        const failure = failureOf(error);
        // A retried delete whose first attempt went through finds nothing left.
        if (failure.status === 404) return;
        throw new GitHubError(describeFailure(`delete asset ${id}`, failure), failure);
      }
    },
  };
}
