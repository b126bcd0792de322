import { CronLintError, lintCron, nextFires } from '../../workflows/schedule.ts';
import { type Command, stringOption, UsageError } from '../command.ts';
import { findPipeline, findPipelines, type FoundPipeline } from '../find-pipelines.ts';

const DST_NOTE = {
  gap: 'DST GAP: this wall-clock time does not exist that night; node-cron will not fire (the night is missed until catch-up)',
  overlap: 'DST OVERLAP: this time happens twice; node-cron fires twice, the run key keeps it to one run',
};

/** `cpd plan [PIPELINE] --next 10`: the next fires per pipeline, DST traps flagged, ambiguous crons rejected. */
export const planCmd: Command = {
  name: 'plan',
  usage:
    'cpd plan [PIPELINE] [--next 10] [--from ISO] [--json] [--pipelines DIR]   next fire times, DST gaps/overlaps, cron lint',
  needsServices: false,
  options: {
    next: { type: 'string', default: '10' },
    from: { type: 'string' },
    json: { type: 'boolean', default: false },
    pipelines: { type: 'string', default: 'config/pipelines' },
  },
  async run({ values, positionals, print }) {
    const count = Number(stringOption(values, 'next'));
    if (!Number.isInteger(count) || count < 1 || count > 1000)
      throw new UsageError('--next must be a whole number from 1 to 1000');
    const fromArg = stringOption(values, 'from');
    const from = fromArg ? new Date(fromArg) : new Date();
    if (Number.isNaN(from.getTime()))
      throw new UsageError(`--from must be an ISO date-time, got "${fromArg}"`);
    const dir = stringOption(values, 'pipelines') ?? 'config/pipelines';
    const found: FoundPipeline[] = positionals[0] ? [findPipeline(positionals[0], dir)] : findPipelines(dir);
    const json = values.json === true;
    let rejected = 0;
    const out = [];
    for (const { pipeline } of found) {
      const { cron, timezone } = pipeline.schedule;
      const head = {
        pipeline: pipeline.name,
        cron,
        timezone,
        catchUp: pipeline.catchUp,
        deadline: pipeline.deadline ?? null,
      };
      try {
        lintCron(cron, timezone, from);
      } catch (err) {
        if (!(err instanceof CronLintError)) throw err;
        rejected++;
        out.push({ ...head, error: err.message, fires: [] });
        if (!json) print(`${pipeline.name}: REJECTED: ${err.message}`);
        continue;
      }
      const fires = nextFires(cron, timezone, from, count);
      out.push({
        ...head,
        fires: fires.map((f) => ({
          utc: f.at.toISOString(),
          local: f.local,
          businessDate: f.businessDate,
          dst: f.dst,
        })),
      });
      if (json) continue;
      print(
        `${pipeline.name}: "${cron}" in ${timezone}, catch-up ${pipeline.catchUp.policy} (max ${pipeline.catchUp.maxDays} days)${pipeline.deadline ? `, deadline ${pipeline.deadline.time}` : ''}`,
      );
      for (const f of fires)
        print(
          `  ${f.local} ${timezone}   ${f.at.toISOString()}   run ${pipeline.name}@${f.businessDate}${f.dst ? `   ${DST_NOTE[f.dst]}` : ''}`,
        );
    }
    if (json) print(JSON.stringify(out));
    return rejected ? 1 : 0;
  },
};
