import os from 'node:os';
import type { ParseArgsConfig } from 'node:util';
import type { Config } from '../config/env.ts';

/** A flag as node's parseArgs reads it, plus what `--help` says about it. */
export type FlagSpec = NonNullable<ParseArgsConfig['options']>[string] & {
  description?: string;
  /** The value's placeholder in help, e.g. FILE, N, YYYY-MM-DD. */
  valueName?: string;
};
export type OptionSpec = Record<string, FlagSpec>;

export interface CommandContext {
  config: Config;
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
  print(line: string): void;
}

/** One `cpd` subcommand: its usage line, its options, and what it does (returns the exit code). */
export interface Command {
  name: string;
  usage: string;
  /** One line on what the command does (help). */
  summary?: string;
  /** A command line that works, shown by `--help`. */
  example?: string;
  options?: OptionSpec;
  /** false for commands that work without MySQL/Redis (e.g. `plan`). */
  needsServices?: boolean;
  run(ctx: CommandContext): Promise<number>;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export function stringOption(values: CommandContext['values'], name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/** Who is acting (recorded by promote and rollback): `--by`, else the OS user (a shared service account should pass --by). */
export function actorOf(by: string | undefined): string {
  if (by?.trim()) return by.trim().slice(0, 120);
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}
