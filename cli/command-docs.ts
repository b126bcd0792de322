/** What `cpd CMD --help` says beyond the usage line: what the command does, each flag, and an example. */
export interface CommandDoc {
  summary: string;
  example: string;
  flags: Record<string, string>;
}

const json = 'print one JSON document instead of text';
const pipelines = 'folder of pipeline files (default config/pipelines)';

export const commandDocs: Record<string, CommandDoc> = {
  migrate: {
    summary: 'creates the database if missing and applies the committed migrations',
    example: 'cpd migrate',
    flags: {},
  },
  worker: {
    summary: 'serves step queues; SIGTERM lets the active job finish',
    example: 'cpd worker --queues train,evaluate',
    flags: { queues: 'comma-separated steps to serve (default: all eight)' },
  },
  run: {
    summary: "starts one run (pipeline + business date, default today in the pipeline's time zone)",
    example: 'cpd run --pipeline config/pipelines/online-shoppers.json --date 2026-11-24 --wait',
    flags: {
      pipeline: 'the pipeline file (required)',
      date: 'business date YYYY-MM-DD (default: today in the pipeline time zone)',
      wait: 'show progress per step until the run ends; exit 0 on success, 1 on failure',
      json,
      rerun: 'run a finished night again as a new generation',
      timeout: 'with --wait: give up waiting after this many seconds (the run goes on)',
    },
  },
  status: {
    summary: 'the latest runs with durations, or one run with every step, attempt and error',
    example: 'cpd status --pipeline online-shoppers --limit 10',
    flags: {
      pipeline: 'only runs of this pipeline',
      limit: 'how many runs to list (default 20)',
      json,
    },
  },
  demo: {
    summary: 'what `npm run demo` runs: migrate, workers, one run of the shoppers pipeline',
    example: 'cpd demo',
    flags: {},
  },
  board: {
    summary:
      'the runs console (/runs) and Bull Board (/board/) behind Basic auth, with audit log, /healthz, /metrics',
    example: 'BOARD_OPERATOR_PASSWORD=... cpd board',
    flags: { 'insecure-local': 'no login, bound to 127.0.0.1 only (a local look)' },
  },
  scheduler: {
    summary: "starts each pipeline's run on its cron, catches up missed nights, serves the deadline watchdog",
    example: 'cpd scheduler --pipelines config/pipelines',
    flags: {
      pipelines,
      now: 'pretend the clock reads this ISO time (drills)',
      once: 'catch up and exit',
    },
  },
  plan: {
    summary: 'the next fire times in the pipeline time zone and UTC, with DST gaps and overlaps flagged',
    example: 'cpd plan online-shoppers --next 14',
    flags: {
      next: 'how many fire times (default 10)',
      from: 'start from this ISO time (default now)',
      json,
      pipelines,
    },
  },
  resume: {
    summary:
      'continues a failed run from its failed step (from collect if an input changed or a missing one appeared)',
    example: 'cpd resume online-shoppers@2026-11-24',
    flags: { force: 'retry a permanent failure even though no input changed', json },
  },
  backfill: {
    summary: 'runs each business date oldest first, one at a time, skipping dates the ledger has',
    example: 'cpd backfill online-shoppers --from 2026-11-01 --to 2026-11-07 --dry-run',
    flags: {
      from: 'first business date YYYY-MM-DD',
      to: 'last business date YYYY-MM-DD',
      'dry-run': 'list the dates and what would happen, start nothing',
      json,
      pipelines,
    },
  },
  cancel: {
    summary: 'marks a run cancelled and removes its waiting step jobs (a running step finishes)',
    example: 'cpd cancel online-shoppers@2026-11-24',
    flags: { json },
  },
  rollback: {
    summary: 'restores the previous published scores of a pipeline and records who and when',
    example: 'cpd rollback online-shoppers --by cleo',
    flags: { by: 'who is acting (default: the OS user)', json },
  },
  models: {
    summary: 'the model registry: versions, aliases, metrics, and the decision trail',
    example: 'cpd models online-shoppers',
    flags: { json },
  },
  promote: {
    summary: 'makes a version champion by hand, recorded with who and why',
    example: 'cpd promote online-shoppers v12 --by cleo --reason "rolled back a bad retrain"',
    flags: { by: 'who is acting (default: the OS user)', reason: 'why, for the decision trail', json },
  },
};
