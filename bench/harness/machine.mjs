// What machine and which tool versions a run measured, for the results file.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join, dirname } from 'node:path';

export function machineInfo() {
  let cpu = os.cpus()[0]?.model?.trim() || 'unknown';
  const osRelease = existsSync('/etc/os-release') ? (readFileSync('/etc/os-release', 'utf8').match(/^PRETTY_NAME="?([^"\n]*)/m)?.[1] ?? '') : '';
  return {
    nproc: os.availableParallelism(),
    cpu,
    kernel: `${os.type()} ${os.release()}`,
    os: osRelease,
    memGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    loadavg: os.loadavg().map((x) => +x.toFixed(2)),
  };
}

function firstLine(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? (r.stdout || r.stderr).trim().split('\n')[0] : null;
}

export function toolVersions({ nodeBin, caxaEntry }) {
  const caxaPkg = join(dirname(caxaEntry), '..', 'package.json');
  return {
    node: process.version,
    caxa: JSON.parse(readFileSync(caxaPkg, 'utf8')).version,
    makeself: firstLine('makeself', ['--version']),
    hyperfine: firstLine('hyperfine', ['--version']),
    zstd: firstLine('zstd', ['--version']),
    tar: firstLine('tar', ['--version']),
    go: firstLine('go', ['version']),
    commit: firstLine('git', ['rev-parse', '--short', 'HEAD']),
  };
}
