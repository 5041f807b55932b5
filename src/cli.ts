// The `pack-action` command line: pack, inspect, smoke and replace over the library.
// main() takes argv and streams and returns the exit code, so tests run it
// in-process; bin/pack-action.js calls it.

import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { Command, CommanderError } from 'commander';
import cliProgress from 'cli-progress';
import { MAX_LEVEL, DEFAULT_LEVEL } from './archive.js';
import { PackError } from './errors.js';
import { inspectPack, type PackInfo } from './inspect.js';
import { DEFAULT_OUTPUT_NAME, packTargets, type PackEvent, type PackResult } from './pack.js';
import { replacePack } from './replace.js';
import { smokePack, type SmokeResult } from './smoke.js';
import { defaultStubsDir } from './stubs.js';
import { hostTarget, isTarget, TARGETS, type Target } from './targets.js';
import { VERSION } from './version.js';

/** Exit codes of the CLI (also in `pack-action --help`). */
export const EXIT = {
  ok: 0,
  /** Bad input or a failed run: the one line on stderr says which and what to do. */
  failed: 1,
  /** The command line itself is wrong (unknown option, missing argument). */
  usage: 2,
  /** smoke (or pack --smoke): a pack did not run as expected. */
  smokeFailed: 3,
  /** Interrupted (Ctrl-C); nothing is left behind. */
  interrupted: 130,
} as const;

export interface CliIO {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  stdin?: Readable & { isTTY?: boolean };
  /** Aborted on Ctrl-C by bin/pack-action.js. */
  signal?: AbortSignal;
}

const EXIT_HELP = `
Exit codes:
  0    success
  1    bad input or a failed run (one line on stderr says what and what to do)
  2    wrong command line (unknown option, missing argument)
  3    smoke: a pack did not run as expected
  130  interrupted; nothing is left in the output directory`;

/** Parses --target: a comma or space separated list, `all` or `host`. */
export function parseTargets(value: string): Target[] {
  const out: Target[] = [];
  for (const word of value.split(/[\s,]+/).filter(Boolean)) {
    if (word === 'all') out.push(...TARGETS);
    else if (word === 'host') {
      const host = hostTarget();
      if (!host) throw new PackError(`--target host: this machine (${process.platform}-${process.arch}) is not one of the targets; name targets explicitly`);
      out.push(host);
    } else if (isTarget(word)) out.push(word);
    else throw new PackError(`--target: unknown target "${word}"; use one or more of ${TARGETS.join(', ')}, all or host`);
  }
  if (out.length === 0) throw new PackError('--target is empty; use one or more targets, all or host');
  return [...new Set(out)];
}

/** Parses --level: 1-22 or max. */
export function parseLevel(value: string): number {
  if (value === 'max') return MAX_LEVEL;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > MAX_LEVEL) {
    throw new PackError(`--level "${value}": use a whole number from 1 to ${MAX_LEVEL}, or max`);
  }
  return Number(value);
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = -1;
  do {
    v /= 1024;
    i++;
  } while (v >= 1024 && i < units.length - 1);
  return `${v.toFixed(1)} ${units[i]}`;
}

