import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { PermanentError } from '../errors.ts';
import type { Collected } from './collected.ts';

/**
 * Every file matching a file source's path or glob, fingerprinted. No match is a block: an export
 * went missing. With `roots`, every file must resolve (symlinks and `..` followed) inside one of
 * them, so a pipeline file cannot make a worker read /etc/passwd or another tenant's export.
 */
export async function collectFiles(name: string, pattern: string, roots?: string[]): Promise<Collected[]> {
  const files = await expandGlob(pattern);
  if (files.length === 0)
    throw new PermanentError(`source ${name}: no file matches ${pattern}`, { source: pattern });
  const out: Collected[] = [];
  for (const file of files) {
    if (roots) await confine(name, file, roots);
    const { sha256, bytes } = await fingerprint(file);
    out.push({
      source: name,
      kind: 'file',
      origin: file,
      path: file,
      sha256,
      bytes,
      modifiedAt: (await stat(file)).mtime,
    });
  }
  return out;
}

export class SourceOutsideRootsError extends PermanentError {
  override name = 'SourceOutsideRootsError';
}

/** Refuses a file whose real path (symlinks and `..` resolved) is not inside one of the roots. */
export async function confine(name: string, file: string, roots: string[]): Promise<void> {
  const real = await realpath(file);
  const realRoots = await Promise.all(roots.map((r) => realpath(r).catch(() => path.resolve(r))));
  if (
    realRoots.some(
      (root) => real === root || real.startsWith(root.endsWith(path.sep) ? root : root + path.sep),
    )
  )
    return;
  const how = real === path.resolve(file) ? 'is' : 'resolves (through a symlink or "..") to a file';
  throw new SourceOutsideRootsError(
    `source ${name}: ${file} ${how} outside the data roots (${realRoots.join(', ')}); refused. Move the file under one of them, or add its folder to "dataRoots" in the pipeline file`,
    { source: file },
  );
}

export async function fingerprint(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** `*` and `?` in the last path segment only: enough for "every export in this folder". */
export async function expandGlob(pattern: string): Promise<string[]> {
  const dir = path.dirname(pattern);
  const base = path.basename(pattern);
  if (!/[*?]/.test(base)) {
    try {
      return (await stat(pattern)).isFile() ? [pattern] : [];
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }
  const re = new RegExp(
    `^${base
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return entries
    .filter((e) => re.test(e))
    .sort()
    .map((e) => path.join(dir, e));
}
