// Runs packs to check that they work: natively, linux-arm64/x64 through
// qemu-user and windows-x64 through wine. Says which packs it cannot run
// here and why; a run that fails is a failure, never a skip.

import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inspectPack } from './inspect.js';
import { hostTarget, targetArch, targetOS, type Target } from './targets.js';

export interface Runner {
  /** Program to start; the pack's path and arguments follow `args`. */
  command: string;
  args: string[];
  env: Record<string, string>;
  /** How it runs, for the report: native, qemu-aarch64-static, wine. */
  via: string;
}

export type RunPlan = { runner: Runner } | { skip: string };

/** Finds an executable on PATH. */
export function findOnPath(name: string, envPath: string = process.env.PATH ?? ''): string | undefined {
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** What planRun looks at on this machine; tests replace it. */
export interface HostProbe {
  which(name: string): string | undefined;
  exists(file: string): boolean;
  /** `wine --version` output, e.g. `wine-8.0`. */
  wineVersion(wine: string): string;
}

export const realProbe: HostProbe = {
  which: (name) => findOnPath(name),
  exists: (file) => existsSync(file),
  wineVersion: (wine) => spawnSync(wine, ['--version'], { timeout: 30_000 }).stdout?.toString().trim() ?? '',
};

const SETUP_HINT = 'run scripts/setup-emulators.sh as root';

/** How a pack for `target` can run on `host`, or why it cannot. */
export function planRun(target: Target, host: Target | undefined = hostTarget(), probe: HostProbe = realProbe): RunPlan {
  const native = (): RunPlan => ({ runner: { command: '', args: [], env: {}, via: 'native' } });
  const through = (names: string[], via: string, env: Record<string, string>, install: string): RunPlan => {
    for (const name of names) {
      const found = probe.which(name);
      if (found) return { runner: { command: found, args: [], env, via } };
    }
    return { skip: `${names[0]} is not installed (Debian: apt-get install ${install})` };
  };
  if (!host) return { skip: `this host (${process.platform}-${process.arch}) is not one of the targets` };
  if (target === host) return native();
  const targetOs = targetOS(target);
  const hostOS = targetOS(host);
  if (targetOs === 'darwin') {
    if (hostOS !== 'darwin') return { skip: 'macOS packs run only on macOS' };
    return target === 'darwin-x64' ? native() : { skip: 'darwin-arm64 packs need an Apple silicon Mac' }; // x64 runs under Rosetta
  }
  if (targetOs === 'windows') {
    if (hostOS === 'windows') {
      return host === 'windows-arm64' ? native() : { skip: 'windows-arm64 packs need an arm64 Windows machine' };
    }
    if (target === 'windows-arm64') return { skip: 'wine runs x64 Windows programs only; windows-arm64 needs an arm64 Windows machine' };
    if (hostOS === 'linux' && targetArch(host) === 'x64') {
      const plan = through(['wine', 'wine64'], 'wine', { WINEDEBUG: '-all' }, 'wine64');
      if ('runner' in plan && !wineRunsGo(plan.runner.command, probe)) {
        return { skip: `${probe.wineVersion(plan.runner.command)} lacks bcryptprimitives.dll, which the Go stub needs; ${SETUP_HINT}` };
      }
      return plan;
    }
    return { skip: `wine cannot run ${target} packs on ${host}` };
  }
  // Linux targets on a Linux host of the other architecture.
  if (hostOS !== 'linux') return { skip: 'Linux packs run only on Linux' };
  const qemu = target === 'linux-arm64' ? 'aarch64' : 'x86_64';
  const plan = through([`qemu-${qemu}-static`, `qemu-${qemu}`], `qemu-${qemu}-static`, {}, 'qemu-user-static');
  // The stub execs the packed program: the kernel must hand it to qemu too.
  if ('runner' in plan && !probe.exists(`/proc/sys/fs/binfmt_misc/qemu-${qemu}`)) {
    return { skip: `qemu-${qemu} is not registered with binfmt_misc, so the stub cannot start the ${targetArch(target)} program; ${SETUP_HINT}` };
  }
  return plan;
}

/**
 * Go 1.24+ programs such as the stub import ProcessPrng from
 * bcryptprimitives.dll, which wine gained only in version 9.
 */
function wineRunsGo(wine: string, probe: HostProbe): boolean {
  const m = /^wine-(\d+)\./.exec(probe.wineVersion(wine));
  if (m && Number(m[1]) >= 9) return true;
  const prefix = process.env.WINEPREFIX ?? path.join(os.homedir(), '.wine');
  return probe.exists(path.join(prefix, 'drive_c', 'windows', 'system32', 'bcryptprimitives.dll'));
}

export interface SmokeOptions {
  /** Arguments passed to the pack. */
  args?: readonly string[];
  /** Exit status the run must have; default 0. */
  expectExit?: number;
  /** A pattern stdout must match. */
  expectStdout?: RegExp;
  /** Bytes fed to the pack's stdin; without it stdin is empty. */
  stdin?: Buffer;
  /** Environment of the run; default this process's. */
  env?: NodeJS.ProcessEnv;
  /** Default 180 s: wine's first start in a new prefix takes a while. */
  timeoutMs?: number;
  /** Receives the pack's output as it comes, e.g. to show it live. */
  onOutput?: (stream: 'stdout' | 'stderr', chunk: Buffer) => void;
  /** For tests: how to run a target instead of looking at this host. */
  plan?: (target: Target) => RunPlan;
}

export interface SmokeResult {
  file: string;
  /** Absent when the file could not be read as a pack. */
  target?: Target;
  status: 'passed' | 'failed' | 'skipped';
  /** native, wine, qemu-…; absent when skipped. */
  via?: string;
  /** Why it was skipped or failed. */
  reason?: string;
  exitCode?: number | null;
  signal?: string | null;
  stdout?: string;
  stderr?: string;
  durationMs?: number;
}

/** Output kept per stream for the report; the rest is still passed to onOutput. */
const KEEP = 1 << 20;

/** Runs one pack and judges the run. Never throws for a bad pack: the result says what happened. */
export async function smokePack(file: string, options: SmokeOptions = {}): Promise<SmokeResult> {
  let target: Target;
  try {
    target = (await inspectPack(file)).manifest.target;
  } catch (err) {
    return { file, status: 'failed', reason: (err as Error).message };
  }
  const plan = (options.plan ?? ((t: Target) => planRun(t)))(target);
  if ('skip' in plan) return { file, target, status: 'skipped', reason: plan.skip };
  const { runner } = plan;
  const absolute = path.resolve(file);
  const [command, args] = runner.command ? [runner.command, [...runner.args, absolute]] : [absolute, []];
  const started = Date.now();
  const out = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  const kept = { stdout: 0, stderr: 0 };
  const run = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    const child = spawn(command, [...args, ...(options.args ?? [])], {
      env: { ...(options.env ?? process.env), ...runner.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 180_000,
    });
    for (const name of ['stdout', 'stderr'] as const) {
      child[name].on('data', (chunk: Buffer) => {
        options.onOutput?.(name, chunk);
        if (kept[name] < KEEP) {
          out[name].push(chunk);
          kept[name] += chunk.length;
        }
      });
    }
    child.stdin.on('error', () => undefined); // the program may exit without reading its input
    child.stdin.end(options.stdin ?? Buffer.alloc(0));
    child.on('error', (error) => resolve({ code: null, signal: null, error }));
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  const result: SmokeResult = {
    file,
    target,
    status: 'passed',
    via: runner.via,
    exitCode: run.code,
    signal: run.signal,
    stdout: Buffer.concat(out.stdout).toString('utf8'),
    stderr: Buffer.concat(out.stderr).toString('utf8'),
    durationMs: Date.now() - started,
  };
  const expectExit = options.expectExit ?? 0;
  const lastLine = (result.stderr ?? '').trim().split('\n').pop() ?? '';
  if (run.error) {
    result.reason = `could not start ${command}: ${run.error.message}`;
  } else if (run.signal) {
    result.reason = `killed by ${run.signal}${run.signal === 'SIGTERM' ? ' (timed out?)' : ''}`;
  } else if (run.code !== expectExit) {
    result.reason = `exited ${String(run.code)}, expected ${expectExit}${lastLine ? `: ${lastLine}` : ''}`;
  } else if (options.expectStdout && !options.expectStdout.test(result.stdout ?? '')) {
    result.reason = `stdout does not match /${options.expectStdout.source}/`;
  }
  if (result.reason) result.status = 'failed';
  return result;
}
