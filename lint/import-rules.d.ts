import type { Linter } from 'eslint';

/** The house rules on imports as one flat-config block; `root` is the repository root. */
export function importRules(options: { root: string }): Linter.Config;
