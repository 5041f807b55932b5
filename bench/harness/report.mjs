// Turns one run's figures into the dated results file (markdown + JSON), the
// PNG chart (bench/chart.py, matplotlib) and the README's "## Benchmarks" section.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { median, ratio } from './stats.mjs';
import { describe, floorSplit, concurrencyReading, concurrencySentence } from './targets.mjs';

const med = (xs) => (xs && xs.length ? median(xs) : null);

export function fmtTime(s) {
  if (s == null) return '';
  if (s >= 1) return `${s.toFixed(2)} s`;
  const ms = s * 1000;
  return `${ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2)} ms`;
}
export const fmtMB = (b) => (b == null ? '' : `${(b / 1e6).toFixed(1)} MB`);
export const fmtMiB = (kib) => (kib == null ? '' : `${(kib / 1024).toFixed(1)} MiB`);
export const fmtRatio = (r) => (r == null ? '' : r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2));

function table(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Runs count of a series, for the "n" column. */
const n = (xs) => (xs ? xs.length : 0);

const COLUMN = { direct: 'direct', ours: 'ours', caxa: 'caxa', makeself: 'makeself', tar: 'tar' };

/**
 * The "runs" cell: one number when every column ran as often, else the most common count and the
 * columns that differ, e.g. "3 (caxa 1, makeself 1)": slow peers run fewer times on the big trees.
 */
export function runsCell(counts) {
  const present = Object.entries(counts).filter(([, c]) => c > 0);
  if (!present.length) return '0';
  const tally = new Map();
  for (const [, c] of present) tally.set(c, (tally.get(c) ?? 0) + 1);
  const base = [...tally.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0][0];
  const others = present.filter(([, c]) => c !== base).map(([k, c]) => `${COLUMN[k] ?? k} ${c}`);
  return others.length ? `${base} (${others.join(', ')})` : String(base);
}

function treeTable(t) {
  const F = t.figures;
  const rows = [];
  const row = (label, fmt, get, extra = '') => {
    const v = (k) => med(get(k));
    const ours = v('ours');
    const counts = Object.fromEntries(['direct', 'ours', 'caxa', 'makeself', 'tar'].map((k) => [k, n(get(k))]));
    // A figure this run did not take (e.g. the quick run's concurrency of (b)) gets no empty row.
    if (Object.values(counts).every((c) => c === 0)) return;
    const runs = runsCell(counts);
    rows.push([label, fmt(v('direct')), fmt(ours), fmt(v('caxa')), fmt(v('makeself')), fmt(v('tar')), fmtRatio(ratio(ours, v('caxa'))), fmtRatio(ratio(ours, v('makeself'))), extra, runs]);
  };
  row('pack time, one target', fmtTime, (k) => F.pack[k]);
  row('pack time, six targets', fmtTime, (k) => F.packAll[k] ?? (k === 'caxa' ? F.pack.caxa : undefined), 'caxa column: one target');
  row('pack size (one target)', fmtMB, (k) => (k === 'direct' ? F.size.tree : F.size[k]), 'direct column: the tree');
  row('warm start', fmtTime, (k) => F.warm[k], `${fmtRatio(ratio(med(F.warm.ours), med(F.warm.direct)))}× direct; makeself extracts on every start${F.warmFromCold?.includes('makeself') ? ' (its cold-start runs)' : ''}`);
  row('cold start (empty cache)', fmtTime, (k) => F.cold[k], `${fmtRatio(ratio(med(F.cold.ours), med(F.cold.tar)))}× tar`);
  row('peak memory, warm start', fmtMiB, (k) => F.rss[k], 'max RSS, GNU time');
  row('one cold start (fanout 1)', fmtTime, (k) => F.conc1[k]);
  const c = concurrencyReading(F);
  const added = c ? `; over one: ours ${fmtTime(c.oursAdded)}, direct ${fmtTime(c.directAdded)}` : '';
  row(`concurrent cold starts (fanout N)`, fmtTime, (k) => F.concN[k], `ours ${fmtRatio(ratio(med(F.concN.ours), med(F.conc1.ours)))}× one; direct ${fmtRatio(ratio(med(F.concN.direct), med(F.conc1.direct)))}× one${added}`);
  return table(['figure', 'direct', 'pack-action', 'caxa', 'makeself', 'tar --zstd -xf', 'ours ÷ caxa', 'ours ÷ makeself', 'note', 'runs'], rows);
}

/** Tree (a)'s warm start next to the Go floor, from the same hyperfine rounds. */
function floorTable(F) {
  const s = floorSplit(F.warm);
  if (!s) return null;
  const line = (label, key, v) => [label, fmtTime(v), fmtRatio(ratio(v, s.direct)), fmtRatio(ratio(s.ours, v)), String(n(F.warm[key]))];
  return table(['series', 'warm start', '÷ direct', 'ours ÷ this', 'runs'], [
    line('direct run (static C program)', 'direct', s.direct),
    line('go-floor: a Go program that only exits', 'goFloor', s.floor),
    line('go-floor + exec: a Go program that execs the program', 'goFloorExec', s.floorExec),
    line('pack-action, warm', 'ours', s.ours),
  ]);
}

/** The paragraph under the concurrency figures: the issue's ratio, and the floor-based reading next to it. */
function concurrencyText(r) {
  const n = r.config.concurrency;
  const lines = [];
  for (const [key, t] of Object.entries(r.trees)) {
    const c = concurrencyReading(t.figures);
    if (c) lines.push(`(${key}) ours ${n} − 1: ${fmtTime(c.oursAdded)}, direct ${n} − 1: ${fmtTime(c.directAdded)}: ${concurrencySentence(c, n)}`);
  }
  if (!lines.length) return null;
  return [
    `${n} concurrent cold starts: the issue's figure is ours(${n}) ÷ ours(1), judged against 1.5× above as the issue asks. But ${n}`,
    `bare programs started at once on ${r.machine.nproc} cores already take several times one (the "direct" column), so the results`,
    `also give the floor-based reading: what ${n} starts add over one, ours(${n}) − ours(1), against the same for the program`,
    `alone, direct(${n}) − direct(1). The difference is what the stub adds beyond the programs' own contention:`,
    '',
    ...lines.map((l) => `- ${l}`),
  ].join('\n');
}

function growthTable(rows) {
  return table(
    ['data', 'pack size ours', 'pack size caxa', 'warm direct', 'warm ours', 'warm caxa', 'ours ÷ caxa', 'ours ÷ direct', 'peak mem ours', 'peak mem caxa'],
    rows.map((r) => {
      const w = (k) => med(r.warm[k]);
      return [`${r.mb} MB`, fmtMB(r.size.ours), fmtMB(r.size.caxa), fmtTime(w('direct')), fmtTime(w('ours')), fmtTime(w('caxa')), fmtRatio(ratio(w('ours'), w('caxa'))), fmtRatio(ratio(w('ours'), w('direct'))), fmtMiB(med(r.rss.ours)), fmtMiB(med(r.rss.caxa))];
    }),
  );
}

export function targetsTable(targets) {
  return table(
    ['target', 'measured', 'limit', 'result'],
    targets.map((t) => [
      t.text,
      t.measuredText ?? (t.value == null ? 'n/a' : t.unit === 'MiB' ? `${t.value.toFixed(1)} MiB` : `${fmtRatio(t.value)}×`),
      t.failed ? 'packs' : t.limit == null ? '—' : `${t.cmp} ${t.limit}${t.unit === 'MiB' ? ' MiB' : '×'}`,
      describe(t),
    ]),
  );
}

export function machineLine(r) {
  const m = r.machine;
  return `${m.nproc} × ${m.cpu}, ${m.kernel}${m.os ? `, ${m.os}` : ''}, ${m.memGiB} GiB RAM; load average ${m.loadavg.join(' ')} at start${m.loadavgEnd ? `, ${m.loadavgEnd.join(' ')} at the end` : ''}`;
}

function toolsLine(v) {
  const zstd = v.zstd?.match(/v(\d[\d.]*)/)?.[1];
  return [`node ${v.node}`, `caxa ${v.caxa}`, v.makeself, v.hyperfine, zstd && `zstd ${zstd}`, v.tar, v.go, v.measured && `pack-action measured at commit ${v.measured}`].filter(Boolean).join(', ');
}

export function renderMarkdown(r, chartName) {
  const when = r.date.replace('T', ' ').replace(/:\d\d\.\d+Z$/, ' UTC');
  const v = r.versions;
  const parts = [
    `# Benchmark results: ${when} (${r.config.name} run)`,
    '',
    `Machine: ${machineLine(r)}.`,
    `Tools: ${toolsLine(v)}. Took ${r.seconds == null ? '?' : r.seconds.toFixed(0)} s.`,
    '',
    'Every figure is the median of the runs counted in its row; start times by hyperfine without a shell, in',
    'alternating rounds so that drift on this shared machine hits every side alike. "ours ÷ caxa" is the ratio to',
    "caxa's figure measured in the same run. Cold start = the pack's cache emptied before each run (the OS page",
    'cache stays warm); the tar column extracts our own payload bytes, i.e. the same tree at the same zstd level.',
    `Caches and extractions of every tool: ${r.stateDir ? r.stateDir.kind : 'disk'} (see bench/harness/state.mjs for why).`,
    'makeself has no cache: it extracts on every start, so its warm and cold starts are the same thing.',
    '',
    '## Targets (issue 6)',
    '',
    targetsTable(r.targets),
    '',
  ];
  const conc = concurrencyText(r);
  if (conc) parts.push(conc, '');
  for (const [key, t] of Object.entries(r.trees)) {
    parts.push(`## Tree (${key}): ${t.title}`, '', `${t.info.files} files, ${t.info.entries} entries, ${fmtMB(t.info.bytes)}.`, '', treeTable(t), '');
    const floor = floorTable(t.figures);
    if (floor) {
      parts.push('Warm start against the Go floor: two reference programs built from `bench/gofloor/main.go` with the stub\'s Go,',
        'go.mod settings and build flags, timed in the same hyperfine rounds as the rows above. go-floor + exec is the least any Go',
        'stub that execs the program (ours does on Unix) can take; "ours ÷ this" is what the stub adds on top of it.', '', floor, '');
    }
    for (const [tool, msg] of Object.entries(t.failures ?? {})) parts.push(`**${tool} failed to pack this tree**, so it has no figures here: \`${msg}\``, '');
  }
  if (r.growth.length) {
    parts.push('## Warm start as the pack grows (tree (a) shape)', '', growthTable(r.growth), '');
    for (const row of r.growth) for (const [tool, msg] of Object.entries(row.failures ?? {})) parts.push(`${tool} failed to pack ${row.mb} MB: \`${msg}\``, '');
  }
  if (r.profiles?.length) {
    parts.push('## Profiles of the missed targets', '');
    for (const p of r.profiles) parts.push(`### ${p.title}`, '', p.text.trim(), '');
  }
  if (chartName) parts.push('## Chart', '', `![benchmark chart](${chartName})`, '');
  return parts.join('\n');
}

function readmeSection(r, resultsName, chartName) {
  const when = r.date.replace('T', ' ').replace(/:\d\d\.\d+Z$/, ' UTC');
  const keyRows = Object.entries(r.trees).map(([k, t]) => {
    const F = t.figures;
    const m = (x) => med(x);
    return [`(${k}) ${t.title}`, fmtTime(m(F.warm.direct)), fmtTime(m(F.warm.ours)), fmtTime(m(F.warm.caxa)), fmtTime(m(F.cold.ours)), fmtTime(m(F.cold.tar)), fmtTime(m(F.cold.caxa)), fmtTime(m(F.packAll.ours)), fmtTime(m(F.pack.caxa)), fmtMB(m(F.size.ours)), fmtMB(m(F.size.caxa))];
  });
  return [
    '## Benchmarks',
    '',
    `Latest full run: ${when}, on ${machineLine(r)}; caches and extractions on ${r.stateDir ? r.stateDir.kind : 'disk'}. Full figures (makeself, memory, growth, concurrency, profiles, and why each miss misses):`,
    `[bench/results/${resultsName}](bench/results/${resultsName}); chart: [bench/results/${chartName}](bench/results/${chartName}).`,
    `Run it yourself with \`npm run bench\` (this one took ${Math.round(r.seconds / 60)} minutes) or \`npm run bench -- --quick\` (under two).`,
    '',
    table(['tree', 'direct run', 'warm ours', 'warm caxa', 'cold ours', 'tar -xf', 'cold caxa', 'pack 6 targets ours', 'pack 1 caxa', 'size ours', 'size caxa'], keyRows),
    '',
    targetsTable(r.targets),
    '',
  ].join('\n');
}

/**
 * Replaces the README's "## Benchmarks" section (up to the next "## " heading, normally the end of the
 * file) with `section`, or appends it at the end when there is none.
 */
export function updateReadme(readme, section) {
  const text = existsSync(readme) ? readFileSync(readme, 'utf8') : '';
  const at = text.search(/^## Benchmarks\s*$/m);
  if (at < 0) {
    writeFileSync(readme, (text && !text.endsWith('\n\n') ? text.replace(/\n*$/, '\n\n') : text) + section);
    return;
  }
  const rest = text.slice(at + 1);
  const next = rest.search(/^## /m);
  const tail = next < 0 ? '' : '\n' + rest.slice(next);
  writeFileSync(readme, text.slice(0, at) + section + tail);
}

export function writeResults(r, { resultsDir, readme, python, chartScript }) {
  mkdirSync(resultsDir, { recursive: true });
  const stamp = r.date.slice(0, 16).replace(/:/g, '') + 'Z';
  const base = `${stamp}${r.config.name === 'quick' ? '-quick' : ''}`;
  const json = join(resultsDir, `${base}.json`);
  const png = join(resultsDir, `${base}.png`);
  const md = join(resultsDir, `${base}.md`);
  writeFileSync(json, JSON.stringify(r, null, 1) + '\n');
  const c = spawnSync(python, [chartScript, json, png], { encoding: 'utf8' });
  if (c.status !== 0) throw new Error(`chart failed: ${python} ${chartScript}: ${c.stderr.trim().split('\n').slice(-3).join(' ')}`);
  writeFileSync(md, renderMarkdown(r, basename(png)));
  const files = [md, json, png];
  if (r.config.name === 'full' && r.trees.a && r.trees.b && r.trees.c && r.targets.some((t) => t.id === 'warm-a')) {
    updateReadme(readme, readmeSection(r, basename(md), basename(png)));
    files.push(readme);
  }
  return files;
}
