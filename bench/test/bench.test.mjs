// Tests of the benchmark's own logic (no timings asserted: speed goals are
// what the benchmark reports, never what a test checks).
// Run: ./node_modules/.bin/node --test bench/test/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { prng, randomBytesStream } from '../harness/prng.mjs';
import { median, ratio } from '../harness/stats.mjs';
import { judge, describe, evaluateTargets, floorSplit, concurrencyReading } from '../harness/targets.mjs';
import { updateReadme, fmtTime, renderMarkdown, runsCell, targetsTable } from '../harness/report.mjs';
import { perRound } from '../harness/measure.mjs';
import { goFloorModule, buildGoFloor } from '../harness/gofloor.mjs';
import { topOfCpuProfile, selfTimeByPackage } from '../harness/profile.mjs';
import { treeModules, treeNative } from '../harness/trees.mjs';
import { extractPayload } from '../harness/tools.mjs';
import { parseArgs, runsFor, packRuns, FULL } from '../harness/config.mjs';

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

/** fakeRun with tree (a)'s Go floor series and both trees' concurrency floors. */
function fakeRunWithFloors() {
  const r = fakeRun();
  // direct 1 ms, go-floor 2 ms, go-floor + exec 3 ms, ours 4 ms: the Go floor is 2 of the 3 ms gap.
  r.trees.a.figures.warm = { direct: [0.001, 0.001], goFloor: [0.002], goFloorExec: [0.003, 0.003], ours: [0.004], caxa: [0.01] };
  // (a): ours 100 ms -> 300 ms, direct 10 ms -> 50 ms: the stub adds 160 ms beyond the programs' own contention.
  r.trees.a.figures.conc1 = { ours: [0.1], direct: [0.01] };
  r.trees.a.figures.concN = { ours: [0.3], direct: [0.05] };
  // (b): ours 2 s -> 3 s, direct 0.2 s -> 1.4 s: ours adds less than the bare programs do.
  r.trees.b.figures.conc1 = { ours: [2], direct: [0.2] };
  r.trees.b.figures.concN = { ours: [3], direct: [1.4] };
  return r;
}

test('the Go floor splits the warm-start gap into the Go start and the stub\'s own work', () => {
  const s = floorSplit(fakeRunWithFloors().trees.a.figures.warm);
  assert.ok(Math.abs(s.gap - 0.003) < 1e-12);
  assert.ok(Math.abs(s.goPart - 0.002) < 1e-12);
  assert.ok(Math.abs(s.stubPart - 0.001) < 1e-12);
  assert.ok(Math.abs(s.goShare - 2 / 3) < 1e-9);
  assert.equal(floorSplit({ direct: [1], ours: [2] }), null, 'no floor series, no split');
});

test('the warm-start verdict of (a) stays the issue\'s, and says how much of the gap is the Go runtime', () => {
  const t = Object.fromEntries(evaluateTargets(fakeRunWithFloors()).map((x) => [x.id, x]));
  assert.equal(t['warm-a'].value, 4);
  assert.equal(t['warm-a'].pass, false);
  const d = describe(t['warm-a']);
  assert.match(d, /^MISS by 60 %; /);
  assert.match(d, /no Go stub that execs can meet 2\.5×: go-floor \+ exec alone is 3\.00× direct \(go-floor alone 2\.00×\)/);
  assert.match(d, /of the 3\.00 ms over direct, 2\.00 ms is a Go process's start and exec = 67 % of the gap, 1\.00 ms the stub's own work/);
  assert.match(d, /ours ÷ go-floor \+ exec = 1\.33×/);
  // The reference row: ours ÷ (ii), no limit, never a miss (so never profiled).
  assert.ok(Math.abs(t['warm-a-floor'].value - 4 / 3) < 1e-9);
  assert.equal(t['warm-a-floor'].pass, null);
  assert.match(targetsTable([t['warm-a-floor']]), /\| 1\.33× \| — \| reference: go-floor \+ exec is 3\.00× the direct run \|/);
});

