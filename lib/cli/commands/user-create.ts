import 'server-only';
import { createUser } from '../../auth/accounts';
import { cliAuditContext } from '../audit-context';
import { defineCommand, optionalString, requireString, UsageError, type OptionValues } from '../command';
import { readStdinLine } from '../stdin';

export const userCreate = defineCommand({
  name: 'user create',
  summary: 'Create a user account',
  synopsis: '--email EMAIL (--password-stdin | --password PASSWORD) [--name NAME] [--admin] [--json]',
  help:
    'Creates a user who can sign in with this email and password; --admin makes them an administrator.\n' +
    'Prefer --password-stdin: a --password value is visible to other users in the process list.\n' +
    '  printf %s "$PASSWORD" | npm run -s optare -- user create --email ada@example.com --password-stdin',
  options: {
    email: { type: 'string' },
    password: { type: 'string' },
    'password-stdin': { type: 'boolean' },
    name: { type: 'string' },
    admin: { type: 'boolean' },
  },
  async parseInput(values) {
    return {
      email: requireString(values, 'email'),
      password: await readPassword(values),
      name: optionalString(values, 'name'),
      isAdmin: values.admin === true,
    };
  },
  async run(input) {
    const result = await createUser(input, cliAuditContext(), 'cli');
    if (result.ok) {
      const { user } = result;
      return {
        ok: true,
        json: { ok: true, user },
        text: `Created ${user.isAdmin ? 'administrator' : 'user'} ${user.email} (id ${user.id})`,
      };
    }
    if ('error' in result) {
      return { ok: false, json: { ok: false, error: result.error }, message: `a user with the email ${input.email} already exists` };
    }
    const problems = Object.entries(result.fieldErrors).map(([field, messages]) => `${field}: ${messages.join(' ')}`);
    return {
      ok: false,
      json: { ok: false, error: 'invalid_input', fieldErrors: result.fieldErrors },
      message: `invalid input: ${problems.join('; ')}`,
    };
  },
});

async function readPassword(values: OptionValues): Promise<string> {
  const fromStdin = values['password-stdin'] === true;
  if (fromStdin && values.password !== undefined) throw new UsageError('give --password or --password-stdin, not both');
  if (fromStdin) return readStdinLine();
  return requireString(values, 'password');
}
