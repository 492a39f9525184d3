import 'server-only';
import { asksForMultiFactor } from '../../auth/authentication-methods';
import { hasSecondFactor } from '../../auth/second-factors';
import type { ActiveSession } from '../../auth/sessions';
import { runtimeSettings } from '../../settings/runtime';
import { findConsentScopes } from '../../db/consents';
import { findEnabledClient } from '../clients/registration';
import type { OAuthClientRecord } from '../clients/types';
import { decide, type Decision } from './decide';
import { errorPagePath } from './error-page';
import { consentPath, enrollPath, signInPath, stepUpPath } from './handle';
import { issueCodeRedirect } from './issue';
import { consumePendingRequest, storePendingRequest, type PendingRequest } from './pending';
import type { AuthorizationDetails } from './request';
import { clientRedirectUrl, optareUrl } from './respond';

export interface FlowState {
  details: AuthorizationDetails;
  client: OAuthClientRecord;
  session: ActiveSession | null;
  /** The pending request this pass resumes, if any. */
  pending?: { handle: string; createdAt: Date };
  now: Date;
}

/** The decision for a request and the user's session, with the stored consent looked up. */
export async function decideFor({ details, client, session, pending, now }: FlowState): Promise<Decision> {
  const consentedScopes = session ? await findConsentScopes(session.userId, client.id) : null;
  const asksForMfa = asksForMultiFactor(details.acrValues ?? []);
  const mfaRequired = session ? (await runtimeSettings()).mfaRequired : false;
  const secondFactor = session && (mfaRequired || asksForMfa) ? await hasSecondFactor(session.userId) : undefined;
  const facts = session && {
    userId: session.userId,
    authenticatedAt: session.authenticatedAt,
    amr: session.amr,
    hasSecondFactor: secondFactor,
    // An administrator asked for MFA (the admin console always asks) enrolls a factor first.
    mustEnroll: (mfaRequired || (asksForMfa && session.user.isAdmin)) && secondFactor === false,
  };
  return decide({
    request: details,
    client,
    session: facts,
    consentedScopes,
    ...(pending ? { pendingSince: pending.createdAt } : {}),
    now,
  });
}

/**
 * Acts on the decision and returns where the browser goes next (an absolute URL): the sign-in
 * or consent page with the pending request's handle (stored now if this is the first pass), or
 * the client's redirect URI with a code or an error. A pending request is consumed (single use)
 * before it is answered at the redirect URI.
 */
export async function nextStep(state: FlowState): Promise<string> {
  const { details, session, pending, now } = state;
  const decision = await decideFor(state);
  switch (decision.next) {
    case 'sign_in':
      return optareUrl(signInPath(pending?.handle ?? (await storePendingRequest(details, now))));
    case 'enroll':
      return optareUrl(enrollPath(pending?.handle ?? (await storePendingRequest(details, now))));
    case 'step_up':
      return optareUrl(stepUpPath(pending?.handle ?? (await storePendingRequest(details, now))));
    case 'consent':
      return optareUrl(consentPath(pending?.handle ?? (await storePendingRequest(details, now))));
    case 'error':
      if (pending && !(await consumePendingRequest(pending.handle, now))) return optareUrl(errorPagePath('request_expired'));
      return clientRedirectUrl(details, { error: decision.error });
    case 'issue':
      if (!session) throw new Error('decide() issues only for a session');
      if (pending && !(await consumePendingRequest(pending.handle, now))) return optareUrl(errorPagePath('request_expired'));
      return issueCodeRedirect(details, session, now);
  }
}

/**
 * The client of a pending request, re-verified: it may have been disabled, or the redirect URI
 * unregistered, since the request was made. Null when the response can no longer go there.
 */
export async function verifiedClientOf(pending: PendingRequest): Promise<OAuthClientRecord | null> {
  const client = await findEnabledClient(pending.details.clientId);
  return client && client.redirectUris.includes(pending.details.redirectUri) ? client : null;
}
