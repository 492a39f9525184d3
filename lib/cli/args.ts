import { parseArgs } from 'node:util';
import { UsageError, type Command, type OptionValues } from './command';

const COMMON_OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface ParsedCommandLine<C> {
  command: C;
  values: OptionValues;
  json: boolean;
  help: boolean;
}

/**
 * Finds the command named by the leading words of `argv` (the longest registered match), then
 * parses the rest strictly against its options. Returns null when no words name a command.
 */
export function parseCommandLine<C extends Command<unknown>>(
  commands: ReadonlyMap<string, C>,
  argv: string[],
): ParsedCommandLine<C> | null {
  const firstOption = argv.findIndex((arg) => arg.startsWith('-'));
  const words = firstOption === -1 ? argv : argv.slice(0, firstOption);
  for (let length = words.length; length > 0; length--) {
    const command = commands.get(words.slice(0, length).join(' '));
    if (command) return { command, ...parseOptions(command, argv.slice(length)) };
  }
  if (words.length > 0) throw new UsageError(`unknown command "${words.join(' ')}"`);
  return null;
}

function parseOptions(command: Command<unknown>, args: string[]) {
  let values: OptionValues;
  try {
    ({ values } = parseArgs({
      args,
      options: { ...command.options, ...COMMON_OPTIONS },
      strict: true,
      allowPositionals: false,
    }) as { values: OptionValues });
  } catch (error) {
    // Node's messages go on to explain `--` positionals; the first sentence is the useful part.
    throw new UsageError((error as Error).message.split(/\.\s/)[0] ?? 'invalid arguments');
  }
  const { json, help, ...rest } = values;
  return { values: rest, json: json === true, help: help === true };
}
