// A fake GitHub on 127.0.0.1 for the action's end-to-end tests: the release
// endpoints the action calls, laid out as on GitHub Enterprise Server (API
// under /api/v3, uploads under /api/uploads) so GITHUB_API_URL handling is
// exercised too. Every request is checked against the OpenAPI description
// (openapi.ts); a request that does not conform gets a 400 and is recorded in
// `violations`. Faults can be injected per operation.

import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { validate } from './openapi.js';

export interface FakeAsset {
  id: number;
  name: string;
  label: string;
  state: 'uploaded' | 'starter';
  data: Buffer;
  created: number;
}

export interface FakeRelease {
  id: number;
  tag_name: string;
  name: string;
  body: string;
  draft: boolean;
  prerelease: boolean;
  immutable: boolean;
  target_commitish: string;
  untagged: string;
  created_at: string;
  published_at: string | null;
  assets: FakeAsset[];
}

export type Fault =
  /** Answer with this status (and headers/message) instead of serving the request. */
  | { kind: 'status'; status: number; message?: string; headers?: Record<string, string> }
  /** Read part of the upload body, then destroy the connection; optionally leave a half-made asset behind, as GitHub can. */
  | { kind: 'reset'; afterBytes: number; leaveStale?: boolean }
  /** Let another "job" upload the same asset name first, then answer 422 already_exists. */
  | { kind: 'already-exists-race' };

interface Injection {
  operationId: string;
  times: number;
  fault: Fault;
}

export interface LoggedRequest {
  operationId: string;
  method: string;
  path: string;
  status: number;
  at: number;
  /** The query's name parameter (uploads). */
  name?: string;
  authorization?: string;
}

export interface FakeOptions {
  owner?: string;
  repo?: string;
  token?: string;
  /** Delay before answering each request, to widen races between jobs. */
  latencyMs?: number;
  /** Published releases become immutable: their assets can no longer change. */
  immutableReleases?: boolean;
}

export class FakeGitHub {
  readonly owner: string;
  readonly repo: string;
  readonly token: string;
  releases: FakeRelease[] = [];
  requests: LoggedRequest[] = [];
  violations: string[] = [];
  /** Order of completed uploads and publishes, for "published last". */
  events: { type: 'upload' | 'publish' | 'delete-asset'; release: number; name?: string; at: number }[] = [];
  private injections: Injection[] = [];
  private barriers: { operationId: string; count: number; waiting: (() => void)[] }[] = [];
  private nextId = 1000;
  private server = http.createServer((req, res) => void this.handle(req, res));
  url = '';

  constructor(private readonly options: FakeOptions = {}) {
    this.owner = options.owner ?? 'octo';
    this.repo = options.repo ?? 'hello';
    this.token = options.token ?? `ghs_${randomBytes(12).toString('hex')}`;
  }

