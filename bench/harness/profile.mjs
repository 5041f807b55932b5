// When a target is missed, looks at why, and returns what it saw as text for
// the results file: perf (stub with symbols) for start-up targets, perf stat
// and strace syscall counts, node --cpu-prof for packing, zstd levels for size.
// It only observes: fixes belong in the stub or the packer.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOST_TARGET, ALL_TARGETS } from './config.mjs';
import { RUN_SPECS } from './trees.mjs';
import { perfUsable, which } from './peers.mjs';
import { shellJoin } from './measure.mjs';

const sq = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;
const clip = (text, lines) => text.trim().split('\n').slice(0, lines).join('\n');
const block = (text) => '```\n' + text.trim() + '\n```';

function sh(cmd, env = {}) {
  const r = spawnSync('sh', ['-c', cmd], { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 256 << 20 });
  return { ok: r.status === 0, out: r.stdout ?? '', err: r.stderr ?? '' };
}

/** Builds the host stub WITH symbols (build-stubs strips them) so perf can name Go functions. */
function profilingStubs(ctx) {
  const dir = join(ctx.work, 'prof', 'stubs');
  const file = join(dir, `pack-stub-${HOST_TARGET}`);
  mkdirSync(dir, { recursive: true });
  execFileSync('go', ['build', '-trimpath', '-buildvcs=false', '-o', file, '.'], { cwd: join(ctx.root, 'stub'), env: { ...process.env, CGO_ENABLED: '0' }, stdio: 'pipe' });
  const sha = createHash('sha256').update(readFileSync(file)).digest('hex');
  writeFileSync(join(dir, 'SHA256SUMS'), `${sha}  pack-stub-${HOST_TARGET}\n`);
  return dir;
}

/** Repacks a tree with the symbol-carrying stub; returns the pack file. */
function profilingPack(ctx, treeDir, spec, key, stubsDir) {
  const out = join(ctx.work, 'prof', `pack-${key}`);
  rmSync(out, { recursive: true, force: true });
  const argv = [ctx.nodeBin, join(ctx.root, 'bin', 'pack-action.js'), 'pack', treeDir, '--name', `bench-prof-${key}`, '--command', spec.command];
  for (const a of spec.args) argv.push('--arg', a);
  argv.push('--target', HOST_TARGET, '--out', out, '--stubs', stubsDir);
  execFileSync(argv[0], argv.slice(1), { cwd: ctx.root, stdio: 'pipe' });
  const f = readdirSync(out).find((n) => n.includes(HOST_TARGET));
  return join(out, f);
}

function perfTop(ctx, loop, env, label) {
  if (!perfUsable()) return 'perf is not usable here (install the Debian package linux-perf, and allow perf_event_open).';
  const data = join(ctx.work, 'prof', `${label}.perf.data`);
  const rec = sh(`perf record -q -F 5000 -g -o ${data} -- sh -c ${sq(loop)} >/dev/null`, env);
  if (!rec.ok) return `perf record failed: ${clip(rec.err, 3)}`;
  const report = (args) => sh(`perf report -i ${data} --stdio ${args} -g none 2>/dev/null | grep -v '^#' | grep -v '^$'`).out;
  // Self time grouped by where it is spent (kernel, Go package of the stub, other binaries), then inclusive
  // time by function, which shows call paths such as runtime init -> page faults better than self time alone.
  const groups = selfTimeByPackage(report('--no-children --sort dso,sym --percent-limit 0'));
  return `self time by package:\n${groups}\n\ninclusive time by function (children), top:\n${clip(report('--children --sort sym --percent-limit 4'), 40)}`;
}

