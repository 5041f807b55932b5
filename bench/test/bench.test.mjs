// Tests of the benchmark's own logic (no timings asserted: speed goals are
// what the benchmark reports, never what a test checks).
// Run: ./node_modules/.bin/node --test bench/test/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { prng, randomBytesStream } from '../harness/prng.mjs';
import { median, ratio } from '../harness/stats.mjs';
import { judge, describe, evaluateTargets } from '../harness/targets.mjs';
import { updateReadme, fmtTime, renderMarkdown } from '../harness/report.mjs';
import { topOfCpuProfile, selfTimeByPackage } from '../harness/profile.mjs';
import { treeModules, treeNative } from '../harness/trees.mjs';
import { extractPayload } from '../harness/tools.mjs';
import { parseArgs } from '../harness/config.mjs';

const tmp = () => mkdtempSync(join(tmpdir(), 'bench-test-'));

function hashTree(dir) {
  const h = createHash('sha256');
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(d, e.name);
      h.update(relative(dir, p) + '\0');
      if (e.isDirectory()) walk(p);
      else h.update(readFileSync(p)).update(String(statSync(p).mode & 0o777));
    }
  };
  walk(dir);
  return h.digest('hex');
}

test('median of odd and even counts, and it refuses no values', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.throws(() => median([]), /no values/);
});

test('ratio is null when a side is missing or zero', () => {
  assert.equal(ratio(3, 2), 1.5);
  assert.equal(ratio(null, 2), null);
  assert.equal(ratio(1, 0), null);
});

test('the PRNG and byte stream repeat for a seed and differ between seeds', () => {
  const a = prng('x');
  const b = prng('x');
  const c = prng('y');
  const xs = [a(), a(), a()];
  assert.deepEqual(xs, [b(), b(), b()]);
  assert.notDeepEqual(xs, [c(), c(), c()]);
  assert.ok(xs.every((v) => v >= 0 && v < 1));
  assert.deepEqual(randomBytesStream('s')(1000), randomBytesStream('s')(1000));
  const bytes = randomBytesStream('s')(100000);
  assert.ok(gzipSync(bytes).length > bytes.length * 0.99, 'random bytes must not compress');
});

