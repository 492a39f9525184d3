import { describe, expect, it } from 'vitest';
import { parseCommandLine } from './args';
import { defineCommand, UsageError, type Command } from './command';

const stub = (name: string, options: Command<unknown>['options'] = {}) =>
  defineCommand<unknown>({
    name,
    summary: name,
    synopsis: '',
    help: '',
    options,
    parseInput: () => undefined,
    run: async () => ({ ok: true, json: {}, text: '' }),
  });

const commands = new Map(
  [stub('user create', { email: { type: 'string' }, admin: { type: 'boolean' } }), stub('user'), stub('audit verify')].map(
    (command) => [command.name, command],
  ),
);

describe('parseCommandLine', () => {
  it('selects the command named by the longest run of leading words and parses its options', () => {
    const line = parseCommandLine(commands, ['user', 'create', '--email', 'a@b.c', '--admin', '--json']);
    expect(line?.command.name).toBe('user create');
    expect(line?.values).toEqual({ email: 'a@b.c', admin: true });
    expect(line).toMatchObject({ json: true, help: false });
  });

  it('accepts --help and -h on any command', () => {
    expect(parseCommandLine(commands, ['audit', 'verify', '-h'])).toMatchObject({ help: true });
    expect(parseCommandLine(commands, ['audit', 'verify', '--help'])).toMatchObject({ help: true });
  });

  it('returns null when no command is named', () => {
    expect(parseCommandLine(commands, [])).toBeNull();
    expect(parseCommandLine(commands, ['--help'])).toBeNull();
  });

  it.each([
    [['frobnicate'], /unknown command "frobnicate"/],
    [['audit', 'verify', 'extra'], /unexpected argument 'extra'/i],
    [['audit', 'verify', '--email', 'x'], /unknown option '--email'/i],
    [['user', 'create', '--email'], /--email/],
    [['user', 'create', '--admin=yes'], /--admin/],
  ])('refuses %j with a usage error', (argv, message) => {
    expect(() => parseCommandLine(commands, argv)).toThrow(UsageError);
    expect(() => parseCommandLine(commands, argv)).toThrow(message);
  });
});
