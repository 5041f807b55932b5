// Collects the tree that goes into a pack: which entries, in which order,
// with which modes, refusing what the format (docs/format.md section 4)
// cannot carry.

import { lstat, open, readdir, readlink, realpath } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import { entryPathProblem } from './manifest.js';
import { PackError } from './errors.js';

export interface TreeEntry {
  /** Relative `/`-separated path inside the tree, no trailing slash. */
  name: string;
  type: 'file' | 'directory' | 'symlink';
  /** Permission bits, `mode & 0o777`. */
  mode: number;
  /** Bytes of a regular file; 0 otherwise. */
  size: number;
  /** Absolute path on disk. */
  source: string;
  /** Link target of a symlink, relative. */
  linkname?: string;
  /** lstat of a regular file, which archiver needs to stream it lazily. */
  stats?: Stats;
}

export interface Tree {
  /** Real path of the tree's root directory. */
  root: string;
  /** Entries in byte order of their path (so directories precede their contents). */
  entries: TreeEntry[];
  unpackedSize: number;
}

export interface CollectOptions {
  /** Globs (picomatch, matched against the `/`-separated relative path) of entries to keep; default all. */
  include?: readonly string[];
  /** Globs of entries to leave out; a matching directory drops its whole subtree. */
  exclude?: readonly string[];
  /**
   * Derive permission bits from content instead of the file system: 0755 for
   * programs (ELF, Mach-O, PE, `#!` scripts) and directories, 0644 for the
   * rest. Default on Windows hosts, whose file modes carry no execute bits,
   * so that Unix packs built there still run.
   */
  modesFromContent?: boolean;
}

/** Compares by UTF-8 bytes, the order the format asks for. */
export function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * Walks `dir` and returns the entries to pack. Throws a PackError naming the
 * offending path for anything the format refuses: devices, FIFOs, sockets,
 * symlinks leaving the tree, names Windows cannot hold, the reserved `.pack`.
 */
export async function collectTree(dir: string, options: CollectOptions = {}): Promise<Tree> {
  let root: string;
  try {
    root = await realpath(dir);
  } catch (err) {
    throw new PackError(`directory ${dir} does not exist (${(err as NodeJS.ErrnoException).code}); pass the built tree to pack`);
  }
  if (!(await lstat(root)).isDirectory()) throw new PackError(`${dir} is not a directory; pass the built tree to pack`);
  const globOptions = { dot: true };
  const included = options.include?.length ? picomatch([...options.include], globOptions) : () => true;
  const excluded = options.exclude?.length ? picomatch([...options.exclude], globOptions) : () => false;

  const byContent = options.modesFromContent ?? process.platform === 'win32';
  const entries: TreeEntry[] = [];
  const walk = async (relDir: string): Promise<boolean> => {
    const absDir = relDir ? path.join(root, ...relDir.split('/')) : root;
    let names: string[];
    try {
      names = await readdir(absDir);
    } catch (err) {
      throw new PackError(`cannot read directory ${absDir}: ${(err as Error).message}`);
    }
    let keptAny = false;
    for (const base of names) {
      const name = relDir ? `${relDir}/${base}` : base;
      if (excluded(name)) continue;
      const problem = entryPathProblem(name);
      if (problem) {
        throw new PackError(`${path.join(root, name)}: ${problem}; rename it or leave it out with --exclude`);
      }
      const source = path.join(absDir, base);
      const st = await lstat(source);
      if (st.isDirectory()) {
        const keptChild = await walk(name);
        if (keptChild || included(name)) {
          entries.push({ name, type: 'directory', mode: byContent ? 0o755 : st.mode & 0o777, size: 0, source });
          keptAny = true;
        }
      } else if (!included(name)) {
        continue;
      } else if (st.isFile()) {
        const mode = byContent ? ((await looksExecutable(source)) ? 0o755 : 0o644) : st.mode & 0o777;
        entries.push({ name, type: 'file', mode, size: st.size, source, stats: st });
        keptAny = true;
      } else if (st.isSymbolicLink()) {
        const linkname = await insideLink(root, name, source);
        entries.push({ name, type: 'symlink', mode: st.mode & 0o777, size: 0, source, linkname });
        keptAny = true;
      } else {
        throw new PackError(`${source} is a ${kindOf(st)}, which a pack cannot hold; leave it out with --exclude`);
      }
    }
    return keptAny;
  };
  await walk('');
  entries.sort((a, b) => byteOrder(a.name, b.name));
  return { root, entries, unpackedSize: entries.reduce((sum, e) => sum + e.size, 0) };
}

/** Whether a file starts like a program: ELF, Mach-O (thin or fat), PE, or a `#!` script. */
async function looksExecutable(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await fh.read(head, 0, 4, 0);
    if (bytesRead < 2) return false;
    if (head[0] === 0x23 && head[1] === 0x21) return true; // #!
    if (head[0] === 0x4d && head[1] === 0x5a) return true; // MZ
    if (bytesRead < 4) return false;
    const magic = head.readUInt32BE(0);
    return magic === 0x7f454c46 || [0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabe].includes(magic);
  } finally {
    await fh.close();
  }
}

