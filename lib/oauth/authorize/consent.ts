import 'server-only';
import type { AuditContext } from '../../audit/events';
import { recordAuditEvent } from '../../audit/record';
import type { ActiveSession } from '../../auth/sessions';
import { addConsentScopes } from '../../db/consents';
import { AccessDenied } from '../errors';
import { SCOPE_DESCRIPTIONS, type Scope } from '../scopes';
import { errorPagePath } from './error-page';
import { continuePath, isRequestHandle } from './handle';
import { decideFor, verifiedClientOf } from './flow';
import { issueCodeRedirect } from './issue';
import { consumePendingRequest, findPendingRequest } from './pending';
import { clientRedirectUrl, optareUrl } from './respond';

export type ConsentPrompt =
  | {
      show: true;
      clientName: string;
      userEmail: string;
      scopes: { scope: string; description: string }[];
      /** The APIs the access token will be for (RFC 8707 `resource`); empty when none was named. */
      resources: string[];
    }
  /** Nothing to ask: go there instead (an Optare path). */
  | { show: false; redirectTo: string };

/**
 * What the consent page shows for a pending request, or where to send the browser when there
 * is nothing to ask: a stale handle goes to the error page; a request that needs sign-in, or no
 * longer needs consent, goes back through the continue route, which decides again.
 */
export async function consentPrompt(handle: unknown, session: ActiveSession | null, now: Date): Promise<ConsentPrompt> {
  const pending = isRequestHandle(handle) ? await findPendingRequest(handle, now) : null;
  if (!pending) return { show: false, redirectTo: errorPagePath('request_expired') };
  const handleString = handle as string;
  const client = await verifiedClientOf(pending);
  if (!client) return { show: false, redirectTo: errorPagePath('invalid_client') };
  const decision = await decideFor({ details: pending.details, client, session, pending: { handle: handleString, createdAt: pending.createdAt }, now });
  if (decision.next !== 'consent' || !session) return { show: false, redirectTo: continuePath(handleString) };
  return {
    show: true,
    clientName: client.name,
    userEmail: session.user.email,
    scopes: pending.details.scopes.map((scope) => ({ scope, description: SCOPE_DESCRIPTIONS[scope as Scope] ?? scope })),
    resources: pending.details.resources ?? [],
  };
}

export interface ConsentAnswer {
  handle: unknown;
  approve: boolean;
  session: ActiveSession | null;
  context: AuditContext;
  now: Date;
}

/**
 * The user's answer on the consent page. Re-checks everything the page relied on (the pending
 * request, its client and redirect URI, the session and its authentication), then consumes the
 * request (single use). Approve: remembers the scopes (added to what the user allowed before),
 * audits consent.granted, and redirects to the client with a code. Deny: audits consent.denied
 * and redirects with access_denied. Returns an absolute URL.
 */
export async function answerConsent({ handle, approve, session, context, now }: ConsentAnswer): Promise<string> {
  if (!isRequestHandle(handle)) return optareUrl(errorPagePath('request_expired'));
  const pending = await findPendingRequest(handle, now);
  if (!pending) return optareUrl(errorPagePath('request_expired'));
  const requestHandle = handle;
  const client = await verifiedClientOf(pending);
  if (!client) {
    await consumePendingRequest(requestHandle, now);
    return optareUrl(errorPagePath('invalid_client'));
  }
  const { details } = pending;
  const decision = await decideFor({ details, client, session, pending: { handle: requestHandle, createdAt: pending.createdAt }, now });
  // Sign-in still needed (no session, prompt=login or max_age not yet satisfied), or an error:
  // the continue route handles both.
  if (!session || decision.next === 'sign_in' || decision.next === 'error') return optareUrl(continuePath(requestHandle));

  if (!(await consumePendingRequest(requestHandle, now))) return optareUrl(errorPagePath('request_expired'));
  const audit = { actorUserId: session.userId, subject: client.id, details: { scopes: details.scopes }, context };
  if (!approve) {
    await recordAuditEvent({ type: 'consent.denied', outcome: 'success', ...audit });
    return clientRedirectUrl(details, { error: new AccessDenied('The user denied the request.') });
  }
  await addConsentScopes(session.userId, client.id, details.scopes);
  await recordAuditEvent({ type: 'consent.granted', outcome: 'success', ...audit });
  return issueCodeRedirect(details, session, now);
}
