import type { Command } from '../command.ts';
import { boardCmd } from './board.ts';
import { demoCmd } from './demo.ts';
import { migrateCmd } from './migrate.ts';
import { rollbackCmd } from './rollback.ts';
import { runCmd } from './run.ts';
import { statusCmd } from './status.ts';
import { workerCmd } from './worker.ts';

/** Every `cpd` subcommand; add a command by adding its file and one line here. */
export const commands: Command[] = [migrateCmd, workerCmd, runCmd, statusCmd, demoCmd, boardCmd, rollbackCmd];