function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'FIFO';
  if (st.isSocket()) return 'socket';
  if (st.isBlockDevice()) return 'block device';
  if (st.isCharacterDevice()) return 'character device';
  return 'special file';
}

/**
 * The relative link target of the symlink `name`, after checking that it
 * stays inside the tree when resolved the way the OS will, following links
 * inside the tree. An absolute target inside the tree is made relative.
 */
async function insideLink(root: string, name: string, source: string): Promise<string> {
  let target = await readlink(source);
  if (path.sep === '\\' && !path.isAbsolute(target)) target = target.split('\\').join('/'); // Windows hosts
  const escape = (): PackError =>
    new PackError(`symlink ${source} -> ${target} points outside the tree; copy what it points at into the tree or leave it out with --exclude`);
  if (path.isAbsolute(target)) {
    const rel = path.relative(root, target);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) throw escape();
    target = path.posix.relative(path.posix.dirname(name), rel.split(path.sep).join('/')) || '.';
  }
  if (target === '' || /[\\:\0]/.test(target)) {
    throw new PackError(`symlink ${source} -> ${target} is empty or contains \\, : or NUL; make it a relative / path`);
  }
  // Both the lexical view (what the stub checks) and the real one (what the OS follows) must stay inside.
  const lexical = path.posix.join(path.posix.dirname(name), target);
  if (lexical === '..' || lexical.startsWith('../')) throw escape();
  if (!(await resolvesInside(root, path.posix.dirname(name), target))) throw escape();
  return target;
}

/**
 * Whether `target`, seen from the tree directory `fromDir`, stays inside
 * the tree. Walks it component by component, following symlinks inside the
 * tree (a lexical check alone is fooled by `a -> .` then `a/../x`).
 */
async function resolvesInside(root: string, fromDir: string, target: string, hops = 0): Promise<boolean> {
  if (hops > 40) return false; // a loop; the OS would refuse it too
  const parts = fromDir === '.' ? [] : fromDir.split('/');
  const todo = target.split('/');
  let existing = true; // once a component is missing, the rest is resolved lexically
  while (todo.length > 0) {
    const part = todo.shift()!;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return false;
      parts.pop();
      continue;
    }
    parts.push(part);
    if (!existing) continue;
    let st: Stats;
    try {
      st = await lstat(path.join(root, ...parts));
    } catch {
      existing = false;
      continue;
    }
    if (st.isSymbolicLink()) {
      const link = await readlink(path.join(root, ...parts));
      parts.pop();
      if (path.isAbsolute(link)) {
        const rel = path.relative(root, link);
        if (rel.startsWith('..') || path.isAbsolute(rel)) return false;
        parts.length = 0;
        todo.unshift(...rel.split(path.sep));
      } else {
        todo.unshift(...link.split('/'));
      }
      if (++hops > 40) return false;
    }
  }
  return true;
}

/** The entry called `name`, or undefined. */
export function findEntry(tree: Tree, name: string): TreeEntry | undefined {
  // entries are sorted by byte order, so a binary search finds a name.
  let lo = 0;
  let hi = tree.entries.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = byteOrder(tree.entries[mid]!.name, name);
    if (c === 0) return tree.entries[mid];
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

/**
 * Checks that `command` names a regular file in the tree, executable when
 * the target is Unix. Throws a PackError saying what to fix.
 */
export function checkCommand(tree: Tree, command: string, unix: boolean, flag = '--command'): void {
  const problem = entryPathProblem(command);
  if (problem) throw new PackError(`${flag} "${command}": ${problem}; give a /-separated path relative to the tree`);
  const entry = findEntry(tree, command);
  if (!entry) throw new PackError(`${flag} "${command}" is not in the tree ${tree.root}; give a path relative to the tree`);
  if (entry.type !== 'file') {
    throw new PackError(`${flag} "${command}" is a ${entry.type} in ${tree.root}, not a regular file; point it at the program itself`);
  }
  if (unix && (entry.mode & 0o100) === 0) {
    throw new PackError(`${flag} "${command}" in ${tree.root} is not executable; chmod +x it before packing`);
  }
}

/**
 * Names that are different here but the same on a case-insensitive file
 * system (Windows, macOS by default): one would overwrite the other.
 */
export function caseCollisions(tree: Tree): string[][] {
  const groups = new Map<string, string[]>();
  for (const e of tree.entries) {
    const key = e.name.normalize('NFC').toLowerCase();
    const group = groups.get(key);
    if (group) group.push(e.name);
    else groups.set(key, [e.name]);
  }
  return [...groups.values()].filter((g) => g.length > 1);
}
