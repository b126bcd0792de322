import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { AttemptLogBuffer, attemptLogger, MAX_LINES_PER_ATTEMPT, redactSecrets } from './attempt-log.ts';

describe('attempt log capture', () => {
  it('redacts credentials inside strings and fields named like secrets', () => {
    const buffer = new AttemptLogBuffer();
    const parent = pino({ level: 'silent' });
    const log = attemptLogger(parent, buffer, { runKey: 'a@2026-01-01', step: 'collect' });
    log.info(
      { url: 'mysql://cpd:hunter2-secret@db:3306/cpd', password: 'p4ss' },
      'connecting with Bearer abcdefghijk123',
    );
    const [line] = buffer.drain();
    expect(line?.line).not.toContain('hunter2');
    expect(line?.line).not.toContain('p4ss');
    expect(line?.line).not.toContain('abcdefghijk123');
    expect(line?.line).toContain('mysql://cpd:[redacted]@db:3306/cpd');
    expect(line).toMatchObject({ seq: 0, level: 30 });
    expect(JSON.parse(line!.line)).toMatchObject({ runKey: 'a@2026-01-01', step: 'collect' });
  });

  it('keeps info lines even when the process logs only warnings, and nothing below info', () => {
    const buffer = new AttemptLogBuffer();
    const log = attemptLogger(pino({ level: 'warn' }, { write: () => undefined }), buffer, {});
    log.debug('noise');
    log.info('step started');
    log.error({ err: new Error('no file matches') }, 'step failed');
    expect(buffer.drain().map((l) => [l.level, l.msg])).toEqual([
      [30, 'step started'],
      [50, 'step failed'],
    ]);
  });

  it('bounds the lines of an attempt and says how many were dropped', () => {
    const buffer = new AttemptLogBuffer();
    for (let i = 0; i < MAX_LINES_PER_ATTEMPT + 5; i++)
      buffer.write(JSON.stringify({ level: 30, msg: `l${i}` }));
    const first = buffer.drain();
    expect(first).toHaveLength(MAX_LINES_PER_ATTEMPT);
    const last = buffer.drain(true);
    expect(last).toHaveLength(1);
    expect(last[0]?.msg).toBe(`5 more lines of this attempt were not kept (limit ${MAX_LINES_PER_ATTEMPT})`);
  });

  it('cuts a huge line', () => {
    const buffer = new AttemptLogBuffer();
    buffer.write(JSON.stringify({ level: 30, msg: 'x', big: 'y'.repeat(10_000) }));
    expect(buffer.drain()[0]!.line.length).toBeLessThan(4_100);
  });

  it('leaves ordinary text alone', () => {
    expect(redactSecrets('loaded 3 files from /data/x.csv at 10:00')).toBe(
      'loaded 3 files from /data/x.csv at 10:00',
    );
  });
});
