import { asksForMultiFactor, isMultiFactor } from '../../auth/authentication-methods';
import { ConsentRequired, InteractionRequired, LoginRequired, type OAuthError } from '../errors';
import type { AuthorizationDetails } from './request';

/** What the decision needs to know about the browser's session. */
export interface SessionFacts {
  userId: string;
  /** When the user last authenticated in this session (auth_time). */
  authenticatedAt: Date;
  /** The methods of that authentication (RFC 8176). */
  amr: readonly string[];
  /**
   * Whether the user has a second factor to add (TOTP or a passkey). Only needed, and only
   * looked up, when the request asks for multi-factor authentication.
   */
  hasSecondFactor?: boolean;
  /** OPTARE_MFA_REQUIRED is on and the user has no second factor yet: they enroll one first. */
  mustEnroll?: boolean;
}

export interface DecisionInput {
  request: AuthorizationDetails;
  session: SessionFacts | null;
  client: { firstParty: boolean };
  /** Scopes the user allowed this client before, or null. */
  consentedScopes: readonly string[] | null;
  /** When the pending request was stored; absent on the first pass through the endpoint. */
  pendingSince?: Date;
  now: Date;
}

export type Decision =
  | { next: 'sign_in' }
  | { next: 'step_up' }
  | { next: 'enroll' }
  | { next: 'consent' }
  | { next: 'issue' }
  | { next: 'error'; error: OAuthError };

/**
 * Whether the request can be answered now, or needs the user to sign in or consent first.
 *
 * - Authentication: a session is needed; `prompt=login`, and `max_age` when the session's
 *   authentication is older than that, ask for a new one, which a sign-in after the request was
 *   stored provides (so a resumed request never loops). An id_token_hint naming another user
 *   asks the user to sign in as that user; if they sign in as someone else, login_required.
 * - Consent: needed for `prompt=consent`, and for a third-party client the user has not allowed
 *   every requested scope. First-party clients skip it, for every scope, `offline_access`
 *   included: they belong to the operator, who already decided what they may do.
 * - Step-up: acr_values (or an acr claim request) asking for multi-factor authentication, from a
 *   session that used one factor, asks the user for their second factor, keeping the session.
 *   A user with no second factor cannot give one: the request goes on, and the ID token's
 *   `acr` says what was done (acr_values is a voluntary request, OIDC Core §3.1.2.1).
 * - Enrollment: under OPTARE_MFA_REQUIRED, a user without a second factor sets one up first.
 * - `prompt=none`: whatever would need the user becomes login_required, interaction_required
 *   or consent_required.
 * - `prompt=select_account`: one account per browser session, so it is a normal request.
 */
export function decide({ request, session, client, consentedScopes, pendingSince, now }: DecisionInput): Decision {
  const silent = request.prompt.includes('none');
  const loginNeeded = (description: string): Decision =>
    silent ? { next: 'error', error: new LoginRequired(description) } : { next: 'sign_in' };

  if (!session) return loginNeeded('The user is not signed in.');
  // Strictly after: both times are whole milliseconds, and a session made in the same millisecond
  // as the request was stored cannot be told apart from one made just before it.
  const authenticatedSinceRequest = pendingSince !== undefined && session.authenticatedAt.getTime() > pendingSince.getTime();
  if (!authenticatedSinceRequest) {
    if (request.prompt.includes('login')) return { next: 'sign_in' };
    if (request.maxAge !== undefined && now.getTime() - session.authenticatedAt.getTime() > request.maxAge * 1000) {
      return loginNeeded('The user authenticated longer ago than max_age allows.');
    }
  }
  if (session.mustEnroll) {
    return silent ? { next: 'error', error: new InteractionRequired('The user must set up a second factor first.') } : { next: 'enroll' };
  }
  if (needsStepUp(request, session)) {
    return silent ? { next: 'error', error: new LoginRequired('The request asks for multi-factor authentication.') } : { next: 'step_up' };
  }
  if (request.hintSubject !== undefined && request.hintSubject !== session.userId) {
    if (authenticatedSinceRequest) {
      return { next: 'error', error: new LoginRequired('The user signed in as a different user than id_token_hint names.') };
    }
    return loginNeeded('The signed-in user is not the one id_token_hint names.');
  }

  const consentCovers = consentedScopes !== null && request.scopes.every((scope) => consentedScopes.includes(scope));
  if (request.prompt.includes('consent') || (!client.firstParty && !consentCovers)) {
    return silent ? { next: 'error', error: new ConsentRequired('The user has not consented to the requested scopes.') } : { next: 'consent' };
  }
  return { next: 'issue' };
}

/** Whether the request asks for more factors than the session used and the user can give one. */
export function needsStepUp(request: AuthorizationDetails, session: SessionFacts): boolean {
  return asksForMultiFactor(request.acrValues ?? []) && !isMultiFactor(session.amr) && session.hasSecondFactor === true;
}
