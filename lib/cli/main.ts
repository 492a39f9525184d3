import 'server-only';
import { ConfigError } from '../config';
import { parseCommandLine } from './args';
import { UsageError, type CommandOutcome } from './command';
import { COMMANDS } from './commands';
import { withCliDatabase } from './database';
import { commandHelp, generalHelp } from './help';

const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** Runs one CLI invocation and returns its exit code. Output: results on stdout, one-line errors on stderr. */
export async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  try {
    const line = parseCommandLine(COMMANDS, argv);
    if (!line) {
      if (!argv.includes('--help') && !argv.includes('-h')) throw new UsageError('missing command');
      stdout(generalHelp(COMMANDS.values()));
      return EXIT.ok;
    }
    if (line.help) {
      stdout(commandHelp(line.command));
      return EXIT.ok;
    }
    const input = await line.command.parseInput(line.values);
    const outcome = await withCliDatabase(() => line.command.run(input));
    report(outcome, json);
    return outcome.ok ? EXIT.ok : EXIT.failure;
  } catch (error) {
    if (error instanceof UsageError) {
      fail(json, 'usage', `${error.message}; see npm run optare -- --help`);
      return EXIT.usage;
    }
    fail(json, 'failed', describe(error));
    return EXIT.failure;
  }
}

function report(outcome: CommandOutcome, json: boolean): void {
  if (json) stdout(JSON.stringify(outcome.json));
  if (outcome.ok) {
    if (!json) stdout(outcome.text);
  } else {
    stderr(outcome.message);
  }
}

function fail(json: boolean, error: string, message: string): void {
  if (json) stdout(JSON.stringify({ ok: false, error, message }));
  stderr(message);
}

function describe(error: unknown): string {
  if (error instanceof ConfigError) return `invalid configuration: ${error.problems.join('; ')}`;
  return error instanceof Error ? error.message : String(error);
}

function stdout(text: string): void {
  process.stdout.write(`${text}\n`);
}

function stderr(message: string): void {
  process.stderr.write(`optare: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
}
