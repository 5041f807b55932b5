#!/usr/bin/env node
// npm run bench [-- --quick]: packs three trees with pack-action, caxa and
// makeself, measures them against each other and against running the program
// directly, and writes a dated results file, a chart and the README section.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FULL, QUICK, HELP, ALL_TARGETS, HOST_TARGET, parseArgs, runsFor, packRuns } from './harness/config.mjs';
import { ensureCaxa, ensureDebian, ensureMatplotlib } from './harness/peers.mjs';
import { buildHello, treeModules, treeNative, treeNode, RUN_SPECS } from './harness/trees.mjs';
import { caxaTool, directRun, extractPayload, makeselfTool, oursTool, tarRun } from './harness/tools.mjs';
import { buildFanout, peakRss, timeOnce, timeSeries } from './harness/measure.mjs';
import { machineInfo, toolVersions } from './harness/machine.mjs';
import { evaluateTargets } from './harness/targets.mjs';
import { writeResults } from './harness/report.mjs';
import { profileMisses } from './harness/profile.mjs';
import { buildGoFloor } from './harness/gofloor.mjs';
import { chooseStateDir } from './harness/state.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const work = join(here, 'work');
const nodeBin = process.execPath;
const t0 = Date.now();
// Caches and extractions (see harness/state.mjs); set by main.
let stateRoot = join(work, 'state');
const log = (msg) => console.error(`[bench ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${msg}`);

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.help) return console.log(HELP);
  const cfg = opts.quick ? QUICK : FULL;
  const started = Date.now();
  log(`${cfg.name} run; work directory ${work}`);
  const state = chooseStateDir({ requested: opts.stateDir, fallback: stateRoot, needBytes: 8 * 2 ** 30 });
  stateRoot = state.dir;
  log(`caches and extractions in ${stateRoot} (${state.kind})`);

  ensureDebian(['hyperfine', '/usr/bin/time', 'makeself', 'zstd', 'gcc', 'tar'], log);
  const caxaEntry = ensureCaxa(work, nodeBin, log);
  const python = ensureMatplotlib(work, log);
  const tools = [];
  const ours = opts.peersOnly ? null : ensureOurs(opts.worktree);
  if (ours) tools.push(oursTool(ours));
  tools.push(caxaTool({ nodeBin, caxaEntry }), makeselfTool());

  const hello = buildHello(work);
  const fanout = buildFanout(work);
  // Built from the measured snapshot's stub/go.mod, so the floor uses the stub's Go settings.
  const goFloor = buildGoFloor(work, join(ours?.root ?? root, 'stub'));
  const trees = planTrees(cfg, hello, opts.only);

  const result = { date: new Date().toISOString(), config: cfg, machine: machineInfo(), stateDir: state, versions: { ...toolVersions({ nodeBin, caxaEntry }), measured: ours?.commit ?? 'peers only' }, trees: {}, growth: [] };
  for (const tree of trees) {
    log(`tree (${tree.key}): ${tree.title}`);
    result.trees[tree.key] = await benchTree(cfg, tree, tools, { fanout, goFloor });
  }
  if (!opts.only || opts.only.includes('a')) result.growth = benchGrowth(cfg, hello, tools);
  result.targets = evaluateTargets(result);
  // Written once before profiling too, so a run stopped while profiling still leaves its figures.
  const out = { resultsDir: join(here, 'results'), readme: join(root, 'README.md'), python, chartScript: join(here, 'chart.py') };
  result.seconds = (Date.now() - started) / 1000;
  result.profiles = [];
  writeResults(result, out);
  // Profiling takes a minute or more: the quick run does it only when asked.
  const profile = !opts.peersOnly && (opts.quick ? opts.profile : !opts.noProfile);
  result.profiles = !profile ? [] : await profileMisses(result, { work, stateRoot, root: ours.root, nodeBin, log });
  result.seconds = (Date.now() - started) / 1000;
  result.machine.loadavgEnd = machineInfo().loadavg;
  const files = writeResults(result, out);
  if (state.kind === 'tmpfs') rmSync(stateRoot, { recursive: true, force: true }); // it is memory
  log(`done in ${result.seconds.toFixed(0)} s: ${files.join(', ')}`);
}

