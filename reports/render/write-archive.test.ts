import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runReportFixture } from './fixture.ts';
import { renderRunReport } from './render-run-report.ts';
import { writeReportArchive } from './write-archive.ts';

describe('writeReportArchive', () => {
  let root = '';
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'cpd-archive-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes index.html with relative images, the PNGs and the attachments', async () => {
    const rendered = await renderRunReport(runReportFixture({ customers: 200 }));
    const dir = join(root, 'online-shoppers', '2026-11-24');
    const index = await writeReportArchive(rendered, dir);
    expect(index).toBe(join(dir, 'index.html'));
    const html = await readFile(index, 'utf8');
    expect(html).not.toContain('cid:');
    const card = await readFile(join(dir, 'model-card.html'), 'utf8');
    expect(card).not.toContain('cid:');
    for (const [page, text] of [
      [rendered, html],
      [rendered.card, card],
    ] as const) {
      for (const image of page.images) {
        expect(text).toContain(`src="img/${image.filename}"`);
        expect((await readFile(join(dir, 'img', image.filename))).equals(image.png)).toBe(true);
      }
    }
    expect(rendered.card.images.length).toBeGreaterThan(rendered.images.length);
    const files = await readdir(dir);
    for (const attachment of rendered.attachments) expect(files).toContain(attachment.filename);
    // Nothing left behind next to the archive.
    expect(await readdir(join(root, 'online-shoppers'))).toEqual(['2026-11-24']);
  });

  it('replaces an earlier archive of the same night whole', async () => {
    const dir = join(root, 'p', '2026-11-24');
    const first = await renderRunReport(runReportFixture({ customers: 100 }));
    await writeReportArchive(first, dir);
    await writeFile(join(dir, 'stale.txt'), 'from the first run');
    const second = await renderRunReport(runReportFixture({ customers: 100, status: 'failed' }));
    await writeReportArchive(second, dir);
    const files = await readdir(dir);
    expect(files).not.toContain('stale.txt');
    expect(await readFile(join(dir, 'index.html'), 'utf8')).toContain('No new customer list tonight');
    expect(await readFile(join(dir, 'model-card.html'), 'utf8')).toContain('Run FAILED');
    expect(await readdir(join(root, 'p'))).toEqual(['2026-11-24']);
  });
});
