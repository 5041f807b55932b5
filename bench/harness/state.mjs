// Where the packs' caches and every extraction go. On this kind of machine the
// disk is shared and churned: after one run's rm -rf of 20,000 files, ext4's
// inode allocator scans past the freed inodes (`recently_deleted`) and the
// next extraction of tree (c), ours, tar's or caxa's, takes anywhere from 1.6
// to 17 s depending on the order of the runs. A tmpfs gives every tool the
// same medium without that noise, so it is the default when one with room
// exists; `--state-dir` picks any other place (e.g. a disk, to measure one).
import { mkdtempSync, statfsSync } from 'node:fs';
import { join } from 'node:path';

const TMPFS_MAGIC = 0x01021994;

/** { dir, kind } for the run: `requested` if given, else a fresh dir on a tmpfs with `needBytes` free, else `fallback`. */
export function chooseStateDir({ requested, fallback, needBytes, candidates = ['/dev/shm'], statfs = statfsSync, mkdtemp = mkdtempSync }) {
  if (requested) return { dir: requested, kind: 'as asked (--state-dir)' };
  for (const c of candidates) {
    let s;
    try {
      s = statfs(c);
    } catch {
      continue;
    }
    if (s.type === TMPFS_MAGIC && s.bavail * s.bsize >= needBytes) return { dir: mkdtemp(join(c, 'pack-bench-')), kind: 'tmpfs' };
  }
  return { dir: fallback, kind: 'disk (no tmpfs with room)' };
}