  get apiUrl(): string {
    return `${this.url}/api/v3`;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The next `times` requests to `operationId` (e.g. repos/upload-release-asset) get `fault`. */
  inject(operationId: string, fault: Fault, times = 1): void {
    this.injections.push({ operationId, times, fault });
  }

  /**
   * Holds requests to `operationId` until `count` of them have arrived (or
   * 10 s passed), then serves them all: two jobs then both act on the state
   * they saw before either changed it, which makes a race certain.
   */
  holdUntil(operationId: string, count: number): void {
    this.barriers.push({ operationId, count, waiting: [] });
  }

  private async barrier(operationId: string): Promise<void> {
    const b = this.barriers.find((x) => x.operationId === operationId);
    if (!b) return;
    await new Promise<void>((resolve) => {
      b.waiting.push(resolve);
      if (b.waiting.length >= b.count) {
        this.barriers.splice(this.barriers.indexOf(b), 1);
        for (const go of b.waiting) go();
      } else {
        setTimeout(resolve, 10_000).unref();
      }
    });
  }

  /** Adds a release directly, as if made earlier. */
  addRelease(fields: Partial<FakeRelease> & { tag_name: string }): FakeRelease {
    const release: FakeRelease = {
      id: this.nextId++,
      name: fields.tag_name,
      body: '',
      draft: false,
      prerelease: false,
      immutable: false,
      target_commitish: 'main',
      untagged: `untagged-${randomBytes(10).toString('hex')}`,
      created_at: new Date().toISOString(),
      published_at: fields.draft ? null : new Date().toISOString(),
      assets: [],
      ...fields,
    };
    this.releases.push(release);
    return release;
  }

  private takeFault(operationId: string): Fault | undefined {
    const i = this.injections.findIndex((x) => x.operationId === operationId && x.times > 0);
    if (i < 0) return undefined;
    this.injections[i]!.times--;
    return this.injections[i]!.fault;
  }

  private releaseJson(r: FakeRelease): object {
    const base = `${this.apiUrl}/repos/${this.owner}/${this.repo}`;
    const tagPart = r.draft ? r.untagged : r.tag_name;
    return {
      url: `${base}/releases/${r.id}`,
      html_url: `${this.url}/${this.owner}/${this.repo}/releases/tag/${tagPart}`,
      assets_url: `${base}/releases/${r.id}/assets`,
      upload_url: `${this.url}/api/uploads/repos/${this.owner}/${this.repo}/releases/${r.id}/assets{?name,label}`,
      tarball_url: `${base}/tarball/${r.tag_name}`,
      zipball_url: `${base}/zipball/${r.tag_name}`,
      id: r.id,
      node_id: `RE_${r.id}`,
      tag_name: r.tag_name,
      target_commitish: r.target_commitish,
      name: r.name,
      body: r.body,
      draft: r.draft,
      prerelease: r.prerelease,
      immutable: r.immutable,
      created_at: r.created_at,
      published_at: r.published_at,
      author: { login: 'github-actions[bot]', id: 41898282, type: 'Bot' },
      assets: r.assets.map((a) => this.assetJson(r, a)),
    };
  }

  private assetJson(r: FakeRelease, a: FakeAsset): object {
    return {
      url: `${this.apiUrl}/repos/${this.owner}/${this.repo}/releases/assets/${a.id}`,
      browser_download_url: `${this.url}/${this.owner}/${this.repo}/releases/download/${r.draft ? r.untagged : r.tag_name}/${a.name}`,
      id: a.id,
      node_id: `RA_${a.id}`,
      name: a.name,
      label: a.label,
      state: a.state,
      content_type: 'application/octet-stream',
      size: a.data.length,
      download_count: 0,
      created_at: new Date(a.created).toISOString(),
      updated_at: new Date(a.created).toISOString(),
      uploader: null,
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const onUploads = url.pathname.startsWith('/api/uploads/');
    const prefix = onUploads ? '/api/uploads' : '/api/v3';
    const log: LoggedRequest = {
      operationId: '?',
      method: req.method ?? '',
      path: url.pathname + url.search,
      status: 0,
      at: Date.now(),
      authorization: req.headers.authorization,
    };
    this.requests.push(log);
    const send = (status: number, body?: unknown, headers: Record<string, string> = {}): void => {
      log.status = status;
      if (status === 204 || body === undefined) {
        res.writeHead(status, headers).end();
        return;
      }
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
    };
    if (!url.pathname.startsWith(prefix + '/')) {
      this.violations.push(`${req.method} ${url.pathname}: not under the API root ${prefix}`);
      return send(404, { message: 'Not Found' });
    }
    const pathname = url.pathname.slice(prefix.length);

    // Authentication first, as GitHub does.
    if (req.headers.authorization !== `token ${this.token}`) {
      return send(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    }

    const isJson = String(req.headers['content-type'] ?? '').startsWith('application/json');
    let json: unknown;
    const preliminary = validate({ method: log.method, pathname, query: url.searchParams, headers: req.headers, onUploads });
    const operationId = preliminary.match?.operationId ?? '?';
    log.operationId = operationId;
    log.name = url.searchParams.get('name') ?? undefined;
    const fault = this.takeFault(operationId);

    if (fault?.kind === 'reset') {
      // Take part of the body, then drop the connection without an answer.
      let got = 0;
      await new Promise<void>((resolve) => {
        req.on('data', (chunk: Buffer) => {
          got += chunk.length;
          if (got >= fault.afterBytes) {
            req.pause();
            resolve();
          }
        });
        req.on('end', resolve);
      });
      if (fault.leaveStale) {
        const release = this.releases.find((r) => String(r.id) === preliminary.match?.params.release_id);
        const name = url.searchParams.get('name');
        if (release && name) {
          release.assets.push({ id: this.nextId++, name, label: '', state: 'starter', data: Buffer.alloc(0), created: Date.now() });
        }
      }
      log.status = -1;
      req.socket.destroy();
      return;
    }

    const raw = await readBody(req);
    if (isJson && raw.length > 0) {
      try {
        json = JSON.parse(raw.toString('utf8'));
      } catch {
        this.violations.push(`${log.method} ${pathname}: body is not JSON`);
        return send(400, { message: 'Problems parsing JSON' });
      }
    }
    const { match, problems } = validate({ method: log.method, pathname, query: url.searchParams, headers: req.headers, json, onUploads });
    if (match?.operationId === 'repos/upload-release-asset') {
      const length = req.headers['content-length'];
      if (length === undefined) problems.push('upload without content-length (GitHub requires it)');
      else if (Number(length) !== raw.length) problems.push(`upload content-length ${length} but ${raw.length} bytes arrived`);
    }
    if (!match || problems.length > 0) {
      for (const p of problems) this.violations.push(`${log.method} ${pathname}: ${p}`);
      return send(400, { message: `fake-github: request does not match the OpenAPI description: ${problems.join('; ')}` });
    }
    if (match.params.owner !== this.owner || match.params.repo !== this.repo) return send(404, { message: 'Not Found' });

    if (this.options.latencyMs) await new Promise((r) => setTimeout(r, this.options.latencyMs));
    await this.barrier(match.operationId);

    if (fault?.kind === 'status') {
      const message = fault.message ?? http.STATUS_CODES[fault.status] ?? 'error';
      return send(fault.status, { message, documentation_url: 'https://docs.github.com/rest' }, fault.headers);
    }
    this.serve(match.operationId, match.params, url.searchParams, json as Record<string, unknown> | undefined, raw, fault, send);
  }

  private serve(
    operationId: string,
    params: Record<string, string>,
    query: URLSearchParams,
    body: Record<string, unknown> | undefined,
    raw: Buffer,
    fault: Fault | undefined,
    send: (status: number, body?: unknown, headers?: Record<string, string>) => void,
  ): void {
    const release = (): FakeRelease | undefined => this.releases.find((r) => String(r.id) === params.release_id);
    const alreadyExists = (resource: string, field: string): void =>
      send(422, { message: 'Validation Failed', errors: [{ resource, code: 'already_exists', field }], documentation_url: 'https://docs.github.com/rest' });
    switch (operationId) {
      case 'repos/get-release-by-tag': {
        const r = this.releases.find((x) => x.tag_name === params.tag && !x.draft);
        return r ? send(200, this.releaseJson(r)) : send(404, { message: 'Not Found' });
      }
      case 'repos/list-releases': {
        const perPage = Number(query.get('per_page') ?? 30);
        const page = Number(query.get('page') ?? 1);
        const sorted = [...this.releases].sort((a, b) => b.id - a.id);
        return send(200, sorted.slice((page - 1) * perPage, page * perPage).map((r) => this.releaseJson(r)));
      }
      case 'repos/create-release': {
        const tag = String(body!.tag_name);
        const draft = body!.draft === true;
        if (!draft && this.releases.some((r) => r.tag_name === tag && !r.draft)) return alreadyExists('Release', 'tag_name');
        const r = this.addRelease({
          tag_name: tag,
          name: typeof body!.name === 'string' ? body!.name : tag,
          draft,
          prerelease: body!.prerelease === true,
          target_commitish: typeof body!.target_commitish === 'string' ? body!.target_commitish : 'main',
        });
        if (!draft) this.publish(r);
        return send(201, this.releaseJson(r));
      }
      case 'repos/update-release': {
        const r = release();
        if (!r) return send(404, { message: 'Not Found' });
        if (body!.draft === false && r.draft) {
          if (this.releases.some((x) => x.tag_name === r.tag_name && !x.draft && x.id !== r.id)) return alreadyExists('Release', 'tag_name');
          this.publish(r);
        }
        if (typeof body!.prerelease === 'boolean') r.prerelease = body!.prerelease;
        if (typeof body!.name === 'string') r.name = body!.name;
        return send(200, this.releaseJson(r));
      }
      case 'repos/delete-release': {
        const i = this.releases.findIndex((r) => String(r.id) === params.release_id);
        if (i < 0) return send(404, { message: 'Not Found' });
        this.releases.splice(i, 1);
        return send(204);
      }
      case 'repos/list-release-assets': {
        const r = release();
        if (!r) return send(404, { message: 'Not Found' });
        const perPage = Number(query.get('per_page') ?? 30);
        const page = Number(query.get('page') ?? 1);
        return send(200, r.assets.slice((page - 1) * perPage, page * perPage).map((a) => this.assetJson(r, a)));
      }
      case 'repos/delete-release-asset': {
        for (const r of this.releases) {
          const i = r.assets.findIndex((a) => String(a.id) === params.asset_id);
          if (i < 0) continue;
          if (r.immutable) return send(422, { message: 'Cannot modify an asset of an immutable release' });
          this.events.push({ type: 'delete-asset', release: r.id, name: r.assets[i]!.name, at: Date.now() });
          r.assets.splice(i, 1);
          return send(204);
        }
        return send(404, { message: 'Not Found' });
      }
      case 'repos/upload-release-asset': {
        const r = release();
        if (!r) return send(404, { message: 'Not Found' });
        if (r.immutable) return send(422, { message: 'Cannot upload assets to an immutable release' });
        const name = query.get('name')!;
        if (fault?.kind === 'already-exists-race') {
          r.assets.push({ id: this.nextId++, name, label: '', state: 'uploaded', data: Buffer.from('from another job'), created: Date.now() });
        }
        if (r.assets.some((a) => a.name === name)) return alreadyExists('ReleaseAsset', 'name');
        const asset: FakeAsset = { id: this.nextId++, name, label: query.get('label') ?? '', state: 'uploaded', data: raw, created: Date.now() };
        r.assets.push(asset);
        this.events.push({ type: 'upload', release: r.id, name, at: Date.now() });
        return send(201, this.assetJson(r, asset));
      }
      default:
        this.violations.push(`${operationId} is a real GitHub operation, but the action is not expected to call it`);
        return send(501, { message: `fake-github does not implement ${operationId}` });
    }
  }

  private publish(r: FakeRelease): void {
    r.draft = false;
    r.published_at = new Date().toISOString();
    if (this.options.immutableReleases) r.immutable = true;
    this.events.push({ type: 'publish', release: r.id, at: Date.now() });
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
