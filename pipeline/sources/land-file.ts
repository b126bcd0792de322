import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes a body (HTTP response, query result) under DATA_DIR while hashing it, then renames it into
 * place: load reads a complete, fingerprinted file or none at all.
 */
export async function landFile(
  file: string,
  body: AsyncIterable<Uint8Array | string>,
): Promise<{ sha256: string; bytes: number }> {
  await mkdir(path.dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  const hash = createHash('sha256');
  let bytes = 0;
  const out = createWriteStream(partial);
  try {
    for await (const piece of body) {
      const buf = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
      hash.update(buf);
      bytes += buf.length;
      if (!out.write(buf)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
  } catch (err) {
    out.destroy();
    await rm(partial, { force: true });
    throw err;
  }
  await rename(partial, file);
  return { sha256: hash.digest('hex'), bytes };
}

/** A folder per pipeline and run key, safe as a path segment. */
export function landingDir(dataDir: string, pipeline: string, runKey: string): string {
  return path.resolve(dataDir, pipeline, runKey.replace(/[^A-Za-z0-9_.-]/g, '_'));
}
