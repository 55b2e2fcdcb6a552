// Lists the candidate files of a source folder: glob-filtered, hidden and temporary files left out.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import picomatch from 'picomatch';

export interface ListedFile {
  /** Absolute path. */
  readonly path: string;
  /** Path relative to the source folder, with `/` separators (what the glob is matched against). */
  readonly rel: string;
  readonly mtimeMs: number;
  readonly size: number;
}

const TEMP_SUFFIXES = ['.tmp', '.crc', '.partial', '.swp', '._COPYING_'];

/** Names that writers use while a file is still being produced, and metadata files (`_SUCCESS`). */
export function isHiddenName(name: string): boolean {
  return name.startsWith('.') || name.startsWith('_') || TEMP_SUFFIXES.some((s) => name.endsWith(s));
}

export interface FileMatcher {
  readonly depth: number;
  matches(rel: string): boolean;
}

/** Compiles the glob; without one every file directly in the folder matches. */
export function fileMatcher(pattern: string | undefined): FileMatcher {
  if (pattern === undefined) return { depth: 1, matches: () => true };
  const isMatch = picomatch(pattern, { dot: false });
  const depth = pattern.includes('**') ? Number.POSITIVE_INFINITY : pattern.split('/').filter((s) => s !== '').length;
  return { depth, matches: (rel) => isMatch(rel) };
}

/** Lists matching files under `root`. A file that vanishes while listing is skipped. */
export async function listFiles(root: string, matcher: FileMatcher): Promise<ListedFile[]> {
  const out: ListedFile[] = [];
  const walk = async (dir: string, relDir: string, depth: number): Promise<void> => {
    let entries;
    try {
      entries = await fsp.readdir(dir, { withFileTypes: true });
    } catch (err) {
      // A sub-folder removed during the listing is simply gone; the root itself is checked by the caller.
      if (relDir !== '' && (err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    const files: { path: string; rel: string }[] = [];
    for (const e of entries) {
      if (isHiddenName(e.name)) continue;
      const rel = relDir === '' ? e.name : `${relDir}/${e.name}`;
      const path = join(dir, e.name);
      if (e.isDirectory()) {
        if (depth > 1) await walk(path, rel, depth - 1);
      } else if ((e.isFile() || e.isSymbolicLink()) && matcher.matches(rel)) {
        files.push({ path, rel });
      }
    }
    const stats = await Promise.all(
      files.map(async (f) => {
        try {
          const st = await fsp.stat(f.path);
          return st.isFile() ? { ...f, mtimeMs: Math.floor(st.mtimeMs), size: st.size } : null;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
          throw err;
        }
      }),
    );
    for (const s of stats) if (s !== null) out.push(s);
  };
  await walk(root, '', matcher.depth);
  return out;
}
