// The hand-over between mode: pack and mode: publish jobs, and the report.
import { beforeAll, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { artifactTarName, collectPacks, sumsText, writeArtifactTar, writeSums, type PackFile } from '../src/artifact.js';
import { packTargets } from '../src/pack.js';
import { humanSize, packsOutput, summaryMarkdown } from '../src/report.js';
import { ROOT } from './fake-github/run-action.js';
import { tmp } from './helpers/tmp.js';

const STUBS = process.env.PACK_STUBS_OUT ?? path.join(ROOT, 'build', 'stubs');
const log = () => {};
let packs: PackFile[];
let sums: string;
let tarDir: string;

beforeAll(async () => {
  const dir = tmp('artifact-');
  mkdirSync(path.join(dir, 'tree'));
  writeFileSync(path.join(dir, 'tree', 'run'), '#!/bin/sh\necho hi\n');
  writeFileSync(path.join(dir, 'tree', 'run.exe'), 'x');
  chmodSync(path.join(dir, 'tree', 'run'), 0o755);
  const run = await packTargets({ dir: path.join(dir, 'tree'), name: 'app', command: 'run{exe}', targets: ['windows-x64', 'linux-arm64'], outDir: path.join(dir, 'out'), stubsDir: STUBS });
  packs = run.results.map((r) => ({ target: r.target, name: path.basename(r.file), file: r.file, size: r.size, sha256: r.sha256 }));
  sums = run.sumsFile;
  tarDir = path.join(dir, 'downloaded');
  for (const p of packs) {
    mkdirSync(path.join(tarDir, `pack-${p.target}`), { recursive: true });
    const own = path.join(dir, `${p.target}.sums`);
    writeFileSync(own, sumsText([p]));
    await writeArtifactTar([p], own, path.join(tarDir, `pack-${p.target}`, artifactTarName('app', [p.target])));
  }
});

describe('collectPacks', () => {
  test('reads every job tar, checks each pack, orders them by target', async () => {
    const found = await collectPacks(tarDir, tmp('work-'), log);
    expect(found.map((p) => [p.target, p.name, p.sha256])).toEqual([
      ['linux-arm64', 'app-linux-arm64', packs.find((p) => p.target === 'linux-arm64')!.sha256],
      ['windows-x64', 'app-windows-x64.exe', packs.find((p) => p.target === 'windows-x64')!.sha256],
    ]);
    const merged = await writeSums(found, tmp('out-'));
    const lines = (f: string) => readFileSync(f, 'utf8').trim().split('\n').sort();
    expect(lines(merged)).toEqual(lines(sums));
  });

  test('also takes loose packs next to their SHA256SUMS', async () => {
    const loose = tmp('loose-');
    cpSync(path.dirname(sums), loose, { recursive: true });
    expect((await collectPacks(loose, tmp('work-'), log)).length).toBe(2);
  });

  test('a pack that does not match its SHA256SUMS fails, naming it', async () => {
    const loose = tmp('damaged-');
    cpSync(path.dirname(sums), loose, { recursive: true });
    writeFileSync(path.join(loose, 'app-linux-arm64'), Buffer.concat([readFileSync(path.join(loose, 'app-linux-arm64')), Buffer.from('x')]));
    await expect(collectPacks(loose, tmp('work-'), log)).rejects.toThrow(
      /^app-linux-arm64 has sha256 [0-9a-f]{64}, but .*SHA256SUMS says [0-9a-f]{64}; the artifact was damaged on the way$/,
    );
  });

  test('two different files of one name fail', async () => {
    const two = tmp('two-');
    cpSync(path.dirname(sums), path.join(two, 'a'), { recursive: true });
    mkdirSync(path.join(two, 'b'));
    writeFileSync(path.join(two, 'b', 'app-linux-arm64'), 'other');
    const other = createHash('sha256').update('other').digest('hex');
    writeFileSync(path.join(two, 'b', 'SHA256SUMS'), `${other}  app-linux-arm64\n`);
    await expect(collectPacks(two, tmp('work-'), log)).rejects.toThrow(/^two artifacts hold different files named app-linux-arm64; give each job its own targets$/);
  });

  test('no packs, or no directory, fail naming the input', async () => {
    await expect(collectPacks(tmp('empty-'), tmp('work-'), log)).rejects.toThrow(/^input 'path': no packs under /);
    await expect(collectPacks('/nonexistent/dir', tmp('work-'), log)).rejects.toThrow(/^input 'path': \/nonexistent\/dir is not a directory/);
  });
});

describe('report', () => {
  test('packs output and summary', () => {
    const p = [{ target: 'linux-x64' as const, name: 'a-linux-x64', file: '/w/a-linux-x64', size: 2_000_000, sha256: 'ab'.repeat(32), url: 'https://x/a-linux-x64', smoke: { file: '', target: 'linux-x64' as const, status: 'passed' as const, via: 'native' } }];
    expect(JSON.parse(packsOutput(p))).toEqual([{ target: 'linux-x64', name: 'a-linux-x64', file: '/w/a-linux-x64', size: 2_000_000, sha256: 'ab'.repeat(32), url: 'https://x/a-linux-x64', smoke: 'passed' }]);
    const md = summaryMarkdown(p, 'https://x/rel', 'pack-action a 1.0.0');
    expect(md).toContain(`| linux-x64 | 1.9 MiB | \`${'ab'.repeat(32)}\` | ✅ passed (native) | [a-linux-x64](https://x/a-linux-x64) |`);
    expect(md).toContain('Release: https://x/rel');
    expect(humanSize(512)).toBe('512 B');
    expect(humanSize(2048)).toBe('2.0 KiB');
  });
});
