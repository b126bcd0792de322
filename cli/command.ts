import os from 'node:os';
import type { ParseArgsConfig } from 'node:util';
import type { Config } from '../config/env.ts';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

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
