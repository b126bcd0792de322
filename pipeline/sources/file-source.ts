import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { PermanentError } from '../errors.ts';
import type { Collected } from './collected.ts';

/** Every file matching a file source's path or glob, fingerprinted. No match is a block: an export went missing. */
export async function collectFiles(name: string, pattern: string): Promise<Collected[]> {
  const files = await expandGlob(pattern);
  if (files.length === 0)
    throw new PermanentError(`source ${name}: no file matches ${pattern}`, { source: pattern });
  const out: Collected[] = [];
  for (const file of files) {
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