/** A plain text table, columns padded to their widest cell. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}

/** A path as the user would type it: relative to the working directory when inside it. */
function shown(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

function smokeCell(s: SmokeResult | undefined): string {
  if (!s) return '-';
  if (s.status === 'passed') return `passed (${s.via})`;
  if (s.status === 'skipped') return `skipped: ${s.reason}`;
  return `FAILED: ${s.reason}`;
}

function summary(results: PackResult[], smoke: Map<string, SmokeResult>): string {
  return table(
    ['target', 'file', 'size', 'sha256', 'smoke'],
    results.map((r) => [
      r.target,
      shown(r.file),
      formatSize(r.size),
      r.sha256.slice(0, 16),
      smokeCell(smoke.get(r.file)),
    ]),
  );
}

/** Progress: a bar on a terminal, one line per step otherwise. Both on stderr. */
class Progress {
  private bar: cliProgress.SingleBar | undefined;
  private phase = '';
  constructor(private readonly io: CliIO, private readonly quiet: boolean) {}

  event(e: PackEvent): void {
    if (e.type === 'warning') {
      this.stop();
      this.io.stderr.write(`warning: ${e.message}\n`);
      return;
    }
    if (this.quiet) return;
    if (e.type === 'compress' || e.type === 'write') {
      const phase = e.type === 'compress' ? `compress ${e.targets.join(',')}` : `write ${path.basename(e.file)}`;
      if (phase !== this.phase) {
        this.stop();
        this.phase = phase;
        if (this.io.stderr.isTTY) {
          this.bar = new cliProgress.SingleBar(
            { format: `{phase} |{bar}| {percentage}% {done}/{all}`, stream: this.io.stderr as NodeJS.WriteStream, hideCursor: true, clearOnComplete: false },
            cliProgress.Presets.shades_classic,
          );
          this.bar.start(e.total, 0, { phase: phase.padEnd(32), done: formatSize(0), all: formatSize(e.total) });
        } else {
          this.io.stderr.write(e.type === 'compress' ? `compressing ${e.dir} for ${e.targets.join(', ')}\n` : `writing ${e.file}\n`);
        }
      }
      this.bar?.update(Math.min(e.done, e.total), { done: formatSize(e.done) });
    } else if (e.type === 'compressed') {
      this.stop();
      if (!this.io.stderr.isTTY) {
        this.io.stderr.write(`compressed ${formatSize(e.payload.unpackedSize)} in ${e.payload.fileCount} entries to ${formatSize(e.payload.size)}\n`);
      }
    }
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
    this.phase = '';
  }
}

async function readStdin(io: CliIO): Promise<Buffer | undefined> {
  if (!io.stdin || io.stdin.isTTY) return undefined; // a terminal is not input to replay to every pack
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function compileRegex(source: string | undefined): RegExp | undefined {
  if (source === undefined) return undefined;
  try {
    return new RegExp(source, 'm');
  } catch (err) {
    throw new PackError(`--expect-stdout: ${(err as Error).message}`);
  }
}

function parseExpectExit(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) > 0xffffffff) throw new PackError(`--expect-exit "${value}": use a whole number like 0 or 3`);
  return Number(value);
}

