import { describe, expect, it } from 'vitest';
import { describeCorrection, type ScoresDigest } from './brief-correction.ts';
import { buildBriefDocument } from './build-brief-document.ts';
import { documentToText } from './document-text.ts';
import { runReportFixture } from './fixture.ts';
import { reportSubject } from './report-subject.ts';

const ids = (from: number, n: number) => Array.from({ length: n }, (_, i) => `c${from + i}`);
const digest = (checksum: string, customers: number, topIds: string[]): ScoresDigest => ({
  checksum,
  customers,
  topIds,
});

describe('describeCorrection', () => {
  it('identical scores need no correction', () => {
    expect(describeCorrection(digest('a', 10, ids(0, 10)), digest('a', 10, ids(0, 10)), 1)).toBeNull();
  });

  it('says how many customers were scored and how many of the top list are new', () => {
    const c = describeCorrection(digest('a', 1_480, ids(0, 100)), digest('b', 1_500, ids(12, 100)), 2);
    expect(c).toEqual({
      previousGeneration: 2,
      line: 'The scores were recomputed after the earlier brief and changed: 1,500 customers scored (was 1,480); 12 of the top 100 customers are new on the list. Use this brief and its list instead of the earlier one.',
    });
  });

  it('the same customers with moved scores say so', () => {
    const c = describeCorrection(digest('a', 50, ids(0, 50)), digest('b', 50, ids(0, 50).reverse()), 1);
    expect(c?.line).toContain(
      '50 customers scored, as before; the top 50 are the same customers, some scores moved.',
    );
  });
});

describe('a corrected brief', () => {
  it('says "Corrected" first in the subject and the brief, with what changed', () => {
    const data = runReportFixture();
    const correction = describeCorrection(
      digest('a', 1_480, ids(0, 100)),
      digest('b', 1_500, ids(12, 100)),
      1,
    )!;
    const fixed = { ...data, correction };
    expect(reportSubject(data)).not.toMatch(/corrected/i);
    expect(reportSubject(fixed)).toMatch(/^Corrected: \[cpd\] /);
    // Charts are left out: the words are what this checks.
    const charts = { segments: [], features: [] };
    const text = documentToText(buildBriefDocument(fixed, charts, {})).replace(/\s+/g, ' ');
    expect(text).toContain(
      `Corrected: this brief replaces the one sent earlier for ${data.pipeline}, ${data.businessDate}`,
    );
    expect(text).toContain(
      '1,500 customers scored (was 1,480); 12 of the top 100 customers are new on the list',
    );
    expect(text.indexOf('Corrected: this brief')).toBeLessThan(text.indexOf('Scores are ready'));
    expect(documentToText(buildBriefDocument(data, charts, {}))).not.toMatch(/corrected/i);
  });
});
