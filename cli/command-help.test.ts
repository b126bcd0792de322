import { describe, expect, it } from 'vitest';
import { commandHelp } from './command-help.ts';
import { commands } from './commands/index.ts';

describe('cpd --help per command', () => {
  it('describes every flag of every command and shows an example', () => {
    for (const c of commands) {
      const help = commandHelp(c);
      expect(help, c.name).toMatch(/^usage: cpd /);
      expect(help, c.name).toMatch(/\nexample:\n {2}\S/);
      for (const flag of Object.keys(c.options ?? {})) {
        const line = help.split('\n').find((l) => l.trimStart().startsWith(`--${flag}`));
        expect(line, `${c.name} --${flag}`).toMatch(new RegExp(`--${flag}( VALUE| [A-Z]+)?\\s{2,}\\S`));
      }
    }
  });

  it('reads like a manual for cpd status', () => {
    const help = commandHelp(commands.find((c) => c.name === 'status')!);
    expect(help).toContain('--limit N');
    expect(help).toContain('cpd status --pipeline online-shoppers --limit 10');
  });
});