function program(io: CliIO, setExit: (code: number) => void, passArgs: string[]): Command {
  const write = (s: string): void => void io.stdout.write(s);
  const prog = new Command('pack-action')
    .description('Turn a built directory tree into one self-contained executable per target.')
    .version(VERSION, '-V, --version', 'print the version of pack-action')
    .enablePositionalOptions()
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXIT_HELP)
    .configureOutput({ writeOut: write, writeErr: (s) => void io.stderr.write(s) })
    .exitOverride();

  prog
    .command('pack')
    .description('pack <dir> into one executable per target, plus a SHA256SUMS')
    .argument('<dir>', 'the built tree; may contain {target}, {os}, {arch} for per-target trees')
    .requiredOption('--name <name>', 'program name: output file names and the default id')
    .requiredOption('--command <path>', 'program to run, relative to the tree; may contain {exe}')
    .option('--arg <arg>', 'fixed leading argument (repeatable); {app} and {data} are expanded at run time', collect, [])
    .option('--env <NAME=VALUE>', 'environment addition (repeatable); {app} and {data} are expanded', collect, [])
    .option('--id <id>', 'identity across versions, the cache key (default: --name)')
    .option('--version <version>', 'program version, e.g. 1.2.3', '0.0.0')
    .option('--target <list>', `comma-separated targets, all or host (${TARGETS.join(' ')})`, 'host')
    .option('--out <dir>', 'output directory', 'out')
    .option('--stubs <dir>', 'stubs directory as `npm run build:stubs` writes it (default: build/stubs of this checkout)')
    .option('--level <n>', `zstd level 1-${MAX_LEVEL} or max`, String(DEFAULT_LEVEL))
    .option('--include <glob>', 'only pack paths matching (repeatable)', collect, [])
    .option('--exclude <glob>', 'leave out paths matching (repeatable)', collect, [])
    .option('--output-name <template>', 'output file name: {name} {id} {version} {target} {os} {arch} {exe}', DEFAULT_OUTPUT_NAME)
    .option('--windows-gui', 'Windows targets: use the GUI-subsystem stub (no console window)')
    .option('--windows-detach', 'Windows targets: do not wait for the program')
    .option('--smoke', 'run each pack that can run here after packing (expects exit 0)')
    .option('--json', 'print the result as JSON on stdout')
    .addHelpText('after', EXIT_HELP)
    .action(async (dir: string, o: Record<string, unknown>) => {
      const json = o.json === true;
      const progress = new Progress(io, json);
      const run = await packTargets({
        dir,
        name: o.name as string,
        command: o.command as string,
        args: o.arg as string[],
        env: o.env as string[],
        id: o.id as string | undefined,
        version: o.version as string,
        targets: parseTargets(o.target as string),
        outDir: o.out as string,
        stubsDir: (o.stubs as string | undefined) ?? defaultStubsDir(),
        level: parseLevel(o.level as string),
        include: o.include as string[],
        exclude: o.exclude as string[],
        outputName: o.outputName as string,
        windows: { subsystem: o.windowsGui ? 'gui' : 'console', detach: o.windowsDetach === true },
        signal: io.signal,
        onEvent: (e) => progress.event(e),
      }).finally(() => progress.stop());
      const smoke = new Map<string, SmokeResult>();
      if (o.smoke) {
        for (const r of run.results) {
          if (!json) io.stderr.write(`smoke ${path.basename(r.file)}\n`);
          smoke.set(r.file, await smokePack(r.file));
        }
      }
      if (json) {
        write(JSON.stringify({ ok: true, packs: run.results.map((r) => ({ ...r, smoke: smoke.get(r.file) })), sums: run.sumsFile, warnings: run.warnings }, null, 2) + '\n');
      } else {
        write(summary(run.results, smoke));
        write(`checksums: ${shown(run.sumsFile)}\n`);
      }
      if ([...smoke.values()].some((s) => s.status === 'failed')) setExit(EXIT.smokeFailed);
    });

  prog
    .command('inspect')
    .description("show a pack's manifest and layout (any target's pack, on any host)")
    .argument('<pack...>', 'pack files')
    .option('--list', 'also list the entries of the payload (and verify it)')
    .option('--verify', "check the payload against the manifest's hash, size and counts")
    .option('--json', 'print the result as JSON on stdout')
    .addHelpText('after', EXIT_HELP)
    .action(async (packs: string[], o: Record<string, unknown>) => {
      const infos: PackInfo[] = [];
      for (const file of packs) infos.push(await inspectPack(file, { list: o.list === true, verify: o.verify === true }));
      if (o.json) {
        write(JSON.stringify(infos.length === 1 ? infos[0] : infos, null, 2) + '\n');
        return;
      }
      for (const info of infos) write(describe(info));
    });

  prog
    .command('smoke')
    .description('run each pack that can run here (native, qemu-user, wine) and check how it exits')
    .argument('<pack...>', 'pack files')
    .option('--args <args...>', 'arguments for the packs (or put them after --)')
    .option('--expect-exit <n>', 'exit status each run must have', '0')
    .option('--expect-stdout <regex>', 'a pattern stdout must match')
    .option('--json', 'print the results as JSON on stdout')
    .addHelpText('after', `\nStdin is passed to every pack; the packs' output is shown as it comes (unless --json).\n${EXIT_HELP}`)
    .action(async (packs: string[], o: Record<string, unknown>) => {
      const json = o.json === true;
      const options = {
        args: [...((o.args as string[] | undefined) ?? []), ...passArgs],
        expectExit: parseExpectExit(o.expectExit as string),
        expectStdout: compileRegex(o.expectStdout as string | undefined),
        stdin: await readStdin(io),
        onOutput: json ? undefined : (stream: 'stdout' | 'stderr', chunk: Buffer) => void io[stream].write(chunk),
      };
      const results: SmokeResult[] = [];
      for (const file of packs) {
        const r = await smokePack(file, options);
        results.push(r);
        if (!json) io.stderr.write(`${file}: ${smokeCell(r)}\n`);
      }
      if (json) {
        write(JSON.stringify(results, null, 2) + '\n');
      } else {
        write(table(['target', 'file', 'exit', 'smoke'], results.map((r) => [r.target ?? '?', r.file, r.exitCode === undefined ? '-' : String(r.exitCode), smokeCell(r)])));
      }
      if (results.some((r) => r.status === 'failed')) setExit(EXIT.smokeFailed);
    });

  prog
    .command('replace')
    .description('replace an installed pack with a new pack of the same program; running instances keep the old file')
    .argument('<installed-pack>', 'the pack file to replace')
    .argument('<new-pack>', 'the new pack: same id and target, any version')
    .option('--json', 'print the result as JSON on stdout')
    .addHelpText('after', EXIT_HELP)
    .action(async (installed: string, next: string, o: Record<string, unknown>) => {
      const r = await replacePack(installed, next);
      write(o.json ? JSON.stringify(r, null, 2) + '\n' : `replaced ${shown(r.file)}: ${r.id} ${r.from} -> ${r.to}\n`);
    });
  return prog;
}

