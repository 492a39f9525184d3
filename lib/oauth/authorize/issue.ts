import 'server-only';
import type { ActiveSession } from '../../auth/sessions';
import { issueAuthorizationCode } from '../grants/authorization-code';
import type { AuthorizationDetails } from './request';
import { clientRedirectUrl } from './respond';

/**
 * Issues the authorization code for a decided request and returns the redirect that carries it.
 * auth_time is the session's start, amr its methods, sid its id.
 */
export async function issueCodeRedirect(details: AuthorizationDetails, session: ActiveSession, now: Date): Promise<string> {
  const code = await issueAuthorizationCode(
    {
      clientId: details.clientId,
      userId: session.userId,
      sessionId: session.id,
      scopes: details.scopes,
      authTime: session.createdAt,
      amr: session.amr,
      acr: null,
      nonce: details.nonce ?? null,
      claims: details.claims ?? null,
      redirectUri: details.redirectUri,
      codeChallenge: details.codeChallenge ?? null,
      codeChallengeMethod: details.codeChallengeMethod ?? null,
    },
    now,
  );
  return clientRedirectUrl(details, { code });
}
