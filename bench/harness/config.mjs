// The two sizes of run: the full benchmark of issue 6, and --quick (< 2 min)
// with smaller trees and fewer repetitions, for a sanity check.

export const ALL_TARGETS = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'windows-x64', 'windows-arm64'];
export const HOST_TARGET = 'linux-x64';

export const FULL = {
  name: 'full',
  nativeMB: 50,
  modules: { files: 20000, mb: 100 },
  growthMB: [10, 50, 100, 250, 500],
  // slow*: tree (b) and (c), whose every start takes 0.1-40 s; peerSlow: caxa's and makeself's
  // extractions of those, which take 2-40 s each. growth*: per size of the growth series.
  runs: { warm: 40, slowWarm: 20, cold: 8, coldSlow: 5, peerSlow: 2, rss: 5, pack: 3, concurrent: 5, growthWarm: 20, growthRss: 3 },
  // Per tree, over `runs`; packRuns per packer (oursOne: ours for one target). Where the time went in the
  // full run of 08:43 UTC (45 min): tree (c) took 30 min, of which caxa's 3 packs 5 min, makeself's 2.5,
  // 12 cold starts of ours and tar 7 min and 12 fanouts of 16 cold starts 9 min (20,000 files each). The
  // target figures keep 3 runs of ours; the slow peers and the one-target pack run once (the table says so).
  treeRuns: {
    b: { packRuns: { makeself: 1 } },
    c: { packRuns: { oursOne: 1, caxa: 1, makeself: 1 }, coldSlow: 3, concurrent: 3 },
  },
  rounds: 4,
  concurrency: 16,
  // 16 caxa extractions of (b) or (c) at once take minutes and are no target: peers only on (a).
  peerConcurrencyTrees: ['a'],
  concurrencyTrees: ['a', 'b', 'c'],
  makeselfTrees: ['a', 'b', 'c'],
};

export const QUICK = {
  name: 'quick',
  nativeMB: 10,
  modules: { files: 1000, mb: 5 },
  growthMB: [10, 50],
  runs: { warm: 12, slowWarm: 4, cold: 3, coldSlow: 2, peerSlow: 1, rss: 2, pack: 1, concurrent: 2, growthWarm: 8, growthRss: 2 },
  treeRuns: {},
  rounds: 2,
  concurrency: 16,
  peerConcurrencyTrees: ['a'],
  // 16 cold starts of tree (b) mean 16 node processes on 2 cores: ~15 s, too slow for the quick run.
  concurrencyTrees: ['a', 'c'],
  // makeself gzip -9s all 150 MB of tree (b) in ~20 s: too slow for the quick run.
  makeselfTrees: ['a', 'c'],
};

/** The run counts for tree `key`: the config's `runs` with the tree's overrides. */
export function runsFor(cfg, key) {
  return { ...cfg.runs, ...(cfg.treeRuns?.[key] ?? {}) };
}

/** How many times `packer` ('ours', 'oursOne', 'caxa', 'makeself') packs a tree, given runsFor's counts. */
export function packRuns(r, packer) {
  const own = r.packRuns ?? {};
  return own[packer] ?? (packer === 'oursOne' ? own.ours : undefined) ?? r.pack;
}

export function parseArgs(argv) {
  const opts = { quick: false, worktree: false, peersOnly: false, noProfile: false, profile: false, only: null, stateDir: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') opts.quick = true;
    else if (a === '--peers-only') opts.peersOnly = true;
    else if (a === '--no-profile') opts.noProfile = true;
    else if (a === '--profile') opts.profile = true;
    else if (a === '--worktree') opts.worktree = true;
    else if (a === '--state-dir') {
      opts.stateDir = argv[++i];
      if (!opts.stateDir) throw new Error('--state-dir takes a directory');
    } else if (a === '--only') {
      const v = argv[++i] ?? '';
      if (!/^[abc](,[abc])*$/.test(v)) throw new Error(`--only takes trees from a,b,c separated by commas, got "${v}"`);
      opts.only = v.split(',');
    } else if (a === '--help' || a === '-h') opts.help = true;
    else throw new Error(`unknown option ${a}; see npm run bench -- --help`);
  }
  return opts;
}

export const HELP = `npm run bench [-- options]
  --quick        smaller trees and fewer runs (under two minutes)
  --only a,b,c   only these trees (growth runs with a; concurrency per tree)
  --state-dir d  where caches and extractions go (default: a tmpfs with 8 GiB free, else bench/work/state)
  --worktree     measure the work tree's stub/ and src/ instead of the last commit's
  --peers-only   measure caxa and makeself without our packer (while it is unbuilt)
  --no-profile   do not profile missed targets (the full run profiles them)
  --profile      profile missed targets in a --quick run too
Writes bench/results/<date>[-quick].{md,json,png} and the README's "## Benchmarks" section.`;