function describe(info: PackInfo): string {
  const m = info.manifest;
  const l = info.layout;
  const lines = [
    `${info.file}: pack for ${m.target}, ${formatSize(info.size)}`,
    `  id ${m.id}, version ${m.version}, created ${m.created} by ${m.packer}`,
    `  command ${m.command}${m.args.length ? ' ' + m.args.map((a) => JSON.stringify(a)).join(' ') : ''}`,
    ...(m.env.length ? [`  env ${m.env.join(' ')}`] : []),
    ...(m.windows ? [`  windows subsystem ${m.windows.subsystem}${m.windows.detach ? ', detached' : ''}`] : []),
    `  stub      ${info.stub.kind}, ${info.stub.size} bytes at 0`,
    `  payload   ${m.compression}, ${l.payloadSize} bytes at ${l.payloadOffset} (sha256 ${m.payloadSha256})`,
    `            ${m.fileCount} entries, ${m.unpackedSize} bytes unpacked${info.verified ? ', verified' : ''}`,
    `  manifest  ${l.manifestSize} bytes at ${l.manifestOffset}, then ${l.padding} bytes padding`,
    `  trailer   64 bytes at ${l.trailerOffset}`,
    ...(l.signature !== 'none' ? [`  signature ${l.signature}, ${info.size - l.dataEnd} bytes at ${l.dataEnd}`] : []),
  ];
  for (const e of info.entries ?? []) {
    lines.push(`  ${e.mode.toString(8).padStart(4, '0')} ${String(e.size).padStart(10)} ${e.path}${e.type === 'directory' ? '/' : ''}${e.linkname !== undefined ? ` -> ${e.linkname}` : ''}`);
  }
  return lines.join('\n') + '\n';
}

/**
 * Runs the CLI with `argv` (without node and script) and returns the exit
 * code. Errors become one line on stderr: `pack-action: <what>; <what to do>`.
 */
export async function main(argv: string[], io: CliIO): Promise<number> {
  let code: number = EXIT.ok;
  // `smoke a b -- x --y`: what follows -- are the packs' arguments, options or not.
  const dashes = argv.indexOf('--');
  const passArgs = argv[0] === 'smoke' && dashes >= 0 ? argv.slice(dashes + 1) : [];
  if (argv[0] === 'smoke' && dashes >= 0) argv = argv.slice(0, dashes);
  const prog = program(
    io,
    (c) => {
      code = c;
    },
    passArgs,
  );
  const json = argv.includes('--json');
  try {
    await prog.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version "fail" with exit code 0; usage errors were already printed.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const aborted = (err as Error).name === 'AbortError' || io.signal?.aborted;
    const message = aborted ? 'interrupted; nothing was left in the output directory' : oneLine(err);
    io.stderr.write(`pack-action: ${message}\n`);
    if (process.env.PACK_ACTION_DEBUG && !(err instanceof PackError)) io.stderr.write(`${(err as Error).stack}\n`);
    if (json) io.stdout.write(JSON.stringify({ ok: false, error: message }) + '\n');
    return aborted ? EXIT.interrupted : EXIT.failed;
  }
}

function oneLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/\s*\n\s*/g, ' ');
}
