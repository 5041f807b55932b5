// Runs the bundled action the way the runner does: `node dist/index.js` (Node
// 24 from node_modules) with INPUT_* variables (action.yml defaults filled in
// as the runner fills them), GITHUB_* variables, and real GITHUB_OUTPUT and
// GITHUB_STEP_SUMMARY files.

import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tmp } from '../helpers/tmp.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const NODE = path.join(ROOT, 'node_modules', '.bin', 'node');

/** The inputs' defaults from action.yml, as the runner passes them. */
export function actionDefaults(): Record<string, string> {
  const text = readFileSync(path.join(ROOT, 'action.yml'), 'utf8');
  const inputs = text.slice(text.indexOf('\ninputs:\n'), text.indexOf('\noutputs:\n'));
  const defaults: Record<string, string> = {};
  let current = '';
  for (const line of inputs.split('\n')) {
    const name = /^ {2}([a-z-]+):\s*$/.exec(line);
    if (name) current = name[1]!;
    const value = /^ {4}default:\s*(.*)$/.exec(line);
    if (value && current) defaults[current] = value[1]!.replace(/^'(.*)'$/, '$1');
  }
  return defaults;
}

export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** The `::error::` lines. */
  errors: string[];
  workspace: string;
}

/** Parses a GITHUB_OUTPUT file (name<<delimiter ... delimiter blocks). */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i]!);
    if (!m) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i]!);
    out[m[1]!] = value.join('\n');
  }
  return out;
}

export interface RunOptions {
  inputs: Record<string, string>;
  /** GITHUB_* and other variables; a fresh workspace and runner dirs are made unless given. */
  env?: Record<string, string>;
  workspace?: string;
  token?: string;
}

export function runAction(options: RunOptions): Promise<ActionRun> {
  const workspace = options.workspace ?? tmp('action-ws-');
  const runnerDir = tmp('action-runner-');
  const outputFile = path.join(runnerDir, 'output');
  const summaryFile = path.join(runnerDir, 'summary');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  mkdirSync(path.join(runnerDir, 'temp'));
  const inputs: Record<string, string> = { ...actionDefaults(), ...options.inputs };
  if (inputs.token === '${{ github.token }}') inputs.token = options.token ?? '';
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_REPOSITORY: 'octo/hello',
    GITHUB_SHA: '0123abc456def7890123abc456def7890123abcd',
    GITHUB_REF: 'refs/tags/v1.0.0',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_TEMP: path.join(runnerDir, 'temp'),
    RUNNER_TOOL_CACHE: process.env.TEST_TOOL_CACHE ?? path.join(runnerDir, 'tool-cache'),
    PACK_CACHE_DIR: path.join(runnerDir, 'pack-cache'),
    ...options.env,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [path.join(ROOT, 'dist', 'index.js')], { cwd: workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => {
      const stdout = Buffer.concat(out).toString('utf8');
      resolve({
        code,
        stdout,
        stderr: Buffer.concat(err).toString('utf8'),
        outputs: parseOutputs(readFileSync(outputFile, 'utf8')),
        summary: readFileSync(summaryFile, 'utf8'),
        errors: stdout.split('\n').filter((l) => l.startsWith('::error::')).map((l) => l.slice('::error::'.length)),
        workspace,
      });
    });
  });
}
