import 'server-only';
import { recordAuditEvent } from '../../audit/record';
import type { AuditContext } from '../../audit/events';
import { sha256 } from '../../crypto/hash';
import { denyAccessToken, findRefreshToken } from '../../db/grants';
import type { OAuthClientRecord } from '../clients/types';
import { InvalidToken } from '../errors';
import { revokeGrant } from '../grants/revoke';
import { ENDPOINT_PATHS } from '../metadata';
import { verifyAccessToken } from '../tokens/access-token';
import { authenticatedClientRequest, ClientEndpointReply, requireParameters } from './token';
import type { ProtocolRequest, ProtocolResponse } from '../../http/protocol-message';

type Revoker = (token: string, client: OAuthClientRecord, audit: AuditContext, now: Date) => Promise<boolean>;

/**
 * Token revocation (RFC 7009): POST, client-authenticated. The pipeline:
 *   parse the form → authenticate the client → `token` required → try the kinds of token in the
 *   order `token_type_hint` suggests (an unknown hint is ignored, §2.1) → 200.
 * A refresh token revokes its whole grant: every refresh token and, through `gid`, every access
 * token issued from it. An access token goes on the jti denylist until it expires; its grant
 * stays (RFC 7009 §2.1 lets the server decide; an access token leak should not end a session).
 * Only the authenticated client's own tokens are revoked; unknown, invalid, expired or another
 * client's tokens get the same 200 (§2.2), so the endpoint reveals nothing about them.
 */
export async function revocationEndpoint(request: ProtocolRequest, now = new Date()): Promise<ProtocolResponse> {
  const reply = new ClientEndpointReply(request);
  try {
    const { client, params, audit } = await authenticatedClientRequest(request, ENDPOINT_PATHS.revocation, reply, 'revocation');
    requireParameters(params, ['token']);
    const token = params.get('token')!;
    const revokers = params.get('token_type_hint') === 'access_token' ? [revokeAccessToken, revokeRefreshToken] : [revokeRefreshToken, revokeAccessToken];
    for (const revoke of revokers) {
      if (await revoke(token, client, audit, now)) break;
    }
    return reply.empty();
  } catch (error) {
    return reply.error(error, 'revocation');
  }
}

/** True when `token` is a refresh token of this client (revoked now or before). */
const revokeRefreshToken: Revoker = async (token, client, audit, now) => {
  const found = await findRefreshToken(sha256(token));
  if (!found || found.grant.clientId !== client.id) return false;
  await revokeGrant(found.grant.id, 'revoked_by_client', {
    context: audit,
    now,
    cause: { type: 'token.revoked', outcome: 'success', subject: found.grant.id, details: { kind: 'refresh_token', clientId: client.id } },
  });
  return true;
};

/** True when `token` is a valid access token of this client, now on the denylist. */
const revokeAccessToken: Revoker = async (token, client, audit, now) => {
  let claims;
  try {
    claims = await verifyAccessToken(token, now);
  } catch (error) {
    if (error instanceof InvalidToken) return false;
    throw error;
  }
  if (claims.client_id !== client.id) return false;
  await denyAccessToken(claims.jti, new Date(claims.exp * 1000));
  await recordAuditEvent({
    type: 'token.revoked',
    outcome: 'success',
    subject: claims.gid ?? claims.jti,
    details: { kind: 'access_token', clientId: client.id, jti: claims.jti },
    context: audit,
  });
  return true;
};
