import 'server-only';
import { isSigningAlg, SIGNING_ALGORITHMS, type SigningAlg } from '../../oauth/keys/algorithms';
import { rotateSigningKeys } from '../../oauth/keys/signing-keys';
import { MAX_TOKEN_TTL_SECONDS } from '../../oauth/tokens/lifetimes';
import { cliAuditContext } from '../audit-context';
import { defineCommand, optionalString, UsageError } from '../command';

export const keysRotate = defineCommand({
  name: 'keys rotate',
  summary: 'Put a new token signing key into use',
  synopsis: `[--alg ${SIGNING_ALGORITHMS.join('|')}] [--json]`,
  help:
    'Generates a new signing key, which signs every token of its algorithm from now on, and retires the active one.\n' +
    `  --alg     only this algorithm's key (default: every algorithm in use: RS256 and those clients are configured for)\n` +
    `The retired public key stays in the JWKS for ${MAX_TOKEN_TTL_SECONDS / 3600} hours (and a few minutes), until every token it\n` +
    'signed has expired. Running servers start signing with the new key within 30 seconds.',
  options: { alg: { type: 'string' } },
  parseInput(values): { alg?: SigningAlg } {
    const alg = optionalString(values, 'alg');
    if (alg === undefined) return {};
    if (!isSigningAlg(alg)) throw new UsageError(`--alg must be one of ${SIGNING_ALGORITHMS.join(', ')}`);
    return { alg };
  },
  async run(input) {
    const rotated = await rotateSigningKeys(new Date(), cliAuditContext(), {}, input.alg);
    const lines = rotated.map(({ alg, kid, retiredKid }) =>
      retiredKid ? `New ${alg} signing key ${kid} is active; retired ${retiredKid}` : `New ${alg} signing key ${kid} is active`,
    );
    const first = rotated[0]!;
    return {
      ok: true,
      json: { ok: true, kid: first.kid, retiredKid: first.retiredKid, rotated },
      text: lines.join('\n'),
    };
  },
});
