import type { ParseArgsConfig } from 'node:util';

export type OptionValues = Record<string, string | boolean | undefined>;

/** Wrong or missing arguments: exit code 2, before anything is opened or changed. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** What a command reports: `json` goes to stdout with --json; `message` is the one-line failure. */
export type CommandOutcome =
  | { ok: true; json: Record<string, unknown>; text: string }
  | { ok: false; json: Record<string, unknown>; message: string };

export interface Command<Input> {
  /** The words that select it, e.g. "user create". */
  name: string;
  summary: string;
  /** The arguments after the name, e.g. "--email EMAIL [--admin]". */
  synopsis: string;
  /** Longer help text, printed under the synopsis by --help. */
  help: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Turns the parsed options into the command's input; throws UsageError. Runs before the database opens. */
  parseInput(values: OptionValues): Input | Promise<Input>;
  run(input: Input): Promise<CommandOutcome>;
}

export function defineCommand<Input>(command: Command<Input>): Command<Input> {
  return command;
}

export function requireString(values: OptionValues, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

export function optionalString(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}
