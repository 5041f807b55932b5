// Finds or installs what the benchmark needs: the peers (caxa from npm into
// bench/work, makeself from Debian), the measuring tools (hyperfine, GNU
// time, perf) and matplotlib (for the chart) in a venv under bench/work.
// Nothing goes into the project's own package.json.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const CAXA_VERSION = '3.0.1';
const MATPLOTLIB = 'matplotlib>=3.8,<4';

function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Debian packages, by the command they provide. */
const DEBIAN = { hyperfine: 'hyperfine', makeself: 'makeself', zstd: 'zstd', gcc: 'gcc', '/usr/bin/time': 'time', python3: 'python3' };

function aptInstall(packages, log) {
  log(`installing Debian packages: ${packages.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = spawnSync('apt-get', ['install', '-y', '-qq', ...packages], { stdio: 'pipe', env });
  if (r.status !== 0) {
    // A fresh machine has no package lists yet.
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'pipe', env });
    r = spawnSync('apt-get', ['install', '-y', '-qq', ...packages], { stdio: 'pipe', env });
  }
  if (r.status !== 0) throw new Error(`apt-get install ${packages.join(' ')} failed: ${String(r.stderr).trim().split('\n').pop()}`);
}

/** Makes sure each Debian-provided command exists; installs them as root, else says what to install. */
export function ensureDebian(commands, log) {
  const missing = commands.filter((c) => !which(c));
  if (!missing.length) return;
  const packages = missing.map((c) => DEBIAN[c] ?? c);
  if (!isRoot()) {
    throw new Error(`bench needs ${missing.join(', ')}: install the Debian package(s) with: sudo apt-get install ${packages.join(' ')}`);
  }
  aptInstall(packages, log);
  const still = commands.filter((c) => !which(c));
  if (still.length) throw new Error(`bench: ${still.join(', ')} still missing after apt-get install ${packages.join(' ')}`);
}

/** caxa from npm, installed into bench/work/peers; returns the path of its CLI entry. */
export function ensureCaxa(workDir, nodeBin, log) {
  const dir = join(workDir, 'peers');
  const entry = join(dir, 'node_modules', 'caxa', 'build', 'index.mjs');
  if (existsSync(entry)) return entry;
  log(`installing caxa@${CAXA_VERSION} from npm into ${dir}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
  const npm = which('npm');
  if (!npm) throw new Error('bench needs npm to install caxa');
  execFileSync(npm, ['install', '--no-audit', '--no-fund', '--loglevel=error', `caxa@${CAXA_VERSION}`], { cwd: dir, stdio: 'inherit' });
  if (!existsSync(entry)) throw new Error(`caxa installed but ${entry} is missing`);
  return entry;
}

/** A Python venv under bench/work with matplotlib; returns its python. */
export function ensureMatplotlib(workDir, log) {
  const venv = join(workDir, 'venv');
  const python = join(venv, 'bin', 'python');
  const ok = () => existsSync(python) && spawnSync(python, ['-c', 'import matplotlib'], { stdio: 'ignore' }).status === 0;
  if (ok()) return python;
  ensureDebian(['python3'], log);
  log(`creating ${venv} with ${MATPLOTLIB}`);
  let r = spawnSync('python3', ['-m', 'venv', venv], { stdio: 'pipe', encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`python3 -m venv failed (${r.stderr.trim().split('\n').pop()}); install the Debian package python3-venv`);
  }
  r = spawnSync(join(venv, 'bin', 'pip'), ['install', '-q', MATPLOTLIB], { stdio: 'inherit' });
  if (r.status !== 0 || !ok()) throw new Error(`pip install ${MATPLOTLIB} into ${venv} failed`);
  return python;
}

/** Whether `perf record` works here (it needs perf_event access, often missing in containers). */
export function perfUsable() {
  if (!which('perf')) return false;
  const r = spawnSync('perf', ['stat', '-e', 'task-clock', '-x,', 'true'], { stdio: 'pipe' });
  return r.status === 0;
}

export { which };
