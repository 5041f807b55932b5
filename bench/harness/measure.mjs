// How figures are taken: start times with hyperfine (no shell, so a 1 ms
// program is measured as 1 ms), peak memory with GNU time's max RSS, pack
// times with a wall clock around the packer. Series that are compared are
// measured in alternating rounds, so drift on a shared machine hits all sides.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const sq = (s) => (/^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${String(s).replace(/'/g, `'\\''`)}'`);
export const shellJoin = (argv) => argv.map(sq).join(' ');

/** How `runs` runs spread over `rounds` rounds, so that they add up to exactly `runs` (earlier rounds get the rest). */
export function perRound(runs, rounds) {
  return Array.from({ length: rounds }, (_, i) => Math.floor(runs / rounds) + (i < runs % rounds ? 1 : 0));
}

/**
 * Times each series with hyperfine, `rounds` times in turn, exactly `runs` runs in all (spread by perRound).
 * series: [{ key, argv, env, prepare, runs?, warmup? }]. Returns { key: [seconds...] }.
 */
export function timeSeries(series, { runs, warmup = 1, rounds = 1, tmp }) {
  const out = Object.fromEntries(series.map((s) => [s.key, []]));
  mkdirSync(tmp, { recursive: true });
  for (let round = 0; round < rounds; round++) {
    for (const s of series) {
      const per = perRound(s.runs ?? runs, rounds)[round];
      if (!per) continue;
      const json = join(tmp, `hf-${s.key}.json`);
      const args = ['-N', '--style', 'none', '--runs', String(per), '--warmup', String(s.warmup ?? warmup), '--export-json', json];
      if (s.prepare) args.push('--prepare', s.prepare);
      args.push(shellJoin(s.argv));
      const r = spawnSync('hyperfine', args, { env: { ...process.env, ...s.env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      if (r.status !== 0) {
        throw new Error(`measuring ${s.key} failed: hyperfine ${shellJoin(args)}\n${(r.stderr || r.stdout).trim()}`);
      }
      out[s.key].push(...JSON.parse(readFileSync(json, 'utf8')).results[0].times);
    }
  }
  return out;
}

/** Max RSS in KiB of each of `runs` runs of argv, by GNU time (includes children and exec'd images). */
export function peakRss({ argv, env, runs, tmp, prepare }) {
  mkdirSync(tmp, { recursive: true });
  const file = join(tmp, 'rss.txt');
  const values = [];
  for (let i = 0; i < runs; i++) {
    if (prepare) execFileSync('sh', ['-c', prepare]);
    rmSync(file, { force: true });
    const r = spawnSync('/usr/bin/time', ['-f', '%M', '-o', file, ...argv], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`peak memory run of ${shellJoin(argv)} failed (exit ${r.status}): ${r.stderr.trim()}`);
    values.push(Number(readFileSync(file, 'utf8').trim().split('\n').pop()));
  }
  return values;
}

/** Wall time in seconds of one run of a command that must succeed (a packer). */
export function timeOnce({ argv, env = {}, cwd }) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { env: { ...process.env, ...env }, cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 64 << 20 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.error) throw new Error(`${shellJoin(argv)} could not run: ${r.error.message}`);
  if (r.status !== 0) {
    const said = `${r.stderr ?? ''}\n${r.stdout ?? ''}`.trim().split('\n').slice(-5).join('\n');
    throw new Error(`${shellJoin(argv)} failed (exit ${r.status ?? r.signal}):\n${said || '(no output)'}`);
  }
  return seconds;
}

/** Builds bench/fanout.c (starts N copies of a command at once) into workDir/bin. */
export function buildFanout(workDir) {
  const out = join(workDir, 'bin', 'fanout');
  if (existsSync(out)) return out;
  mkdirSync(dirname(out), { recursive: true });
  execFileSync('gcc', ['-O2', '-o', out, join(here, '..', 'fanout.c')], { stdio: 'pipe' });
  return out;
}
