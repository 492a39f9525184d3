import 'server-only';
import { acrOf } from '../../auth/authentication-methods';
import type { ActiveSession } from '../../auth/sessions';
import { issueAuthorizationCode } from '../grants/authorization-code';
import type { AuthorizationDetails } from './request';
import { clientRedirectUrl } from './respond';

/**
 * Issues the authorization code for a decided request and returns the redirect that carries it.
 * auth_time is when the user last authenticated in the session, amr its methods, acr their
 * level, sid its id.
 */
export async function issueCodeRedirect(details: AuthorizationDetails, session: ActiveSession, now: Date): Promise<string> {
  const code = await issueAuthorizationCode(
    {
      clientId: details.clientId,
      userId: session.userId,
      sessionId: session.id,
      scopes: details.scopes,
      authTime: session.authenticatedAt,
      amr: session.amr,
      acr: acrOf(session.amr),
      nonce: details.nonce ?? null,
      claims: details.claims ?? null,
      resources: details.resources ?? [],
      redirectUri: details.redirectUri,
      codeChallenge: details.codeChallenge ?? null,
      codeChallengeMethod: details.codeChallengeMethod ?? null,
    },
    now,
  );
  return clientRedirectUrl(details, { code });
}
