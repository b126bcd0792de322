import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { sourceFiles } from '../db/schema/index.ts';
import type { Source } from '../config/pipeline.ts';
import { defineStep } from './define-step.ts';
import { PermanentError } from './errors.ts';

/** Name of a source in records and messages: its declared name, else its position. */
export function sourceName(source: Source, index: number): string {
  return source.name ?? `source-${index + 1}`;
}

/**
 * collect: finds every input of the run and fingerprints it (sha256, bytes). Load reads exactly
 * these files and checks the fingerprint again, so a file replaced mid-run cannot be half-read.
 */
export const collect = defineStep({
  name: 'collect',
  jobName: 'pipeline.collect-sources',
  async handler({ run, db, log }) {
    const found: (typeof sourceFiles.$inferInsert)[] = [];
    for (const [index, source] of run.pipeline.sources.entries()) {
      const name = sourceName(source, index);
      if (source.kind !== 'file') {
        throw new PermanentError(`source ${name}: kind "${source.kind}" is not supported yet`, { source: name });
      }
      const files = await expandGlob(source.path);
      if (files.length === 0) {
        throw new PermanentError(`source ${name}: no file matches ${source.path}`, { source: source.path });
      }
      for (const file of files) {
        const { sha256, bytes } = await fingerprint(file);
        found.push({ runKey: run.runKey, source: name, path: file, sha256, bytes });
        log.info({ source: name, file, bytes, sha256 }, 'source collected');
      }
    }
    await db.transaction(async (tx) => {
      await tx.delete(sourceFiles).where(eq(sourceFiles.runKey, run.runKey));
      await tx.insert(sourceFiles).values(found);
    });
    return { rowsOut: found.length, details: { files: found.map((f) => ({ source: f.source, path: f.path, bytes: f.bytes })) } };
  },
});

export async function fingerprint(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file)) {
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
    } catch {
      return [];
    }
  }
  const re = new RegExp(`^${base.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return [];
  }
  return entries.filter((e) => re.test(e)).sort().map((e) => path.join(dir, e));
}
