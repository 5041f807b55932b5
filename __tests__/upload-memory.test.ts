// Uploads stream: a 512 MiB release asset goes through the real client
// (bundled with esbuild, run in its own Node 24 process so its peak RSS is
// its own) without the body ever being held in memory. Node's fetch would
// hold it all (peak RSS above the file's size); this bound catches that.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { closeSync, openSync, ftruncateSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { build } from 'esbuild';
import { ROOT } from './fake-github/run-action.js';
import { tmp } from './helpers/tmp.js';

const SIZE = 512 * 1024 * 1024;
const MAX_RSS_MIB = 256;
let server: http.Server;
let port = 0;
let received = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    received = 0;
    req.on('data', (c: Buffer) => (received += c.length));
    req.on('end', () => {
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 1, name: 'big', label: 'big', size: received, browser_download_url: 'u' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

test(`a ${SIZE / 1024 / 1024} MiB upload peaks below ${MAX_RSS_MIB} MiB RSS`, async () => {
  const dir = tmp('upload-memory-');
  const big = path.join(dir, 'big');
  const fd = openSync(big, 'w');
  ftruncateSync(fd, SIZE); // sparse: no disk used
  closeSync(fd);
  const harness = path.join(dir, 'harness.ts');
  writeFileSync(
    harness,
    `import { createReleaseClient } from ${JSON.stringify(path.join(ROOT, 'src', 'github.ts'))};
const [port, file, size] = process.argv.slice(2);
const c = createReleaseClient({ token: 't', apiUrl: 'http://127.0.0.1:' + port, owner: 'o', repo: 'r', log: { debug() {}, info() {}, warning() {} } });
const release = { id: 1, tag: 'v1', draft: true, prerelease: false, immutable: false, htmlUrl: '', uploadUrl: 'http://127.0.0.1:' + port + '/up{?name,label}', assets: [] };
const asset = await c.uploadAsset(release, 'big', file, Number(size));
console.log(JSON.stringify({ size: asset.size, maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) }));
`,
  );
  await build({
    absWorkingDir: ROOT,
    entryPoints: [harness],
    outfile: path.join(dir, 'harness.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    logLevel: 'error',
  });
  // Asynchronous spawn: the server answering it lives in this process.
  const out = await new Promise<string>((resolve, reject) => {
    const node = path.join(ROOT, 'node_modules', '.bin', 'node');
    const child = spawn(node, [path.join(dir, 'harness.mjs'), String(port), big, String(SIZE)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (c: Buffer) => (text += c.toString()));
    child.stderr.on('data', (c: Buffer) => process.stderr.write(c));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`harness exited ${String(code)}`))));
  });
  const result = JSON.parse(out) as { size: number; maxRssMiB: number };
  expect(result.size).toBe(SIZE);
  expect(received).toBe(SIZE);
  expect(result.maxRssMiB).toBeLessThan(MAX_RSS_MIB);
});

