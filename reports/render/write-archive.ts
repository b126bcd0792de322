import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { escapeHtml } from './escape-html.ts';
import type { RenderedPage, RenderedReport } from './render-run-report.ts';

/** The model card's file in the archive, beside index.html (the brief). */
export const CARD_FILE = 'model-card.html';

/**
 * Write the report as a browsable folder: `index.html` (the brief) and `model-card.html` (cid:
 * links rewritten to `img/<file>`),
 * the chart PNGs under `img/`, and the attachments. Everything is written into a sibling temp
 * folder first and renamed into place, so a reader never sees a half-written archive. Re-running
 * a night replaces its archive: the old one is moved aside, the new one renamed in, the old one
 * deleted. Returns the path of index.html.
 */
export async function writeReportArchive(rendered: RenderedReport, dir: string): Promise<string> {
  const parent = dirname(dir);
  await mkdir(parent, { recursive: true });
  const staging = join(parent, `.${basename(dir)}.tmp-${randomUUID()}`);
  try {
    await mkdir(join(staging, 'img'), { recursive: true });
    for (const attachment of rendered.attachments) {
      await writeFile(join(staging, safeName(attachment.filename)), attachment.content);
    }
    await writeFile(join(staging, 'index.html'), await withFileImages(rendered, staging));
    await writeFile(join(staging, CARD_FILE), await withFileImages(rendered.card, staging));
    await swapInto(staging, dir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  return join(dir, 'index.html');
}

/** The page with its cid: images written under img/ and linked there. */
async function withFileImages(page: RenderedPage, staging: string): Promise<string> {
  let html = page.html;
  for (const image of page.images) {
    const file = safeName(image.filename);
    // The HTML printer escaped the cid inside src="..."; match it the same way.
    html = html.split(`cid:${escapeHtml(image.cid)}`).join(`img/${encodeURIComponent(file)}`);
    await writeFile(join(staging, 'img', file), image.png);
  }
  return html;
}

async function swapInto(staging: string, dir: string): Promise<void> {
  const old = `${staging}.old`;
  try {
    await rename(dir, old);
  } catch (error) {
    // Nothing there yet is the common case; anything else is a real problem.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await rename(staging, dir);
  await rm(old, { recursive: true, force: true });
}

/** Names come from our own chart keys and pipeline names, but a path separator must never escape `dir`. */
function safeName(name: string): string {
  const cleaned = basename(name).replace(/[^A-Za-z0-9._-]+/g, '_');
  return cleaned.replace(/^\.+/, '') || 'file';
}