test('a floor under the limit does not claim the target is out of reach', () => {
  const r = fakeRunWithFloors();
  r.trees.a.figures.warm.goFloorExec = [0.002];
  const d = describe(evaluateTargets(r).find((x) => x.id === 'warm-a'));
  assert.doesNotMatch(d, /no Go stub/);
  assert.match(d, /go-floor \+ exec is 2\.00× direct/);
});

test('16 concurrent cold starts: the issue\'s verdict unchanged, the floor-based reading next to it', () => {
  const targets = evaluateTargets(fakeRunWithFloors());
  const t = Object.fromEntries(targets.map((x) => [x.id, x]));
  assert.ok(Math.abs(t['conc-a'].value - 3) < 1e-9);
  assert.equal(describe(t['conc-a']), 'MISS by 100 %');
  assert.match(t['conc-a'].text, /^16 concurrent cold starts of \(a\) ÷ one \(the program alone, no pack: 5\.00×\)$/);
  // The reading follows its figure in the table.
  assert.equal(targets.indexOf(t['conc-floor-a']), targets.indexOf(t['conc-a']) + 1);
  assert.ok(Math.abs(t['conc-floor-a'].value - 0.16) < 1e-9);
  assert.equal(t['conc-floor-a'].pass, null);
  assert.equal(t['conc-floor-a'].measuredText, '+200.0 ms vs +40.0 ms');
  assert.equal(describe(t['conc-floor-a']), "the stub adds 160.0 ms beyond the programs' own contention (10.7 ms per extra start)");
  assert.equal(describe(t['conc-floor-b']), "the stub adds nothing beyond the programs' own contention (200.0 ms less)");
  assert.equal(concurrencyReading({ conc1: { ours: [1] }, concN: { ours: [2] } }), null, 'no direct floor, no reading');
});

test('the markdown shows the Go floor table and the concurrency reading', () => {
  const r = fakeRunWithFloors();
  r.targets = evaluateTargets(r);
  const md = renderMarkdown(r, null);
  assert.match(md, /\| go-floor \+ exec: a Go program that execs the program \| 3\.00 ms \| 3\.00 \| 1\.33 \| 2 \|/);
  assert.match(md, /\| pack-action, warm \| 4\.00 ms \| 4\.00 \| 1\.00 \| 1 \|/);
  assert.match(md, /- \(a\) ours 16 − 1: 200 ms, direct 16 − 1: 40\.0 ms: the stub adds 160\.0 ms/);
  assert.match(md, /over one: ours 200 ms, direct 40\.0 ms/);
  // A figure not taken has no row: (b) without its concurrency run.
  r.trees.b.figures.conc1 = {};
  r.trees.b.figures.concN = {};
  const tb = renderMarkdown(r, null).split('## Tree (b)')[1];
  assert.doesNotMatch(tb, /fanout/);
  assert.match(tb, /\| warm start \|/);
  assert.doesNotMatch(md, /undefined|NaN/);
});

test('runs spread over rounds add up to exactly the runs asked', () => {
  assert.deepEqual(perRound(3, 2), [2, 1]);
  assert.deepEqual(perRound(40, 4), [10, 10, 10, 10]);
  assert.deepEqual(perRound(1, 2), [1, 0]);
  for (const [runs, rounds] of [[5, 2], [8, 3], [2, 4]]) assert.equal(perRound(runs, rounds).reduce((a, b) => a + b, 0), runs);
});

test('the runs cell names the columns that ran a different number of times', () => {
  assert.equal(runsCell({ direct: 0, ours: 3, caxa: 3, makeself: 3, tar: 0 }), '3');
  assert.equal(runsCell({ direct: 0, ours: 3, caxa: 1, makeself: 1, tar: 3 }), '3 (caxa 1, makeself 1)');
  assert.equal(runsCell({ direct: 20, ours: 20, caxa: 20, makeself: 2 }), '20 (makeself 2)');
});