/** Sums `perf report --sort dso,sym` self-time lines by kernel / Go package / other binary. */
export function selfTimeByPackage(text, top = 10) {
  const sums = new Map();
  for (const line of text.split('\n')) {
    const m = line.match(/^\s*([\d.]+)%\s+(\S+)\s+\[([.k])\]\s+(.*)$/);
    if (!m) continue;
    const [, pct, dso, kind, sym] = m;
    let group;
    if (kind === 'k') group = 'kernel';
    else if (!dso.startsWith('bench-prof-')) group = dso;
    else {
      // Go symbols: path/to/pkg.Func, path/to/pkg.(*T).Method; keep the package, drop the module prefix.
      const pkg = sym.replace(/\.\(?\*?[A-Za-z_][^/]*$/, '');
      const own = pkg.match(/^github\.com\/pack-action\/pack-action\/stub(\/.*)?$/);
      group = own ? `stub${own[1] ?? ''}` : pkg === 'main' ? 'stub/main' : `Go ${pkg}`;
    }
    sums.set(group, (sums.get(group) ?? 0) + Number(pct));
  }
  return [...sums.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([g, v]) => `${v.toFixed(1).padStart(5)} %  ${g}`).join('\n');
}

function perfStat(cmd, env, runs) {
  if (!perfUsable()) return '';
  const r = sh(`perf stat -r ${runs} -e task-clock,page-faults,context-switches,cpu-migrations ${cmd} 2>&1 >/dev/null`, env);
  return clip(r.out + r.err, 14);
}

function straceSummary(cmd, env) {
  if (!which('strace')) return 'strace missing (Debian package strace)';
  const r = sh(`strace -f -c -o /dev/stderr ${cmd} >/dev/null 2>/tmp/bench-strace.$$; cat /tmp/bench-strace.$$; rm -f /tmp/bench-strace.$$`, env);
  return clip(r.out, 22);
}

function treeOf(result, key) {
  const t = result.trees[key];
  return { dir: t.dir, spec: key === 'b' ? RUN_SPECS.node : RUN_SPECS.hello };
}

async function profileStart(result, kind, misses, ctx) {
  const stubs = profilingStubs(ctx);
  const texts = [];
  for (const key of [...new Set(misses.map((m) => m.tree))]) {
    const { dir, spec } = treeOf(result, key);
    const pack = profilingPack(ctx, dir, spec, key, stubs);
    const cache = join(ctx.stateRoot ?? join(ctx.work, 'prof'), `prof-cache-${key}`); // where the measured runs' caches were
    const env = { PACK_CACHE_DIR: cache };
    const run = shellJoin([pack, ...spec.callArgs]);
    const direct = shellJoin([join(dir, spec.command), ...spec.args.map((a) => a.split('{app}').join(dir)), ...spec.callArgs]);
    rmSync(cache, { recursive: true, force: true });
    if (kind === 'warm' || kind === 'rss') {
      sh(run, env);
      texts.push(`Tree (${key}), warm start, \`perf stat\` of the pack, then of the direct run:`,
        block(perfStat(run, env, 50) + '\n---\n' + perfStat(direct, {}, 50)),
        'Syscalls of one warm start (`strace -f -c`):', block(straceSummary(run, env)),
        'Where the time goes over 100 warm starts (`perf record -g`, stub built with symbols):', block(perfTop(ctx, `for i in $(seq 100); do ${run}; done`, env, `warm-${key}`)));
    } else if (kind === 'cold') {
      // A cold start of (c) writes 20,000 files (10-40 s here): one is samples enough.
      const n = key === 'a' ? 8 : key === 'b' ? 4 : 1;
      texts.push(`Tree (${key}), cold start, \`perf stat\` of the pack (cache emptied first):`,
        block(clip(sh(`rm -rf ${cache}; perf stat -e task-clock,page-faults,context-switches ${run} 2>&1 >/dev/null`, env).out, 14)),
        'Syscalls of one cold start (`strace -f -c`):', block((sh(`rm -rf ${cache}`), straceSummary(run, env))),
        `Where the time goes over ${n} cold starts (\`perf record -g\`):`, block(perfTop(ctx, `for i in $(seq ${n}); do rm -rf ${cache}; ${run}; done`, env, `cold-${key}`)));
    } else if (kind === 'conc') {
      const fan = join(ctx.work, 'bin', 'fanout');
      const n = result.config.concurrency;
      texts.push(`Tree (${key}): CPU and switches of 1 vs ${n} concurrent cold starts (\`perf stat\`, cache emptied first):`,
        block(clip(sh(`rm -rf ${cache}; perf stat -e task-clock,context-switches ${fan} 1 ${run} 2>&1 >/dev/null`, env).out, 10) + '\n---\n' +
          clip(sh(`rm -rf ${cache}; perf stat -e task-clock,context-switches ${fan} ${n} ${run} 2>&1 >/dev/null`, env).out, 10)),
        `Where the time goes in ${n} concurrent cold starts (\`perf record -g\`):`, block(perfTop(ctx, `rm -rf ${cache}; ${fan} ${n} ${run}`, env, `conc-${key}`)));
    }
    rmSync(cache, { recursive: true, force: true });
  }
  return texts.join('\n\n');
}

/** Self time per function from a V8 .cpuprofile, top `n`. */
export function topOfCpuProfile(profile, n = 12) {
  const self = new Map();
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const dt = profile.timeDeltas;
  const total = dt.reduce((a, b) => a + b, 0);
  profile.samples.forEach((id, i) => {
    const f = byId.get(id).callFrame;
    const name = `${f.functionName || '(anonymous)'} ${f.url ? f.url.replace(/^.*\/(node_modules\/|src\/|lib\/)/, '$1') + ':' + (f.lineNumber + 1) : ''}`.trim();
    self.set(name, (self.get(name) ?? 0) + (dt[i] ?? 0));
  });
  return [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([name, us]) => `${((us / total) * 100).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(6)} ms  ${name}`).join('\n');
}

async function profilePack(result, misses, ctx) {
  const texts = [];
  for (const key of [...new Set(misses.map((m) => m.tree))]) {
    const { dir, spec } = treeOf(result, key);
    const profDir = join(ctx.work, 'prof', `cpuprof-${key}`);
    const out = join(ctx.work, 'prof', `pack6-${key}`);
    rmSync(profDir, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
    const argv = [ctx.nodeBin, '--cpu-prof', `--cpu-prof-dir=${profDir}`, join(ctx.root, 'bin', 'pack-action.js'), 'pack', dir, '--name', `bench-${key}`, '--command', spec.command];
    for (const a of spec.args) argv.push('--arg', a);
    argv.push('--target', ALL_TARGETS.join(','));
    argv.push('--out', out, '--stubs', join(ctx.work, 'stubs'));
    const timed = sh(`/usr/bin/time -f 'wall %e s, user %U s, sys %S s, max RSS %M KiB' ${shellJoin(argv)} 2>&1 >/dev/null | tail -1`);
    const prof = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
    const top = prof ? topOfCpuProfile(JSON.parse(readFileSync(join(profDir, prof), 'utf8'))) : 'no .cpuprofile written';
    texts.push(`Tree (${key}), packing six targets: ${timed.out.trim()} (user+sys above wall means more than one core at work).`,
      'Main-thread self time (`node --cpu-prof`; zstd runs on libuv worker threads and shows here as "(idle)" or "(program)"):', block(top));
    rmSync(out, { recursive: true, force: true });
  }
  return texts.join('\n\n');
}

async function profileSize(result, ctx) {
  // Recompress our own tar stream at other levels, to show what the level buys against caxa's gzip.
  const payload = join(ctx.work, 'packs', 'payload-b.tar.zst');
  if (!existsSync(payload)) return 'no payload of tree (b) to look at';
  const caxa = result.trees.b.figures.size.caxa[0];
  const lines = [`caxa (gzip via archiver, default level): ${(caxa / 1e6).toFixed(1)} MB`];
  for (const args of ['-3', '-9', '-19', '-19 --long=27']) {
    const r = sh(`zstd -dc ${payload} | zstd -T0 ${args} -c | wc -c`);
    const size = Number(r.out.trim());
    lines.push(`zstd ${args.padEnd(13)} ${(size / 1e6).toFixed(1)} MB = ${(size / caxa).toFixed(3)}× caxa`);
  }
  return `Tree (b): the same tar stream at other zstd levels:\n\n${block(lines.join('\n'))}`;
}

export async function profileMisses(result, ctx) {
  const misses = result.targets.filter((t) => t.pass === false);
  const out = [];
  const byKind = (k) => misses.filter((m) => m.profile === k);
  for (const [kind, title] of [['warm', 'warm start'], ['rss', 'peak memory'], ['cold', 'cold start'], ['conc', 'concurrent cold starts'], ['pack', 'pack time'], ['size', 'pack size']]) {
    const m = byKind(kind);
    if (!m.length) continue;
    ctx.log(`profiling the missed ${title} target(s): ${m.map((x) => x.id).join(', ')}`);
    try {
      const text = kind === 'pack' ? await profilePack(result, m, ctx) : kind === 'size' ? await profileSize(result, ctx) : await profileStart(result, kind, m, ctx);
      out.push({ title: `${title}: ${m.map((x) => x.id).join(', ')}`, text });
    } catch (err) {
      out.push({ title: `${title}: ${m.map((x) => x.id).join(', ')}`, text: `profiling failed: ${err.message.split('\n')[0]}` });
    }
  }
  return out;
}
