import type { Command } from './command';

export function generalHelp(commands: Iterable<Command<unknown>>): string {
  const list = [...commands];
  const width = Math.max(...list.map((command) => command.name.length));
  return [
    'Usage: npm run optare -- <command> [options]',
    '',
    'Commands:',
    ...list.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    'Every command takes --json (machine-readable output on stdout) and --help.',
    'Exit codes: 0 success, 1 failure, 2 usage error.',
  ].join('\n');
}

export function commandHelp(command: Command<unknown>): string {
  return [`Usage: npm run optare -- ${command.name} ${command.synopsis}`, '', command.summary + '.', command.help].join('\n');
}
