// Replaces an installed pack file with a new pack of the same program, the
// way package managers replace programs (docs/updating.md): the new pack is
// copied to a temporary file next to the old one, flushed, verified and
// renamed over it. Processes running the old file keep it. On Windows a
// running file cannot be replaced but can be renamed, so it is first renamed
// aside (.<name>.old-<random>) and deleted now or, while it still runs, by
// the stub at a later start.

import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, copyFile, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { PackError } from './errors.js';
import { inspectPack } from './inspect.js';

export interface ReplaceResult {
  file: string;
  id: string;
  target: string;
  /** Version of the replaced pack. */
  from: string;
  /** Version now at `file`. */
  to: string;
}

export interface ReplaceOptions {
  /** Defaults to process.platform; tests pass 'win32' to exercise the rename-aside path. */
  platform?: NodeJS.Platform;
}

export async function replacePack(installed: string, newPack: string, options: ReplaceOptions = {}): Promise<ReplaceResult> {
  const file = path.resolve(installed);
  const old = await inspectPack(file);
  const next = await inspectPack(path.resolve(newPack), { verify: true });
  const o = old.manifest;
  const n = next.manifest;
  if (n.id !== o.id) throw new PackError(`${newPack} is the program "${n.id}", not "${o.id}" as ${installed}; nothing was changed`);
  if (n.target !== o.target) throw new PackError(`${newPack} is built for ${n.target}, not ${o.target} as ${installed}; nothing was changed`);

  const dir = path.dirname(file);
  const base = path.basename(file);
  const tmp = path.join(dir, `.${base}.new-${randomBytes(6).toString('hex')}`);
  const windows = (options.platform ?? process.platform) === 'win32';
  try {
    await copyFile(next.file, tmp, constants.COPYFILE_EXCL);
    await chmod(tmp, (await stat(file)).mode & 0o7777);
    const fh = await open(tmp, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await inspectPack(tmp, { verify: true }); // what lands on disk, not only what was read
    if (windows) await renameAside(file, tmp);
    else await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    if (err instanceof PackError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new PackError(`cannot replace ${installed} (${code}); nothing was changed, check free space and permissions in ${dir}`);
  }
  await syncDir(dir);
  if (windows) await removeOldCopies(dir, base);
  return { file, id: o.id, target: o.target, from: o.version, to: n.version };
}

async function renameAside(file: string, tmp: string): Promise<void> {
  const old = path.join(path.dirname(file), `.${path.basename(file)}.old-${randomBytes(6).toString('hex')}`);
  await rename(file, old);
  try {
    await rename(tmp, file);
  } catch (err) {
    await rename(old, file).catch(() => undefined);
    throw err;
  }
}

/** Deletes files renamed aside earlier that nothing runs any more (deleting a running one fails). */
async function removeOldCopies(dir: string, base: string): Promise<void> {
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (name.startsWith(`.${base}.old-`)) await unlink(path.join(dir, name)).catch(() => undefined);
  }
}

/** Makes the rename durable where directories can be flushed (not on Windows). */
async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // EISDIR/EPERM/EINVAL on platforms that cannot flush a directory: the rename itself is done.
  }
}
