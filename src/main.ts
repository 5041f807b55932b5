// The action: parse the inputs once, then pack (mode all|pack), smoke-test,
// hand over an artifact tar (mode pack) or collect the artifacts (mode
// publish), publish the release (mode all|publish), and report outputs and
// a job summary. One try/catch turns any failure into one clear line.

import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as core from '@actions/core';
import { artifactTarName, collectPacks, writeArtifactTar, writeSums } from './artifact.js';
import { getInput, InputError, parseConfig, type Config } from './config.js';
import { PackError } from './errors.js';
import { createReleaseClient } from './github.js';
import { packTargets } from './pack.js';
import { publishRelease } from './release.js';
import { packsOutput, smokeCell, summaryMarkdown, type PackReport } from './report.js';
import { planRun, smokePack, type RunPlan } from './smoke.js';
import { downloadStubs, loadStubChecksums } from './stub-download.js';
import type { StubVariant } from './stubs.js';
import { targetOS, type Target } from './targets.js';
import { VERSION } from './version.js';

/** The packer's messages name CLI flags; in the action they are inputs. */
const FLAG_TO_INPUT: Record<string, string> = {
  '--command': "input 'command'",
  '--stubs': "input 'stub-dir'",
  '--out': "input 'out-dir'",
  '--target': "input 'targets'",
  '--level': "input 'level'",
};

function packerMessage(message: string): string {
  return message.replace(/--(command|stubs|out|target|level)\b/g, (flag) => FLAG_TO_INPUT[flag] ?? flag);
}

/** dist/stub-checksums.json, next to the bundle (dist/index.js). */
function stubChecksumsFile(): string {
  return fileURLToPath(new URL('./stub-checksums.json', import.meta.url));
}

async function pack(config: Config): Promise<{ packs: PackReport[]; sumsFile: string }> {
  const variantOf = (target: Target): StubVariant => (targetOS(target) === 'windows' ? config.windowsSubsystem : 'console');
  let stubsDir: string;
  if (config.stubs.kind === 'dir') {
    stubsDir = config.stubs.dir;
  } else {
    const { version, urlTemplate } = config.stubs;
    stubsDir = await core.group('Stubs', async () =>
      downloadStubs({
        version,
        urlTemplate,
        wanted: config.targets.map((target) => ({ target, variant: variantOf(target) })),
        checksums: await loadStubChecksums(stubChecksumsFile()),
        log: core.info,
      }),
    );
  }
  const run = await core.group('Pack', () =>
    packTargets({
      dir: config.path,
      name: config.name,
      command: config.command,
      args: config.args,
      env: config.env,
      id: config.id,
      version: config.version,
      targets: config.targets,
      outDir: config.outDir,
      stubsDir,
      level: config.level,
      windows: { subsystem: config.windowsSubsystem },
      onEvent: (event) => {
        if (event.type === 'warning') core.warning(event.message);
        if (event.type === 'written') {
          const r = event.result;
          core.info(`${r.target}: ${path.basename(r.file)} (${r.size} bytes, sha256 ${r.sha256})`);
        }
      },
    }),
  );
  const packs = run.results.map((r) => ({ target: r.target, name: path.basename(r.file), file: r.file, size: r.size, sha256: r.sha256 }));
  return { packs, sumsFile: run.sumsFile };
}

/** smoke: host runs only what runs natively here; emulated also goes through qemu-user and wine. */
function smokePlan(config: Config): (target: Target) => RunPlan {
  return (target) => {
    const plan = planRun(target);
    if (config.smoke === 'host' && 'runner' in plan && plan.runner.via !== 'native') {
      return { skip: `runs here only through ${plan.runner.via}; set input 'smoke' to emulated to run it` };
    }
    return plan;
  };
}