test('tree (c) is deterministic, has exactly the asked files and bytes, and short paths', () => {
  const d = tmp();
  try {
    const hello = join(d, 'hello');
    writeFileSync(hello, 'not really a program');
    const one = treeModules(join(d, 'one'), hello, 300, 1);
    const two = treeModules(join(d, 'two'), hello, 300, 1);
    assert.equal(one.files, 300);
    assert.equal(one.bytes, 1000000);
    assert.equal(hashTree(join(d, 'one')), hashTree(join(d, 'two')));
    assert.deepEqual(one, two);
    const nat = treeNative(join(d, 'nat'), hello, 1);
    assert.equal(nat.bytes, 1000000 + 'not really a program'.length);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('a target judges <=, < and >= and says by how much', () => {
  const miss = judge({ id: 'x', text: 't', value: 3, limit: 2.5, cmp: '<=' });
  assert.equal(miss.pass, false);
  assert.ok(Math.abs(miss.by - 0.2) < 1e-9);
  assert.equal(describe(miss), 'MISS by 20 %');
  const pass = judge({ id: 'y', text: 't', value: 6, limit: 3, cmp: '>=' });
  assert.equal(pass.pass, true);
  assert.equal(describe(pass), 'pass (50 % inside)');
  assert.equal(describe(judge({ id: 'w', text: 't', value: 0.75, limit: 3, cmp: '>=' })), 'MISS: needs 4.0× more');
  assert.equal(judge({ id: 'z', text: 't', value: 1, limit: 1, cmp: '<' }).pass, false);
  assert.equal(describe(judge({ id: 'n', text: 't', value: null, limit: 1, cmp: '<' })), 'not measured');
});

function fakeRun() {
  const figures = (warmOurs) => ({
    pack: { ours: [1], caxa: [4] }, packAll: { ours: [2] }, size: { ours: [80], caxa: [100], tree: [200] },
    warm: { direct: [0.001, 0.001], ours: [warmOurs], caxa: [0.01] }, cold: { ours: [0.1], tar: [0.08], caxa: [0.5] },
    rss: { direct: [500], ours: [4096], caxa: [50000] }, conc1: { ours: [0.1] }, concN: { ours: [0.2] },
  });
  return {
    date: '2026-11-22T08:00:00.000Z', config: { name: 'full', concurrency: 16 },
    machine: { nproc: 2, cpu: 'CPU', kernel: 'Linux 6', os: 'Debian', memGiB: 24, loadavg: [0, 0, 0] },
    versions: { node: 'v24', caxa: '3.0.1' },
    trees: { a: { title: 'A', info: { files: 2, entries: 4, bytes: 200 }, figures: figures(0.002) }, b: { title: 'B', info: { files: 1, entries: 1, bytes: 1 }, figures: figures(0.00102) } },
    growth: [{ mb: 10, size: {}, warm: { ours: [0.002] }, rss: { ours: [4000] } }, { mb: 500, size: {}, warm: { ours: [0.003] }, rss: { ours: [20000] } }],
  };
}

test('evaluateTargets computes the issue targets from the figures', () => {
  const t = Object.fromEntries(evaluateTargets(fakeRun()).map((x) => [x.id, x]));
  assert.equal(t['warm-a'].value, 2);
  assert.equal(t['warm-a'].pass, true);
  assert.equal(t['warm-flat'].value, 1.5);
  assert.equal(t['warm-flat'].pass, false);
  assert.ok(Math.abs(t['warm-b'].value - 1.02) < 1e-9);
  assert.equal(t.rss.value, 20000 / 1024);
  assert.equal(t.rss.pass, false);
  assert.equal(t['cold-tar-a'].value, 1.25);
  assert.equal(t['cold-caxa-a'].value, 5);
  assert.equal(t['pack-six-a'].value, 0.5);
  assert.equal(t['size-b'].value, 0.8);
  assert.equal(t['conc-a'].value, 2);
  assert.equal(t['conc-a'].pass, false);
});

test('the markdown names the machine, the targets and each tree', () => {
  const r = fakeRun();
  r.targets = evaluateTargets(r);
  r.profiles = [{ title: 'warm start: warm-flat', text: 'what perf saw' }];
  const md = renderMarkdown(r, 'x.png');
  assert.match(md, /2 × CPU, Linux 6/);
  assert.match(md, /MISS by 36 %/);
  assert.doesNotMatch(md, /undefined/);
  assert.match(md, /## Tree \(a\): A/);
  assert.match(md, /what perf saw/);
  assert.match(md, /!\[benchmark chart\]\(x\.png\)/);
});

test('a tree our packer failed on is a miss that says why, and its other figures stay', () => {
  const r = fakeRun();
  r.trees.c = { title: 'C', info: { files: 1, entries: 1, bytes: 1 }, figures: { ...r.trees.a.figures, packAll: {} }, failures: { ours: 'EMFILE too many open files' } };
  r.targets = evaluateTargets(r);
  const c = r.targets.filter((t) => t.tree === 'c');
  assert.equal(c.length, 1);
  assert.equal(c[0].pass, false);
  const md = renderMarkdown(r, null);
  assert.match(md, /MISS: our packer failed \(EMFILE too many open files\)/);
  assert.match(md, /\*\*ours failed to pack this tree\*\*/);
});

test('updateReadme replaces only the Benchmarks section', () => {
  const d = tmp();
  try {
    const f = join(d, 'README.md');
    writeFileSync(f, '# Title\n\ntext\n');
    updateReadme(f, '## Benchmarks\n\nfirst\n');
    assert.equal(readFileSync(f, 'utf8'), '# Title\n\ntext\n\n## Benchmarks\n\nfirst\n');
    updateReadme(f, '## Benchmarks\n\nsecond\n');
    assert.equal(readFileSync(f, 'utf8'), '# Title\n\ntext\n\n## Benchmarks\n\nsecond\n');
    // A section someone added after ours survives.
    writeFileSync(f, '# Title\n\n## Benchmarks\n\nold\n\n## Later\n\nkeep\n');
    updateReadme(f, '## Benchmarks\n\nnew\n');
    assert.equal(readFileSync(f, 'utf8'), '# Title\n\n## Benchmarks\n\nnew\n\n## Later\n\nkeep\n');
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('extractPayload copies the payload bytes named by the trailer', async () => {
  const d = tmp();
  try {
    const stub = Buffer.from('STUB----');
    const payload = Buffer.from('zstd-bytes');
    const manifest = Buffer.from('{}\n');
    const trailer = Buffer.alloc(64);
    trailer.writeBigUInt64LE(BigInt(stub.length), 0);
    trailer.writeBigUInt64LE(BigInt(payload.length), 8);
    Buffer.from('\x89PACK-ACTION\r\n\x1a\n', 'latin1').copy(trailer, 48);
    const pack = join(d, 'p');
    writeFileSync(pack, Buffer.concat([stub, payload, manifest, Buffer.alloc(3), trailer]));
    assert.equal(await extractPayload(pack, join(d, 'out')), payload.length);
    assert.deepEqual(readFileSync(join(d, 'out')), payload);
    writeFileSync(join(d, 'bad'), Buffer.alloc(100));
    await assert.rejects(extractPayload(join(d, 'bad'), join(d, 'o2')), /no pack trailer/);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('topOfCpuProfile sums self time per function', () => {
  const profile = {
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 } },
      { id: 2, callFrame: { functionName: 'compress', url: 'file:///x/src/archive.ts', lineNumber: 9 } },
    ],
    samples: [2, 2, 1],
    timeDeltas: [1000, 1000, 2000],
  };
  const top = topOfCpuProfile(profile);
  const lines = top.split('\n');
  assert.equal(lines.length, 2);
  assert.ok(lines.every((l) => /^ 50\.0 % +2 ms {2}/.test(l)), top);
  assert.ok(lines.some((l) => l.endsWith('(root)')) && lines.some((l) => l.endsWith('compress src/archive.ts:10')), top);
});

test('parseArgs knows --quick and --only, and names a bad option', () => {
  assert.deepEqual(parseArgs(['--quick', '--only', 'a,c']).only, ['a', 'c']);
  assert.throws(() => parseArgs(['--only', 'd']), /--only/);
  assert.throws(() => parseArgs(['--fast']), /unknown option --fast/);
});

test('fmtTime picks ms or s', () => {
  assert.equal(fmtTime(0.00123), '1.23 ms');
  assert.equal(fmtTime(0.5), '500 ms');
  assert.equal(fmtTime(2.345), '2.35 s');
});

test('selfTimeByPackage groups perf lines by kernel, Go package and binary', () => {
  const text = [
    '    40.00%  [kernel.kallsyms]       [k] clear_page_erms',
    '    20.00%  bench-prof-b-linux-x64  [.] github.com/pack-action/pack-action/stub/internal/zstd.(*Reader).execSeqs',
    '    10.00%  bench-prof-b-linux-x64  [.] github.com/pack-action/pack-action/stub/internal/zstd.(*reverseBitReader).val',
    '     5.00%  bench-prof-b-linux-x64  [.] runtime.memmove',
    '     5.00%  bench-prof-b-linux-x64  [.] main.(*extractor).entry',
    '     3.00%  node                    [.] v8::internal::Deserializer::ReadObject',
  ].join('\n');
  const lines = selfTimeByPackage(text).split('\n');
  assert.deepEqual(lines, [' 40.0 %  kernel', ' 30.0 %  stub/internal/zstd', '  5.0 %  Go runtime', '  5.0 %  stub/main', '  3.0 %  node']);
});
