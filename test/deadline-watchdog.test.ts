import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { and, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPipelineFile } from '../config/pipeline.ts';
import { emailOutbox, pipelineRuns } from '../db/schema/index.ts';
import { armDeadline, deadlineOf, watchdogQueue } from '../workflows/deadline.ts';
import { createQueues, type Queues } from '../workflows/queues.ts';
import { type CpdProcess, runCpd, spawnCpd } from './helpers/processes.ts';
import { writeShoppersSlice } from './helpers/shoppers.ts';
import { startSmtp, type TestSmtp } from './helpers/smtp.ts';
import { createTestEnv, type TestEnv, waitFor } from './helpers/test-env.ts';

const NAME = 'lateops';
const NO_WORKER = `${NAME}@2026-12-01`;
const FAILED = `${NAME}@2026-12-02`;
const NEVER = `${NAME}@2026-12-03`;

/**
 * 06:00 has passed and the scores are not out: the watchdog in `cpd scheduler` works out why and
 * mails ops once per late night, through the outbox, with the command that fixes it.
 */
describe('deadline watchdog: one ops mail per late run, naming the cause and the fix', () => {
  let t: TestEnv;
  let smtp: TestSmtp;
  let queues: Queues;
  const procs: CpdProcess[] = [];

  beforeAll(async () => {
    smtp = await startSmtp();
    t = await createTestEnv('deadline', {
      SMTP_URL: smtp.url,
      OPS_TO: 'ops-oncall@example.test',
      CPD_ATTEMPTS: '1',
    });
    queues = createQueues(t.config);
  });

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await queues?.close();
    await t?.cleanup();
    await smtp?.close();
  });

  const lateMails = () => smtp.received.filter((m) => m.subject?.startsWith('[cpd] LATE'));

  it('diagnoses no worker, a failed step and a run that never started; a second check sends nothing', async () => {
    const dir = path.join(t.tmp, 'pipelines');
    mkdirSync(dir, { recursive: true });
    const { csv, pipeline: file } = writeShoppersSlice(t.tmp, 200, {
      name: NAME,
      deadline: { time: '06:00', timezone: 'Europe/London' },
      // Quiet at start-up: no missed night to run, no tick during the test.
      schedule: { cron: '0 2 * * *', timezone: 'Europe/London' },
      catchUp: { policy: 'skip', maxDays: 1 },
    });
    writeFileSync(path.join(dir, `${NAME}.json`), readFileSync(file));
    const pipeline = loadPipelineFile(file);

    // A failed step: collect finds no file (permanent), with a worker on the collect queue only.
    const collector = spawnCpd(['worker', '--queues', 'collect'], t.env);
    renameSync(csv, `${csv}.late`);
    const failed = await runCpd(
      ['run', '--pipeline', file, '--date', '2026-12-02', '--wait', '--json'],
      t.env,
    );
    expect(failed.code, failed.stdout + failed.stderr).toBe(1);
    await collector.stop();
    renameSync(`${csv}.late`, csv);
    // No worker at all: the run is started but nobody serves its first queue.
    const started = await runCpd(['run', '--pipeline', file, '--date', '2026-12-01'], t.env);
    expect(started.code, started.stdout + started.stderr).toBe(0);

    // The controllable clock: each check is armed as if it were a moment before its deadline.
    for (const date of ['2026-12-01', '2026-12-02', '2026-12-03']) {
      const at = deadlineOf(pipeline, date)!;
      expect(await armDeadline(queues, pipeline, date, new Date(at.getTime() - 300))).toEqual(at);
    }
    const scheduler = spawnCpd(['scheduler', '--pipelines', dir], t.env);
    procs.push(scheduler);

    await waitFor('three deadline mails', async () => lateMails().length >= 3 || undefined, 90_000, 200);
    const bySubject = (runKey: string) => {
      const hits = lateMails().filter((m) => m.subject?.includes(runKey));
      expect(hits, runKey).toHaveLength(1);
      expect(hits[0]!.to && 'text' in hits[0]!.to ? hits[0]!.to.text : '').toBe('ops-oncall@example.test');
      return hits[0]!.text ?? '';
    };
    expect(bySubject(NO_WORKER)).toContain('no worker is listening on queue collect');
    expect(bySubject(NO_WORKER)).toContain('cpd worker --queues collect');
    expect(bySubject(FAILED)).toMatch(/step collect failed for good .*no file matches/);
    expect(bySubject(FAILED)).toContain(`cpd resume ${FAILED}`);
    expect(bySubject(NEVER)).toContain('the run never started');
    expect(bySubject(NEVER)).toContain('cpd run --pipeline');
    expect(lateMails()[0]?.subject).toContain('not finished by 2026-12-');

    // A second check of every night (a redelivered job, a second scheduler): the outbox already has them.
    const again = await Promise.all(
      [NO_WORKER, FAILED, NEVER].map((runKey) =>
        watchdogQueue(queues).add('ops.check-deadline', { runKey }, { jobId: `${runKey}.recheck` }),
      ),
    );
    await waitFor(
      'the second checks to finish',
      async () =>
        (await Promise.all(again.map((j) => j.getState()))).every((s) => s === 'completed') || undefined,
      60_000,
      200,
    );
    const alerts = await t.database.db
      .select()
      .from(emailOutbox)
      .where(and(like(emailOutbox.runKey, `${NAME}@%`), eq(emailOutbox.kind, 'alert-deadline')));
    expect(alerts.map((a) => [a.runKey, a.status]).sort()).toEqual([
      [NO_WORKER, 'sent'],
      [FAILED, 'sent'],
      [NEVER, 'sent'],
    ]);
    expect(lateMails()).toHaveLength(3);
    // The check only reads: the late run is left as it was, the never-started one still is not started.
    const runs = await t.database.db
      .select()
      .from(pipelineRuns)
      .where(like(pipelineRuns.runKey, `${NAME}@%`));
    expect(runs.map((r) => [r.runKey, r.status]).sort()).toEqual([
      [NO_WORKER, 'pending'],
      [FAILED, 'failed'],
    ]);
  }, 240_000);
});
