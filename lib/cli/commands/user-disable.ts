import 'server-only';
import { disableUser } from '../../auth/accounts';
import { cliAuditContext } from '../audit-context';
import { defineCommand, requireString } from '../command';

export const userDisable = defineCommand({
  name: 'user disable',
  summary: 'Disable a user account and end its sessions',
  synopsis: '--email EMAIL [--json]',
  help: 'The user can no longer sign in; every session they have is ended at once.',
  options: { email: { type: 'string' } },
  parseInput: (values) => ({ email: requireString(values, 'email') }),
  async run({ email }) {
    const result = await disableUser(email, cliAuditContext(), null);
    if (!result.ok) return { ok: false, json: { ok: false, error: result.error }, message: `no user has the email ${email}` };
    return { ok: true, json: { ok: true, userId: result.userId }, text: `Disabled ${email} (id ${result.userId}); their sessions were ended` };
  },
});
