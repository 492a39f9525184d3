import 'server-only';
import type { Command } from './command';
import { auditVerify } from './commands/audit-verify';
import { userCreate } from './commands/user-create';
import { userDisable } from './commands/user-disable';

/** Every command, by the words that select it. Add a command: one module, one line here. */
export const COMMANDS: ReadonlyMap<string, Command<unknown>> = new Map(
  ([userCreate, userDisable, auditVerify] as Command<unknown>[]).map((command) => [command.name, command]),
);
