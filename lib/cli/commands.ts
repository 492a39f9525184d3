import 'server-only';
import type { Command } from './command';
import { auditVerify } from './commands/audit-verify';
import { clientCreate } from './commands/client-create';
import { clientDelete } from './commands/client-delete';
import { clientList } from './commands/client-list';
import { clientRotateSecret } from './commands/client-rotate-secret';
import { keysReencrypt } from './commands/keys-reencrypt';
import { keysRotate } from './commands/keys-rotate';
import { sessionsEndAll } from './commands/sessions-end-all';
import { userCreate } from './commands/user-create';
import { userDisable } from './commands/user-disable';

/** Every command, by the words that select it. Add a command: one module, one line here. */
export const COMMANDS: ReadonlyMap<string, Command<unknown>> = new Map(
  ([userCreate, userDisable, auditVerify, keysRotate, keysReencrypt, clientCreate, clientList, clientDelete, clientRotateSecret, sessionsEndAll] as Command<unknown>[]).map((command) => [command.name, command]),
);
