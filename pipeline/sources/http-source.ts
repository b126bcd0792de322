import path from 'node:path';
import { redactUrl } from '../../config/env.ts';
import type { Source } from '../../config/pipeline.ts';
import { PermanentError } from '../errors.ts';
import type { Collected } from './collected.ts';
import { landFile } from './land-file.ts';

type HttpSource = Extract<Source, { kind: 'http' }>;

/**
 * Downloads an HTTP(S) CSV into the landing folder. Server errors (5xx, 429), timeouts and lost
 * connections are transient (retried with backoff); 4xx and an HTML page instead of CSV (a login
 * or error page) are permanent: retrying will not change them.
 */
export async function collectHttp(
  source: HttpSource,
  name: string,
  dir: string,
  secrets: Record<string, string>,
  signal: AbortSignal,
): Promise<Collected> {
  const shown = redactUrl(source.url);
  const headers: Record<string, string> = { accept: 'text/csv, text/plain;q=0.9, */*;q=0.1' };
  if (source.authEnv) {
    const auth = secrets[source.authEnv];
    if (!auth)
      throw new PermanentError(
        `source ${name}: environment variable ${source.authEnv} (authEnv) is not set`,
        { source: shown },
      );
    headers.authorization = auth;
  }
  const timeout = AbortSignal.timeout(source.timeoutMs);
  const abort = AbortSignal.any([signal, timeout]);
  const describe = (err: unknown) =>
    timeout.aborted
      ? `${shown} did not answer within ${source.timeoutMs} ms`
      : `cannot read ${shown}: ${(err as Error).message}${(err as Error).cause ? ` (${String((err as Error).cause)})` : ''}`;
  let res: Response;
  try {
    res = await fetch(source.url, { headers, signal: abort, redirect: 'follow' });
  } catch (err) {
    throw new Error(`source ${name}: ${describe(err)}`, { cause: err });
  }
  if (!res.ok) {
    await res.body?.cancel();
    const message = `source ${name}: ${shown} answered HTTP ${res.status} ${res.statusText}`;
    if (res.status >= 500 || res.status === 429 || res.status === 408) throw new Error(message);
    throw new PermanentError(message, { source: shown });
  }
  const type = res.headers.get('content-type') ?? '';
  if (/html/i.test(type)) {
    await res.body?.cancel();
    throw new PermanentError(
      `source ${name}: ${shown} sent an HTML page (content-type ${type}), not CSV: a login or error page?`,
      { source: shown },
    );
  }
  const ext = new URL(source.url).pathname.endsWith('.gz') ? '.csv.gz' : '.csv';
  const file = path.join(dir, `${name}${ext}`);
  let first = true;
  async function* body(): AsyncGenerator<Uint8Array> {
    for await (const piece of res.body as unknown as AsyncIterable<Uint8Array>) {
      if (
        first &&
        ext === '.csv' &&
        /^\s*<(!doctype html|html)/i.test(Buffer.from(piece.subarray(0, 200)).toString('utf8'))
      ) {
        throw new PermanentError(
          `source ${name}: ${shown} sent an HTML page, not CSV: a login or error page?`,
          { source: shown },
        );
      }
      first = false;
      yield piece;
    }
  }
  let landed: { sha256: string; bytes: number };
  try {
    landed = await landFile(file, body());
  } catch (err) {
    if (err instanceof PermanentError) throw err;
    throw new Error(`source ${name}: ${describe(err)}`, { cause: err });
  }
  const lastModified = res.headers.get('last-modified');
  return {
    source: name,
    kind: 'http',
    origin: shown,
    path: file,
    ...landed,
    modifiedAt: lastModified ? new Date(lastModified) : null,
  };
}
