import type { Command } from './command.ts';
import { commandDocs } from './command-docs.ts';

/** `cpd CMD --help`: usage, what it does, every flag with its meaning and default, an example. */
export function commandHelp(command: Command): string {
  const doc = commandDocs[command.name];
  const usage = command.usage.split(/\s{3,}/)[0]!.trim();
  const summary = command.summary ?? doc?.summary ?? command.usage.split(/\s{3,}/)[1] ?? '';
  const example = command.example ?? doc?.example;
  const flags = Object.entries(command.options ?? {}).map(([name, spec]) => {
    const value = spec.type === 'string' ? ` ${spec.valueName ?? 'VALUE'}` : '';
    const text = spec.description ?? doc?.flags[name] ?? '';
    const def =
      spec.default !== undefined && spec.type === 'string' ? ` (default ${String(spec.default)})` : '';
    return [`--${name}${value}`, `${text}${text.includes('default') ? '' : def}`] as const;
  });
  flags.push(['--help, -h', 'this help']);
  const width = Math.max(...flags.map(([f]) => f.length)) + 2;
  return [
    `usage: ${usage}`,
    '',
    summary,
    '',
    'flags:',
    ...flags.map(([f, t]) => `  ${f.padEnd(width)}${t}`),
    ...(example ? ['', 'example:', `  ${example}`] : []),
  ].join('\n');
}

/** The command list of `cpd --help`: name and what it does, one line each. */
export function commandList(commands: readonly Command[]): string[] {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return commands.map((c) => `  ${c.name.padEnd(width)}${c.summary ?? commandDocs[c.name]?.summary ?? ''}`);
}
