import 'server-only';
import { deleteClient } from '../../oauth/clients/registration';
import { cliAuditContext } from '../audit-context';
import { defineCommand, requireString } from '../command';

export const clientDelete = defineCommand({
  name: 'client delete',
  summary: 'Delete an OAuth client',
  synopsis: '--id CLIENT_ID [--json]',
  help: 'Removes the client with its consents and grants: its tokens stop working and it can no longer sign users in.',
  options: { id: { type: 'string' } },
  parseInput: (values) => ({ id: requireString(values, 'id') }),
  async run({ id }) {
    if (!(await deleteClient(id, cliAuditContext()))) {
      return { ok: false, json: { ok: false, error: 'not_found' }, message: `no client has the id ${id}` };
    }
    return { ok: true, json: { ok: true, clientId: id }, text: `Deleted client ${id}` };
  },
});
