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
  if (t.failed) return `MISS: our packer failed (${t.failed})`;
  if (t.pass == null) return 'not measured';
  const pct = Math.abs(t.by * 100).toFixed(t.by !== 0 && Math.abs(t.by) < 0.1 ? 1 : 0);
  // For an "at least N×" target, a miss reads better as the factor still missing than as a percentage.
  if (t.cmp === '>=' && !t.pass) return `MISS: needs ${(t.limit / t.value).toFixed(1)}× more`;
  return t.pass ? `pass (${pct} % inside)` : `MISS by ${pct} %`;
}

export function evaluateTargets(result) {
  const out = [];
  const T = result.trees;
  const f = (k) => T[k]?.figures;
  if (f('a')) {
    out.push(judge({ id: 'warm-a', tree: 'a', profile: 'warm', text: 'warm start of (a) ÷ direct run', value: ratio(med(f('a').warm.ours), med(f('a').warm.direct)), limit: 2.5, cmp: '<=' }));
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
  }
  return out;
}
