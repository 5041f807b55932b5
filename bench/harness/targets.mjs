// Issue 6's targets, as ratios from one run, with pass/miss and by how much.
import { median, ratio } from './stats.mjs';

const med = (xs) => (xs && xs.length ? median(xs) : null);
const MiB = 1024; // GNU time reports KiB

/**
 * One target: `value` compared with `limit` by `cmp` ('<=' or '<' or '>=').
 * `by` is how far past the limit (a miss, > 0) or inside it (a pass, < 0), relative to the limit.
 */
export function judge({ id, text, value, limit, cmp, unit = '×', profile, tree }) {
  if (value == null) return { id, text, value: null, limit, cmp, unit, pass: null, by: null, profile, tree };
  const pass = cmp === '<=' ? value <= limit : cmp === '<' ? value < limit : value >= limit;
  const by = cmp === '>=' ? limit / value - 1 : value / limit - 1;
  return { id, text, value, limit, cmp, unit, pass, by, profile, tree };
}

export function describe(t) {
  // References and readings have no limit of the issue's: they carry their own sentence.
  if (t.summary != null) return t.summary;
  if (t.failed) return `MISS: our packer failed (${t.failed})`;
  if (t.pass == null) return 'not measured';
  const pct = Math.abs(t.by * 100).toFixed(t.by !== 0 && Math.abs(t.by) < 0.1 ? 1 : 0);
  // For an "at least N×" target, a miss reads better as the factor still missing than as a percentage.
  const verdict = t.cmp === '>=' && !t.pass ? `MISS: needs ${(t.limit / t.value).toFixed(1)}× more` : t.pass ? `pass (${pct} % inside)` : `MISS by ${pct} %`;
  return t.note ? `${verdict}; ${t.note}` : verdict;
}

const ms = (s) => (Math.abs(s) >= 1 ? `${s.toFixed(2)} s` : `${(s * 1000).toFixed(Math.abs(s) < 0.01 ? 2 : 1)} ms`);
const signedMs = (s) => `${s >= 0 ? '+' : '−'}${ms(Math.abs(s))}`;
const fx = (v) => `${v.toFixed(2)}×`;

/**
 * How a warm start splits against the Go floor, from medians of one run: `gap` = ours − direct;
 * `goPart` = (go-floor + exec) − direct, a Go process in front of the program (runtime start and the
 * extra exec), which no Go stub that execs avoids; `stubPart` = ours − (go-floor + exec), the stub's own work.
 */
export function floorSplit(warm) {
  const direct = med(warm.direct);
  const ours = med(warm.ours);
  const floor = med(warm.goFloor);
  const floorExec = med(warm.goFloorExec);
  if (direct == null || ours == null || floor == null || floorExec == null) return null;
  const gap = ours - direct;
  const goPart = floorExec - direct;
  return { direct, ours, floor, floorExec, gap, goPart, stubPart: ours - floorExec, goShare: gap > 0 ? goPart / gap : null };
}

/** The sentence for the warm-start target: how much of the gap over the direct run the Go floor explains. */
export function floorNote(split, limit) {
  const s = split;
  const share = s.goShare == null ? '' : ` = ${(s.goShare * 100).toFixed(0)} % of the gap`;
  const floorX = s.floorExec / s.direct;
  const cannot = floorX > limit ? `no Go stub that execs can meet ${limit}×: go-floor + exec alone is ${fx(floorX)} direct (go-floor alone ${fx(s.floor / s.direct)}); ` : `go-floor + exec is ${fx(floorX)} direct (go-floor alone ${fx(s.floor / s.direct)}); `;
  return `${cannot}of the ${ms(s.gap)} over direct, ${ms(s.goPart)} is a Go process's start and exec${share}, ${ms(s.stubPart)} the stub's own work; ours ÷ go-floor + exec = ${fx(s.ours / s.floorExec)}`;
}

/**
 * The floor-based reading of N concurrent cold starts: what N starts add over one, ours against the
 * program alone. `extra` > 0 is what the stub adds beyond the programs' own contention for the cores.
 */
export function concurrencyReading(f) {
  const o1 = med(f.conc1?.ours);
  const oN = med(f.concN?.ours);
  const d1 = med(f.conc1?.direct);
  const dN = med(f.concN?.direct);
  if ([o1, oN, d1, dN].some((v) => v == null)) return null;
  return { oursAdded: oN - o1, directAdded: dN - d1, extra: oN - o1 - (dN - d1) };
}

export function concurrencySentence(c, n) {
  const per = Math.abs(c.extra) / (n - 1);
  return c.extra > 0
    ? `the stub adds ${ms(c.extra)} beyond the programs' own contention (${ms(per)} per extra start)`
    : `the stub adds nothing beyond the programs' own contention (${ms(-c.extra)} less)`;
}

