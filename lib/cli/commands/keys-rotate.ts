import 'server-only';
import { rotateSigningKey } from '../../oauth/keys/signing-keys';
import { MAX_TOKEN_TTL_SECONDS } from '../../oauth/tokens/lifetimes';
import { cliAuditContext } from '../audit-context';
import { defineCommand } from '../command';

export const keysRotate = defineCommand({
  name: 'keys rotate',
  summary: 'Put a new token signing key into use',
  synopsis: '[--json]',
  help:
    'Generates a new RSA signing key, which signs every token from now on, and retires the active one.\n' +
    `The retired public key stays in the JWKS for ${MAX_TOKEN_TTL_SECONDS / 3600} hours (and a few minutes), until every token it\n` +
    'signed has expired. Running servers start signing with the new key within 30 seconds.',
  options: {},
  parseInput: () => undefined,
  async run() {
    const { kid, retiredKid } = await rotateSigningKey(new Date(), cliAuditContext());
    return {
      ok: true,
      json: { ok: true, kid, retiredKid },
      text: retiredKid ? `New signing key ${kid} is active; retired ${retiredKid}` : `New signing key ${kid} is active`,
    };
  },
});