test('tree (c) packs the slow peers and the one-target pack once, and keeps 3 packs of ours for six targets', () => {
  const c = runsFor(FULL, 'c');
  assert.equal(packRuns(c, 'ours'), 3);
  assert.equal(packRuns(c, 'oursOne'), 1);
  assert.equal(packRuns(c, 'caxa'), 1);
  assert.equal(packRuns(c, 'makeself'), 1);
  const a = runsFor(FULL, 'a');
  assert.deepEqual(['ours', 'oursOne', 'caxa', 'makeself'].map((p) => packRuns(a, p)), [3, 3, 3, 3]);
  assert.equal(packRuns(runsFor(FULL, 'b'), 'caxa'), 3);
});

test('the Go floor module takes the stub\'s go version, toolchain, godebug and //go:debug lines', () => {
  const goMod = 'module x/stub\n\ngo 1.26.0\n\ntoolchain go1.26.8\n\ngodebug (\n\tasyncpreemptoff=1\n)\n\nrequire golang.org/x/sys v0.49.0\n';
  const sources = [
    { name: 'main.go', text: '//go:debug madvdontneed=1\npackage main\n' },
    { name: 'x_test.go', text: '//go:debug panicnil=1\npackage main\n' },
    { name: 'lib.go', text: '//go:debug other=1\npackage zstd\n' },
  ];
  const m = goFloorModule(goMod, sources, 'package main\n');
  assert.equal(m.goMod, 'module gofloor\n\ngo 1.26.0\ntoolchain go1.26.8\ngodebug (\n\tasyncpreemptoff=1\n)\n');
  assert.equal(m.main, '//go:debug madvdontneed=1\npackage main\n');
  assert.throws(() => goFloorModule('module x\n', [], ''), /no "go" line/);
});

test('go-floor builds with the stub\'s go.mod, exits 0 alone, and execs the program it is given', () => {
  const d = tmp();
  try {
    const stub = join(d, 'stub');
    mkdirSync(stub);
    writeFileSync(join(stub, 'go.mod'), readFileSync(new URL('../../stub/go.mod', import.meta.url)));
    writeFileSync(join(stub, 'main.go'), 'package main\n\nfunc main() {}\n');
    const bin = buildGoFloor(join(d, 'work'), stub);
    assert.equal(spawnSync(bin).status, 0);
    assert.equal(spawnSync(bin, ['/bin/sh', '-c', 'exit 7']).status, 7, 'the exec\'d program\'s exit status comes back');
    const missing = spawnSync(bin, [join(d, 'nothing-here')], { encoding: 'utf8' });
    assert.equal(missing.status, 127);
    assert.match(missing.stderr, /go-floor: exec .*nothing-here: no such file or directory/);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});


test('caches go to a tmpfs with room, else to the fallback, unless a directory is asked for', async () => {
  const { chooseStateDir } = await import('../harness/state.mjs');
  const tmpfs = { type: 0x01021994, bavail: 4 * 2 ** 20, bsize: 4096 }; // 16 GiB free
  const made = [];
  const mkdtemp = (prefix) => (made.push(prefix), `${prefix}XYZ`);
  const pick = (statfs, extra = {}) => chooseStateDir({ fallback: '/work/state', needBytes: 8 * 2 ** 30, statfs, mkdtemp, ...extra });
  assert.deepEqual(pick(() => tmpfs), { dir: '/dev/shm/pack-bench-XYZ', kind: 'tmpfs' });
  assert.deepEqual(made, ['/dev/shm/pack-bench-']);
  assert.equal(pick(() => ({ ...tmpfs, bavail: 2 ** 20 })).dir, '/work/state'); // 4 GiB: too small
  assert.equal(pick(() => ({ ...tmpfs, type: 0xef53 })).dir, '/work/state'); // ext4
  assert.equal(pick(() => { throw new Error('ENOENT'); }).dir, '/work/state');
  assert.deepEqual(pick(() => tmpfs, { requested: '/mnt/disk' }), { dir: '/mnt/disk', kind: 'as asked (--state-dir)' });
});
