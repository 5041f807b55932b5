// Stub download against a local HTTP server: checksums checked, cache used,
// a mismatch fails naming the target.
import { afterAll, beforeAll, beforeEach, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { downloadStubs, stubUrl, type StubChecksums } from '../src/stub-download.js';
import { tmp } from './helpers/tmp.js';

const bodies: Record<string, Buffer> = {
  '/v0.1.0/pack-stub-linux-x64': Buffer.from('linux stub bytes'),
  '/v0.1.0/pack-stub-windows-x64-gui.exe': Buffer.from('windows gui stub bytes'),
};
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
let server: http.Server;
let base = '';
let hits: string[] = [];
const checksums: StubChecksums = {
  version: '0.1.0',
  files: {
    'pack-stub-linux-x64': sha(bodies['/v0.1.0/pack-stub-linux-x64']!),
    'pack-stub-windows-x64-gui.exe': sha(bodies['/v0.1.0/pack-stub-windows-x64-gui.exe']!),
    'pack-stub-darwin-arm64': sha(Buffer.from('the real darwin stub')),
  },
};

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    if (req.url === '/v0.1.0/pack-stub-darwin-arm64') return void res.end('NOT the darwin stub');
    const body = bodies[req.url ?? ''];
    if (!body) return void res.writeHead(404).end('not found');
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  process.env.RUNNER_TEMP = tmp('runner-temp-');
  process.env.RUNNER_TOOL_CACHE = tmp('tool-cache-');
  hits = [];
});

const log = () => {};

test('stubUrl expands the template', () => {
  expect(stubUrl('https://x/v{version}/{file}', '1.2.3', 'windows-arm64', 'gui')).toBe('https://x/v1.2.3/pack-stub-windows-arm64-gui.exe');
  expect(stubUrl('https://x/{version}/stub-{target}{exe}', '1.2.3', 'windows-x64', 'console')).toBe('https://x/1.2.3/stub-windows-x64.exe');
});

test('downloads, verifies, caches, and writes a SHA256SUMS for the packer', async () => {
  const wanted = [{ target: 'linux-x64', variant: 'console' }, { target: 'windows-x64', variant: 'gui' }] as const;
  const dir = await downloadStubs({ version: '0.1.0', urlTemplate: `${base}/v{version}/{file}`, wanted, checksums, log });
  expect(readFileSync(path.join(dir, 'pack-stub-linux-x64'), 'utf8')).toBe('linux stub bytes');
  expect(readFileSync(path.join(dir, 'SHA256SUMS'), 'utf8')).toBe(
    `${checksums.files['pack-stub-linux-x64']}  pack-stub-linux-x64\n${checksums.files['pack-stub-windows-x64-gui.exe']}  pack-stub-windows-x64-gui.exe\n`,
  );
  expect(hits).toHaveLength(2);
  // Second time: from the tool cache, no download.
  await downloadStubs({ version: '0.1.0', urlTemplate: `${base}/v{version}/{file}`, wanted, checksums, log });
  expect(hits).toHaveLength(2);
});

test('a stub with the wrong checksum fails, naming the target', async () => {
  await expect(
    downloadStubs({ version: '0.1.0', urlTemplate: `${base}/v{version}/{file}`, wanted: [{ target: 'darwin-arm64', variant: 'console' }], checksums, log }),
  ).rejects.toThrow(/^stub for darwin-arm64: http:\/\/127\.0\.0\.1:\d+\/v0\.1\.0\/pack-stub-darwin-arm64 has sha256 [0-9a-f]{64}, but this action expects/);
});

test('a stub version without shipped checksums fails naming the input', async () => {
  await expect(
    downloadStubs({ version: '0.2.0', urlTemplate: `${base}/{file}`, wanted: [{ target: 'linux-x64', variant: 'console' }], checksums, log }),
  ).rejects.toThrow(/^input 'stub-version' is 0.2.0, but this action carries checksums for stub version 0.1.0 only/);
});
