// Publishing packs to one GitHub release per tag, safely when several jobs
// publish to the same tag and when a job is re-run:
// - find the release: by tag (published only) and in the release list
//   (drafts too); reuse it, a draft included;
// - else create it as a draft, then re-list and converge on the canonical
//   release for the tag (published first, then the lowest id): every job
//   picks the same one, and a job whose own new draft lost deletes it (it is
//   still empty). Only our own draft is deleted, so we never delete a draft
//   another job is filling;
// - upload every file (SHA256SUMS last), replacing same-name assets when
//   overwrite is on, failing before any upload when it is off;
// - check once more that our release is still the canonical one, then
//   publish it last, so immutable releases get all their assets.

import { GitHubError, type Asset, type Release, type ReleaseClient } from './github.js';
import { isAlreadyExists } from './retry.js';

export interface UploadFile {
  name: string;
  path: string;
  size: number;
}

export interface PublishOptions {
  tag: string;
  /** Release title. */
  title: string;
  prerelease: boolean;
  /** true: publish when done; false: leave the release a draft. */
  publish: boolean;
  overwrite: boolean;
  targetCommitish?: string;
  /** Uploaded in this order: put SHA256SUMS last. */
  files: UploadFile[];
  log: (message: string) => void;
}

export interface PublishResult {
  release: Release;
  /** Asset by file name, with the URLs of the final (published) release. */
  assets: Map<string, Asset>;
}

/** A problem the user must fix (an asset exists with overwrite off, an immutable release). */
export class ReleaseError extends Error {
  override name = 'ReleaseError';
}

/** Release list pages scanned for drafts: a new draft sorts first, so a few pages are plenty. */
const LIST_PAGES = 3;
/** Rounds of find-or-create, upload, verify before giving up on a tag that keeps changing. */
const MAX_ROUNDS = 3;

/** The release every job settles on: a published one first, then the lowest id. */
export function canonical(releases: readonly Release[]): Release | undefined {
  return [...releases].sort((a, b) => Number(a.draft) - Number(b.draft) || a.id - b.id)[0];
}

async function releasesForTag(client: ReleaseClient, tag: string): Promise<Release[]> {
  const [byTag, listed] = await Promise.all([client.getReleaseByTag(tag), client.listReleases(LIST_PAGES)]);
  const found = new Map<number, Release>();
  for (const r of listed) if (r.tag === tag) found.set(r.id, r);
  if (byTag) found.set(byTag.id, byTag);
  return [...found.values()];
}

interface Chosen {
  release: Release;
  /** True when this job created the release (and may delete it while it is an empty draft). */
  ours: boolean;
}

async function findOrCreate(client: ReleaseClient, options: PublishOptions): Promise<Chosen> {
  const existing = canonical(await releasesForTag(client, options.tag));
  if (existing) {
    options.log(`using ${existing.draft ? 'draft ' : ''}release ${existing.id} for tag ${options.tag}`);
    return { release: existing, ours: false };
  }
  let created: Release;
  try {
    created = await client.createRelease({
      tag: options.tag,
      name: options.title,
      draft: true,
      prerelease: options.prerelease,
      targetCommitish: options.targetCommitish,
    });
  } catch (error) {
    // Another job published a release for the tag between our look and our create.
    if (error instanceof GitHubError && isAlreadyExists(error.failure)) {
      const winner = canonical(await releasesForTag(client, options.tag));
      if (winner) return { release: winner, ours: false };
    }
    throw error;
  }
  const winner = canonical([...(await releasesForTag(client, options.tag)), created])!;
  if (winner.id !== created.id) {
    options.log(`another job created release ${winner.id} for tag ${options.tag} at the same time: using it, deleting our draft ${created.id}`);
    await client.deleteRelease(created.id);
    return { release: winner, ours: false };
  }
  options.log(`created draft release ${created.id} for tag ${options.tag}`);
  return { release: created, ours: true };
}

function sameName(asset: Asset, name: string): boolean {
  // GitHub may rename special characters in asset names; we set the label to the original.
  return asset.name === name || asset.label === name;
}

function alreadyThere(name: string, tag: string): ReleaseError {
  return new ReleaseError(`release asset '${name}' already exists on the release for tag ${tag}; set input 'overwrite' to true to replace it`);
}

async function uploadOne(
  client: ReleaseClient,
  release: Release,
  assets: readonly Asset[],
  file: UploadFile,
  options: PublishOptions,
): Promise<Asset> {
  for (const old of assets.filter((a) => sameName(a, file.name))) {
    if (!options.overwrite) throw alreadyThere(file.name, options.tag);
    options.log(`replacing ${file.name} (asset ${old.id})`);
    await client.deleteAsset(old.id);
  }
  try {
    return await client.uploadAsset(release, file.name, file.path, file.size);
  } catch (error) {
    if (!(error instanceof GitHubError && isAlreadyExists(error.failure))) throw error;
    // Another job uploaded the same name meanwhile, or an attempt that lost its
    // connection left a stale asset behind: re-list, delete, upload once more.
    if (!options.overwrite) throw alreadyThere(file.name, options.tag);
    options.log(`${file.name} appeared on the release during the upload; replacing it`);
    for (const stale of (await client.listAssets(release.id)).filter((a) => sameName(a, file.name))) {
      await client.deleteAsset(stale.id);
    }
    return client.uploadAsset(release, file.name, file.path, file.size);
  }
}

export async function publishRelease(client: ReleaseClient, options: PublishOptions): Promise<PublishResult> {
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    const { release, ours } = await findOrCreate(client, options);
    if (release.immutable && !release.draft) {
      throw new ReleaseError(
        `the release for tag ${options.tag} is published and immutable, so its assets cannot be changed; publish under a new tag (or delete that release)`,
      );
    }
    const assets = await client.listAssets(release.id);
    if (!options.overwrite) {
      // All or nothing: refuse before uploading anything.
      const taken = options.files.find((f) => assets.some((a) => sameName(a, f.name)));
      if (taken) throw alreadyThere(taken.name, options.tag);
    }
    for (const file of options.files) {
      const asset = await uploadOne(client, release, assets, file, options);
      options.log(`uploaded ${file.name} (${file.size} bytes) as asset ${asset.id}`);
    }
    // Listing is eventually consistent: a job that created its draft just
    // before ours may only show up now. Converge on the canonical release.
    const winner = canonical([...(await releasesForTag(client, options.tag)), release])!;
    if (winner.id !== release.id) {
      if (ours && release.draft) {
        options.log(`release ${winner.id} for tag ${options.tag} takes precedence; deleting our draft ${release.id} and uploading there`);
        await client.deleteRelease(release.id);
      }
      continue;
    }
    let final = release;
    if (options.publish && release.draft) {
      final = await client.updateRelease(release.id, { draft: false, prerelease: options.prerelease });
      options.log(`published release ${final.id} for tag ${options.tag}: ${final.htmlUrl}`);
    }
    // Download URLs change when a draft is published: read them from the final release.
    const byName = new Map<string, Asset>();
    for (const asset of await client.listAssets(final.id)) {
      const file = options.files.find((f) => sameName(asset, f.name));
      if (file) byName.set(file.name, asset);
    }
    return { release: final, assets: byName };
  }
  throw new ReleaseError(`the releases for tag ${options.tag} kept changing during ${MAX_ROUNDS} attempts to publish; re-run the job`);
}
