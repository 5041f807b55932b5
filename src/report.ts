// What the action reports: the `packs` output (JSON) and the job summary
// table. Pure functions, so the format is tested without a runner.

import type { PackFile } from './artifact.js';
import type { SmokeResult } from './smoke.js';

export interface PackReport extends PackFile {
  smoke?: SmokeResult;
  /** Release asset download URL, when published. */
  url?: string;
}

/** The `packs` output: target, name, file, size, sha256, url (and the smoke status). */
export function packsOutput(packs: readonly PackReport[]): string {
  return JSON.stringify(
    packs.map((p) => ({
      target: p.target,
      name: p.name,
      file: p.file,
      size: p.size,
      sha256: p.sha256,
      url: p.url ?? null,
      smoke: p.smoke?.status ?? 'not run',
    })),
  );
}

export function humanSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function smokeCell(s: SmokeResult | undefined): string {
  if (!s) return 'not run';
  if (s.status === 'passed') return `✅ passed (${s.via ?? 'native'})`;
  if (s.status === 'skipped') return `⏭️ skipped: ${s.reason ?? ''}`;
  return `❌ failed: ${s.reason ?? ''}`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The job summary in Markdown: a table of packs, and the release when there is one. */
export function summaryMarkdown(packs: readonly PackReport[], releaseUrl: string | undefined, title: string): string {
  const rows = packs.map((p) =>
    [p.target, humanSize(p.size), `\`${p.sha256}\``, smokeCell(p.smoke), p.url ? `[${p.name}](${p.url})` : p.name].map(escapeCell),
  );
  const lines = [
    `### ${title}`,
    '',
    '| target | size | sha256 | smoke | download |',
    '| --- | ---: | --- | --- | --- |',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
  ];
  if (releaseUrl) lines.push(`Release: ${releaseUrl}`, '');
  return lines.join('\n');
}
