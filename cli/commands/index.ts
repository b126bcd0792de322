import type { Command } from '../command.ts';
import { backfillCmd } from './backfill.ts';
import { boardCmd } from './board.ts';
import { cancelCmd } from './cancel.ts';
import { demoCmd } from './demo.ts';
import { logsCmd } from './logs.ts';
import { migrateCmd } from './migrate.ts';
import { modelsCmd } from './models.ts';
import { planCmd } from './plan.ts';
import { promoteCmd } from './promote.ts';
import { resumeCmd } from './resume.ts';
import { rollbackCmd } from './rollback.ts';
import { runCmd } from './run.ts';
import { schedulerCmd } from './scheduler.ts';
import { statusCmd } from './status.ts';
import { workerCmd } from './worker.ts';

/** Every `cpd` subcommand; add a command by adding its file and one line here. */
export const commands: Command[] = [
  migrateCmd,
  workerCmd,
  runCmd,
  statusCmd,
  logsCmd,
  demoCmd,
  boardCmd,
  schedulerCmd,
  planCmd,
  resumeCmd,
  backfillCmd,
  cancelCmd,
  rollbackCmd,
  modelsCmd,
  promoteCmd,
];