export function evaluateTargets(result) {
  const out = [];
  const T = result.trees;
  const f = (k) => T[k]?.figures;
  if (f('a')) {
    const warmA = judge({ id: 'warm-a', tree: 'a', profile: 'warm', text: 'warm start of (a) ÷ direct run', value: ratio(med(f('a').warm.ours), med(f('a').warm.direct)), limit: 2.5, cmp: '<=' });
    const split = floorSplit(f('a').warm);
    if (split) warmA.note = floorNote(split, warmA.limit);
    out.push(warmA);
    if (split) {
      out.push({ id: 'warm-a-floor', tree: 'a', text: 'warm start of (a) ÷ go-floor + exec (the floor of a Go stub that execs; reference, no limit in the issue)', value: split.ours / split.floorExec, limit: null, cmp: '', unit: '×', pass: null, by: null, reference: true, summary: `reference: go-floor + exec is ${fx(split.floorExec / split.direct)} the direct run` });
    }
  }
  const g = result.growth ?? [];
  if (g.length >= 2) {
    const first = g[0];
    const last = g[g.length - 1];
    out.push(judge({ id: 'warm-flat', tree: 'a', profile: 'warm', text: `warm start at ${last.mb} MB ÷ at ${first.mb} MB (flat: ≤ 1.10)`, value: ratio(med(last.warm.ours), med(first.warm.ours)), limit: 1.1, cmp: '<=' }));
  }
  if (f('b')) {
    out.push(judge({ id: 'warm-b', tree: 'b', profile: 'warm', text: 'warm start of (b) ÷ direct run', value: ratio(med(f('b').warm.ours), med(f('b').warm.direct)), limit: 1.03, cmp: '<=' }));
  }
  // Peak memory of a warm start, whatever the pack size: trees whose program is tiny, so the stub dominates.
  const rss = [];
  for (const k of ['a', 'c']) if (f(k)?.rss.ours) rss.push(med(f(k).rss.ours));
  for (const row of g) if (row.rss.ours) rss.push(med(row.rss.ours));
  if (rss.length) {
    out.push(judge({ id: 'rss', tree: 'a', profile: 'rss', unit: 'MiB', text: 'peak memory of a warm start, largest over sizes (MiB)', value: Math.max(...rss) / MiB, limit: 16, cmp: '<=' }));
  }
  for (const k of Object.keys(T)) {
    const x = f(k);
    if (T[k].failures?.ours) {
      out.push({ id: `pack-${k}`, tree: k, text: `packing (${k})`, value: null, limit: null, cmp: '', unit: '', pass: false, by: null, failed: T[k].failures.ours });
      continue;
    }
    out.push(judge({ id: `cold-tar-${k}`, tree: k, profile: 'cold', text: `cold start of (${k}) ÷ tar --zstd -xf`, value: ratio(med(x.cold.ours), med(x.cold.tar)), limit: 1.0, cmp: '<=' }));
    out.push(judge({ id: `cold-caxa-${k}`, tree: k, profile: 'cold', text: `caxa cold start of (${k}) ÷ ours (≥ 3× faster)`, value: ratio(med(x.cold.caxa), med(x.cold.ours)), limit: 3, cmp: '>=' }));
    out.push(judge({ id: `pack-six-${k}`, tree: k, profile: 'pack', text: `packing (${k}) for six targets ÷ caxa for one`, value: ratio(med(x.packAll.ours), med(x.pack.caxa)), limit: 1, cmp: '<' }));
    if (k === 'b') {
      out.push(judge({ id: 'size-b', tree: 'b', profile: 'size', text: 'pack size of (b) ÷ caxa', value: ratio(med(x.size.ours), med(x.size.caxa)), limit: 0.85, cmp: '<=' }));
    }
    const floor = ratio(med(x.concN.direct), med(x.conc1.direct));
    const floorText = floor == null ? '' : ` (the program alone, no pack: ${floor.toFixed(2)}×)`;
    if (x.conc1.ours) out.push(judge({ id: `conc-${k}`, tree: k, profile: 'conc', text: `${result.config.concurrency} concurrent cold starts of (${k}) ÷ one${floorText}`, value: ratio(med(x.concN.ours), med(x.conc1.ours)), limit: 1.5, cmp: '<=' }));
    // Next to the figure, not instead of it: N bare programs on few cores already take longer than one.
    const c = concurrencyReading(x);
    if (c) {
      const n = result.config.concurrency;
      out.push({ id: `conc-floor-${k}`, tree: k, text: `${n} concurrent cold starts of (${k}), floor-based reading: ours(${n}) − ours(1) vs direct(${n}) − direct(1)`, value: c.extra, limit: null, cmp: '', unit: 's', pass: null, by: null, reading: true, measuredText: `${signedMs(c.oursAdded)} vs ${signedMs(c.directAdded)}`, summary: concurrencySentence(c, n) });
    }
  }
  return out;
}