async function smoke(config: Config, packs: PackReport[]): Promise<void> {
  if (config.smoke === 'none') return;
  await core.group('Smoke test', async () => {
    for (const p of packs) {
      p.smoke = await smokePack(p.file, { args: config.smokeArgs, expectExit: config.smokeExitCode, plan: smokePlan(config) });
      core.info(`${p.name}: ${smokeCell(p.smoke)}`);
      if (p.smoke.status === 'failed' && p.smoke.stderr) core.info(p.smoke.stderr.trimEnd());
    }
  });
}

async function publish(config: Config, packs: PackReport[], sumsFile: string): Promise<string> {
  const client = createReleaseClient({
    token: config.token,
    apiUrl: config.apiUrl,
    owner: config.repo!.owner,
    repo: config.repo!.repo,
    log: { debug: core.debug, info: core.info, warning: core.warning },
  });
  const files = [
    ...packs.map((p) => ({ name: p.name, path: p.file, size: p.size })),
    { name: 'SHA256SUMS', path: sumsFile, size: (await stat(sumsFile)).size },
  ];
  const result = await core.group('Release', () =>
    publishRelease(client, {
      tag: config.tag,
      title: config.tag,
      prerelease: config.prerelease,
      publish: config.release === 'true',
      overwrite: config.overwrite,
      targetCommitish: config.sha || undefined,
      files,
      log: core.info,
    }),
  );
  for (const p of packs) p.url = result.assets.get(p.name)?.url;
  return result.release.htmlUrl;
}

function failureMessage(err: unknown): string {
  if (err instanceof PackError) return packerMessage(err.message);
  if (err instanceof Error) return err.message;
  return String(err);
}

export async function run(): Promise<void> {
  try {
    // Masked before anything can print it; removed from the environment so
    // the programs the smoke test starts never see it.
    const token = getInput(process.env, 'token');
    if (token) core.setSecret(token);
    const config = parseConfig(process.env, { actionVersion: VERSION });
    delete process.env['INPUT_TOKEN'];

    let packs: PackReport[];
    let sumsFile: string;
    if (config.mode === 'publish') {
      packs = await core.group('Collect packs', () =>
        collectPacks(path.resolve(config.path), path.join(process.env.RUNNER_TEMP || config.outDir, 'pack-action-collect'), core.info),
      );
      sumsFile = await writeSums(packs, config.outDir);
    } else {
      ({ packs, sumsFile } = await pack(config));
      await smoke(config, packs);
    }

    let artifact: string | undefined;
    if (config.mode === 'pack') {
      artifact = path.resolve(config.outDir, artifactTarName(config.name, config.targets));
      await writeArtifactTar(packs, sumsFile, artifact);
      core.info(`artifact: ${artifact} (upload it with actions/upload-artifact, archive: false)`);
    }

    if (config.mode === 'publish' && config.release === 'false') {
      core.warning(`mode: publish with release: false checks and collects the packs but publishes nothing; set input 'release' (it is true by default only for a tag)`);
    }
    const failed = packs.filter((p) => p.smoke?.status === 'failed');
    let releaseUrl: string | undefined;
    if (failed.length === 0 && config.mode !== 'pack' && config.release !== 'false') {
      releaseUrl = await publish(config, packs, sumsFile);
    }

    core.setOutput('packs', packsOutput(packs));
    core.setOutput('checksums', sumsFile);
    core.setOutput('release-url', releaseUrl ?? '');
    if (artifact) core.setOutput('artifact', artifact);
    // Outside a runner (local runs) there is no summary file to write to.
    if (process.env.GITHUB_STEP_SUMMARY) {
      await core.summary.addRaw(summaryMarkdown(packs, releaseUrl, `pack-action ${config.name} ${config.version}`)).write();
    }

    if (failed.length > 0) {
      const list = failed.map((p) => `${p.target} (${p.smoke!.reason ?? 'failed'})`).join(', ');
      throw new Error(`smoke test failed for ${list}${config.release !== 'false' && config.mode !== 'pack' ? '; nothing was published' : ''}`);
    }
  } catch (err) {
    core.setFailed(failureMessage(err));
    if (err instanceof Error && !(err instanceof InputError) && err.stack) core.debug(err.stack);
  }
}