/**
 * Our packer's CLI and stubs, built from a snapshot of the last commit (or of the work tree with
 * --worktree): others edit stub/ and src/ in this checkout while the bench runs, and a results file must
 * name what it measured.
 */
function ensureOurs(worktree) {
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  const src = worktree ? root : join(work, `head-${commit}`);
  const parts = ['stub', 'src', 'bin', 'scripts', 'package.json', 'tsconfig.json'];
  if (!worktree && !existsSync(join(src, 'lib', 'cli.js'))) {
    log(`snapshot of commit ${commit} into ${src}`);
    rmSync(src, { recursive: true, force: true });
    mkdirSync(src, { recursive: true });
    execFileSync('sh', ['-c', `git archive HEAD ${parts.join(' ')} | tar -x -C '${src}'`], { cwd: root, stdio: 'inherit' });
  }
  const entry = join(src, 'bin', 'pack-action.js');
  if (!existsSync(entry) || !existsSync(join(src, 'src', 'cli.ts'))) {
    throw new Error(`our packer's CLI (bin/pack-action.js, src/cli.ts) is missing in ${worktree ? 'the work tree' : `commit ${commit}`}; run with --peers-only`);
  }
  // The snapshot resolves its npm packages from the checkout's node_modules, one level up from bench/.
  const script = JSON.parse(readFileSync(join(src, 'package.json'), 'utf8')).scripts['build:cli'];
  log(`bundling the CLI (${script.split(' ')[0]} ...)`);
  execFileSync('sh', ['-c', script], { cwd: src, stdio: 'inherit', env: { ...process.env, PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH}` } });
  const stubsDir = join(work, 'stubs');
  log('building the stubs into bench/work/stubs (scripts/build-stubs.mjs)');
  execFileSync(nodeBin, [join(src, 'scripts', 'build-stubs.mjs')], { cwd: src, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, PACK_STUBS_OUT: stubsDir } });
  return { root: src, nodeBin, stubsDir, entry, commit: worktree ? `${commit} + work tree` : commit };
}

function planTrees(cfg, hello, only) {
  const t = join(work, 'trees');
  const all = [
    { key: 'a', title: `tiny native program + ${cfg.nativeMB} MB incompressible data`, spec: RUN_SPECS.hello, make: () => treeNative(join(t, `a-${cfg.nativeMB}`), hello, cfg.nativeMB), dir: join(t, `a-${cfg.nativeMB}`) },
    { key: 'b', title: 'Node.js binary + typescript, `tsc --version`', spec: RUN_SPECS.node, make: () => treeNode(join(t, 'b'), root), dir: join(t, 'b'), slow: true },
    { key: 'c', title: `${cfg.modules.files} files, ${cfg.modules.mb} MB, node_modules-shaped`, spec: RUN_SPECS.hello, make: () => treeModules(join(t, `c-${cfg.modules.files}`), hello, cfg.modules.files, cfg.modules.mb), dir: join(t, `c-${cfg.modules.files}`) },
  ];
  return all.filter((x) => !only || only.includes(x.key)).map((x) => ({ ...x, info: x.make() }));
}

function freshDir(...parts) {
  const d = join(work, ...parts);
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d, { recursive: true });
  return d;
}

/** The one pack file a packer wrote into `out` for the host target. */
function packFileIn(out, tool) {
  const files = readdirSync(out).filter((f) => statSync(join(out, f)).isFile());
  const host = files.filter((f) => f.includes(HOST_TARGET));
  const pick = host.length === 1 ? host : files.filter((f) => !/\.(exe|json|txt|sha256)$|SHA256SUMS/.test(f));
  if (pick.length !== 1) throw new Error(`${tool}: expected one ${HOST_TARGET} pack in ${out}, found: ${files.join(', ') || 'nothing'}`);
  return join(out, pick[0]);
}

/** Packs `tree` with `tool` `runs` times; returns { times, file, size }. */
function packWith(tool, tree, targets, runs, tag) {
  const times = [];
  let file;
  const state = join(stateRoot, `${tool.name}-${tree.key}`);
  for (let i = 0; i < runs; i++) {
    const out = freshDir('packs', `${tool.name}-${tree.key}-${tag}`);
    const target = join(out, `bench-${tree.key}`);
    const cmd = tool.pack({ tree: tree.dir, spec: tree.spec, id: `bench-${tree.key}`, out: tool.name === 'ours' ? out : target, targets, state });
    times.push(timeOnce(cmd));
    file = tool.name === 'ours' ? packFileIn(out, 'pack-action') : target;
  }
  const sizes = readdirSync(dirname(file)).reduce((sum, f) => sum + statSync(join(dirname(file), f)).size, 0);
  return { times, file, size: statSync(file).size, allSize: sizes };
}

async function benchTree(cfg, tree, allTools, { fanout, goFloor }) {
  const r = runsFor(cfg, tree.key);
  const slow = tree.key !== 'a';
  const fig = { pack: {}, packAll: {}, size: {}, warm: {}, cold: {}, rss: {}, conc1: {}, concN: {} };
  const failures = {};
  const packs = {};
  for (const tool of allTools.filter((t) => t.name !== 'makeself' || cfg.makeselfTrees.includes(tree.key))) {
    log(`  pack with ${tool.label}`);
    try {
      const p = packWith(tool, tree, [HOST_TARGET], packRuns(r, tool.name === 'ours' ? 'oursOne' : tool.name), 'one');
      if (tool.name === 'ours') {
        const six = packWith(tool, tree, ALL_TARGETS, packRuns(r, 'ours'), 'six');
        fig.packAll.ours = six.times;
        fig.size.oursAll = [six.allSize];
      }
      packs[tool.name] = p.file;
      fig.pack[tool.name] = p.times;
      fig.size[tool.name] = [p.size];
    } catch (err) {
      // A packer that fails on a tree is a result too: recorded, and the others still measured.
      failures[tool.name] = err.message.split('\n').filter((l) => l.trim()).pop();
      log(`  ${tool.label} failed to pack (${tree.key}): ${failures[tool.name]}`);
    }
  }
  const tools = allTools.filter((t) => packs[t.name]);
  fig.size.tree = [tree.info.bytes];
  const tmp = join(work, 'hf');
  const state = (t) => join(stateRoot, `${t.name}-${tree.key}`);
  const run = (t) => t.run(packs[t.name], tree.spec, state(t));
  const cachedTools = tools.filter((t) => t.coldReset(state(t)));
  const noCache = tools.filter((t) => !t.coldReset(state(t)));
  // Runs of one cold extraction by a peer (seconds each on the slow trees).
  const peerRuns = (t, normal) => (slow && t.name !== 'ours' ? r.peerSlow : normal);

  log('  warm start');
  const warmRuns = slow ? r.slowWarm : r.warm;
  for (const t of cachedTools) spawnSync(run(t).argv[0], run(t).argv.slice(1), { env: { ...process.env, ...run(t).env }, stdio: 'ignore' });
  const direct = directRun(tree.dir, tree.spec);
  // Tree (a)'s reference series: a Go program's start alone, and one that execs the tree's program.
  const floors = tree.key !== 'a' ? [] : [{ key: 'goFloor', argv: [goFloor], env: {} }, { key: 'goFloorExec', argv: [goFloor, ...direct.argv], env: direct.env }];
  // makeself (no cache) is not run here: it extracts on every start, so its warm start is its cold start,
  // taken once below and reported in both rows (its runs take seconds on the big trees).
  Object.assign(fig.warm, timeSeries([
    { key: 'direct', ...direct },
    ...floors,
    ...cachedTools.map((t) => ({ key: t.name, ...run(t) })),
  ], { runs: warmRuns, warmup: 2, rounds: cfg.rounds, tmp }));

  log('  cold start');
  const payload = join(work, 'packs', `payload-${tree.key}.tar.zst`);
  const coldRuns = slow ? r.coldSlow : r.cold;
  const series = cachedTools.map((t) => ({ key: t.name, ...run(t), prepare: t.coldReset(state(t)), runs: peerRuns(t, coldRuns) }));
  if (packs.ours) {
    await extractPayload(packs.ours, payload);
    const tr = tarRun(payload, join(stateRoot, `tar-${tree.key}`));
    series.push({ key: 'tar', argv: tr.argv, env: tr.env, prepare: tr.reset });
  }
  for (const t of noCache) series.push({ key: t.name, ...run(t), runs: peerRuns(t, coldRuns) });
  // No warm-up: every run starts from an emptied cache anyway, and peers' runs take seconds.
  Object.assign(fig.cold, timeSeries(series, { runs: coldRuns, warmup: 0, rounds: Math.min(cfg.rounds, 2), tmp }));
  for (const t of noCache) fig.warm[t.name] = fig.cold[t.name];
  fig.warmFromCold = noCache.map((t) => t.name);

  log('  peak memory of a warm start');
  fig.rss.direct = peakRss({ ...direct, runs: r.rss, tmp });
  for (const t of tools) fig.rss[t.name] = peakRss({ ...run(t), runs: noCache.includes(t) ? peerRuns(t, r.rss) : r.rss, tmp });

  if (!cfg.concurrencyTrees.includes(tree.key)) return { title: tree.title, dir: tree.dir, info: tree.info, figures: fig, failures };
  log(`  ${cfg.concurrency} concurrent cold starts`);
  // The floor: the program itself started N times at once on this machine's cores.
  const d = direct;
  // Two rounds (1, N, 1, N) so that drift hits both sides; warm-up only for the bare program.
  const concRounds = Math.min(2, r.concurrent);
  const floor = timeSeries([
    { key: '1', argv: [fanout, '1', ...d.argv], env: d.env },
    { key: 'N', argv: [fanout, String(cfg.concurrency), ...d.argv], env: d.env },
  ], { runs: r.concurrent, warmup: 1, rounds: concRounds, tmp });
  fig.conc1.direct = floor['1'];
  fig.concN.direct = floor.N;
  for (const t of cachedTools.filter((x) => x.name === 'ours' || cfg.peerConcurrencyTrees.includes(tree.key))) {
    const times = timeSeries([
      { key: '1', argv: [fanout, '1', ...run(t).argv], env: run(t).env, prepare: t.coldReset(state(t)) },
      { key: 'N', argv: [fanout, String(cfg.concurrency), ...run(t).argv], env: run(t).env, prepare: t.coldReset(state(t)) },
    ], { runs: r.concurrent, warmup: 0, rounds: concRounds, tmp });
    fig.conc1[t.name] = times['1'];
    fig.concN[t.name] = times.N;
  }
  return { title: tree.title, dir: tree.dir, info: tree.info, figures: fig, failures };
}

/** Warm start and its peak memory as a tree-(a)-shaped pack grows. */
function benchGrowth(cfg, hello, tools) {
  const rows = [];
  const cached = tools.filter((t) => t.name !== 'makeself');
  for (const mb of cfg.growthMB) {
    log(`growth: ${mb} MB`);
    const dir = join(work, 'trees', `a-${mb}`);
    const info = treeNative(dir, hello, mb);
    const tree = { key: `g${mb}`, dir, spec: RUN_SPECS.hello, info };
    const row = { mb, size: {}, warm: {}, rss: {} };
    const series = [{ key: 'direct', ...directRun(dir, tree.spec) }];
    for (const t of cached) {
      let p;
    try {
      p = packWith(t, tree, [HOST_TARGET], 1, 'one');
    } catch (err) {
      row.failures = { ...row.failures, [t.name]: err.message.split('\n').filter((l) => l.trim()).pop() };
      continue;
    }
      row.size[t.name] = p.size;
      const state = join(stateRoot, `${t.name}-${tree.key}`);
      const run = t.run(p.file, tree.spec, state);
      spawnSync(run.argv[0], run.argv.slice(1), { env: { ...process.env, ...run.env }, stdio: 'ignore' });
      series.push({ key: t.name, ...run });
      row.rss[t.name] = peakRss({ ...run, runs: cfg.runs.growthRss, tmp: join(work, 'hf') });
    }
    row.warm = timeSeries(series, { runs: cfg.runs.growthWarm, warmup: 1, rounds: 2, tmp: join(work, 'hf') });
    rows.push(row);
    // The packs of the larger sizes are only needed for this step.
    for (const t of cached) rmSync(join(work, 'packs', `${t.name}-${tree.key}-one`), { recursive: true, force: true });
    for (const t of cached) rmSync(join(stateRoot, `${t.name}-${tree.key}`), { recursive: true, force: true });
  }
  return rows;
}

main().catch((err) => {
  console.error(`bench: ${err.message}`);
  process.exit(1);
});
