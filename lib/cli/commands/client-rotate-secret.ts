import 'server-only';
import { rotateClientSecret } from '../../oauth/clients/registration';
import { cliAuditContext } from '../audit-context';
import { defineCommand, requireString } from '../command';

export const clientRotateSecret = defineCommand({
  name: 'client rotate-secret',
  summary: 'Give a confidential client a new secret (prints it once)',
  synopsis: '--id CLIENT_ID [--json]',
  help: [
    'The old secret stops working at once (within 5 seconds on other running instances), and so does a secret kept',
    'working by an earlier rotation\'s overlap: use it when a secret leaked. To rotate without downtime (the old',
    'secret keeps working for OPTARE_CLIENT_SECRET_OVERLAP), use the admin console or POST /api/admin/v1/clients/{id}/secret.',
    'Only the new secret\'s hash is stored.',
  ].join('\n'),
  options: { id: { type: 'string' } },
  parseInput: (values) => ({ id: requireString(values, 'id') }),
  async run({ id }) {
    const result = await rotateClientSecret(id, cliAuditContext());
    if (!result.ok) {
      const message =
        result.error === 'not_found'
          ? `no client has the id ${id}`
          : `client ${id} has no secret to rotate (it is public or uses private_key_jwt)`;
      return { ok: false, json: { ok: false, error: result.error }, message };
    }
    return {
      ok: true,
      json: { ok: true, clientId: id, clientSecret: result.secret },
      text: `client_id:     ${id}\nclient_secret: ${result.secret}\nThe secret is shown only this once: store it now. The old secret no longer works.`,
    };
  },
});
