import 'server-only';
import type { AuditContext } from '../../audit/events';
import { endSession, validateSessionToken } from '../../auth/sessions';
import { getConfig } from '../../config';
import { decrypt, encrypt } from '../../crypto/encryption';
import { auditContextFrom } from '../../http/audit-context';
import { CLEAR_SITE_DATA } from '../../http/responses';
import type { ProtocolRequest, ProtocolResponse } from '../../http/protocol-message';
import { logger } from '../../log/logger';
import { browserSession, clearedSessionCookie, sessionToken } from '../authorize/browser-session';
import { CannotRedirect, errorPagePath } from '../authorize/error-page';
import { errorPageResponse, optareUrl, seeOther } from '../authorize/respond';
import { findEnabledClient } from '../clients/registration';
import type { OAuthClientRecord } from '../clients/types';
import { OAuthError } from '../errors';
import { paramsFromForm, paramsFromQuery, type OAuthParams } from '../params';
import { verifyIdTokenHint, type IdTokenHint } from '../tokens/id-token';

/** The page that says the user is signed out, when there is no client to return to. */
export const SIGNED_OUT_PATH = '/oauth/logout/done';
export const CONFIRM_PATH = '/oauth/logout/confirm';
/** How long the confirmation page's answer is accepted. */
const CONFIRMATION_TTL_MS = 10 * 60_000;
const SEAL_CONTEXT = 'logout-confirmation';

/** A verified logout request: where to send the browser afterwards, if anywhere. */
interface LogoutRequest {
  hint: IdTokenHint | null;
  client: OAuthClientRecord | null;
  /** A post_logout_redirect_uri registered on the identified client. */
  postLogoutRedirectUri: string | null;
  state: string | null;
}

/**
 * RP-Initiated Logout 1.0 (§2, §3): GET, or POST with a form body (answered with a 303 to the
 * same request as a GET, because a relying party's cross-site POST carries no SameSite=Lax
 * session cookie).
 *
 * The id_token_hint must verify (expired ones are fine), a client_id must be one of its
 * audiences, and a post_logout_redirect_uri must equal one registered on the client they name;
 * otherwise the error page says so and nothing happens. Without a way to identify the client a
 * post_logout_redirect_uri is ignored. A request attributed to the browser's session (the hint's
 * sid is the session, or its sub the signed-in user) ends the session at once; any other
 * request with a session asks the user to confirm on /oauth/logout/confirm.
 */
export async function logoutEndpoint(request: ProtocolRequest, now = new Date()): Promise<ProtocolResponse> {
  let params: OAuthParams;
  try {
    if (request.method === 'POST') {
      const form = await paramsFromForm(request);
      return seeOther(optareUrl(`/oauth/logout?${new URLSearchParams([...form]).toString()}`));
    }
    params = paramsFromQuery(new URL(request.url).searchParams);
  } catch (error) {
    return logoutErrorPage(error);
  }

  try {
    return await endOrConfirm(request, await verifyLogoutRequest(params), now);
  } catch (error) {
    return logoutErrorPage(error);
  }
}

/** Ends the browser's session when the request is attributed to it, else asks the user first. */
async function endOrConfirm(request: ProtocolRequest, logout: LogoutRequest, now: Date): Promise<ProtocolResponse> {
  const context = auditContextFrom(request.headers);
  const session = await browserSession(request, context, now);
  const done = afterLogoutUrl(logout.postLogoutRedirectUri, logout.state);
  if (!session) return seeOther(done);
  const attributed = logout.hint !== null && (logout.hint.sid === session.id || logout.hint.sub === session.userId);
  if (attributed) {
    await endSession(sessionToken(request), context);
    return seeOther(done, { 'Set-Cookie': clearedSessionCookie(), ...CLEAR_SITE_DATA });
  }
  const confirmation = sealConfirmation({
    sessionId: session.id,
    clientId: logout.client?.id ?? null,
    postLogoutRedirectUri: logout.postLogoutRedirectUri,
    state: logout.state,
    expiresAt: now.getTime() + CONFIRMATION_TTL_MS,
  });
  return seeOther(optareUrl(`${CONFIRM_PATH}?logout=${confirmation}`));
}

async function verifyLogoutRequest(params: OAuthParams): Promise<LogoutRequest> {
  const invalid = (why: string) => new CannotRedirect('invalid_logout_request', why);
  const hintToken = params.get('id_token_hint');
  const hint = hintToken === undefined ? null : await verifyIdTokenHint(hintToken);
  const clientIdParam = params.get('client_id');
  if (clientIdParam !== undefined && hint && !hint.aud.includes(clientIdParam)) throw invalid('client_id is not an audience of id_token_hint');
  const clientId = clientIdParam ?? (hint && hint.aud.length === 1 ? hint.aud[0] : undefined);
  const client = clientId === undefined ? null : await findEnabledClient(clientId);
  if (clientIdParam !== undefined && !client) throw invalid('unknown or disabled client_id');

  const uri = params.get('post_logout_redirect_uri');
  const state = params.get('state') ?? null;
  if (uri === undefined || !client) return { hint, client, postLogoutRedirectUri: null, state };
  if (!client.postLogoutRedirectUris.includes(uri)) throw invalid('post_logout_redirect_uri is not registered for the client');
  return { hint, client, postLogoutRedirectUri: uri, state };
}

/** The registered post-logout URI with `state` appended (its own query kept), or the signed-out page. */
function afterLogoutUrl(uri: string | null, state: string | null): string {
  if (uri === null) return optareUrl(SIGNED_OUT_PATH);
  if (state === null) return uri;
  const separator = !uri.includes('?') ? '?' : uri.endsWith('?') || uri.endsWith('&') ? '' : '&';
  return `${uri}${separator}${new URLSearchParams({ state }).toString()}`;
}

function logoutErrorPage(error: unknown): ProtocolResponse {
  if (!(error instanceof CannotRedirect) && !(error instanceof OAuthError)) {
    logger().error({ err: error }, 'logout request failed');
    return errorPageResponse('server_error');
  }
  return errorPageResponse('invalid_logout_request');
}

interface Confirmation {
  /** The session the user was asked about: once it has ended, the confirmation is worthless. */
  sessionId: string;
  clientId: string | null;
  postLogoutRedirectUri: string | null;
  state: string | null;
  expiresAt: number;
}

/**
 * The confirmation travels sealed (AES-256-GCM under the encryption key, bound to its purpose),
 * so its target cannot be altered, and it names the session it may end: after that session has
 * ended it does nothing, which makes it single-use without storing it.
 */
function sealConfirmation(confirmation: Confirmation): string {
  return encrypt(JSON.stringify(confirmation), getConfig().encryption, SEAL_CONTEXT);
}

function openConfirmation(sealed: unknown, now: Date): Confirmation | null {
  if (typeof sealed !== 'string' || sealed.length > 8192) return null;
  try {
    const value = JSON.parse(decrypt(sealed, getConfig().encryption, SEAL_CONTEXT).toString('utf8')) as Confirmation;
    return value.expiresAt > now.getTime() ? value : null;
  } catch {
    return null;
  }
}

export type LogoutPrompt = { show: true; clientName: string | null } | { show: false; redirectTo: string };

/** What the confirmation page shows for `?logout=…`, or where to go when there is nothing to ask. */
export async function logoutPrompt(sealed: unknown, session: { id: string } | null, now: Date): Promise<LogoutPrompt> {
  const confirmation = openConfirmation(sealed, now);
  if (!confirmation) return { show: false, redirectTo: errorPagePath('invalid_logout_request') };
  if (!session) return { show: false, redirectTo: SIGNED_OUT_PATH };
  // The browser signed in again since: the confirmation was about a session that has ended.
  if (session.id !== confirmation.sessionId) return { show: false, redirectTo: errorPagePath('invalid_logout_request') };
  const client = confirmation.clientId ? await findEnabledClient(confirmation.clientId) : null;
  return { show: true, clientName: client?.name ?? null };
}

export interface ConfirmedLogout {
  /** Absolute URL: the client's post-logout redirect URI (with state), or Optare's signed-out page. */
  redirectTo: string;
  /** Whether the session cookie must be deleted. */
  clearCookie: boolean;
}

/**
 * The user confirmed on the confirmation page: ends the session the confirmation names when it
 * is still the browser's session. The post-logout redirect URI is checked against the client's
 * registration again (it may have changed meanwhile).
 */
export async function confirmLogout(
  sealed: unknown,
  request: Pick<ProtocolRequest, 'headers'>,
  context: AuditContext = auditContextFrom(request.headers),
  now = new Date(),
): Promise<ConfirmedLogout> {
  const confirmation = openConfirmation(sealed, now);
  if (!confirmation) return { redirectTo: optareUrl(errorPagePath('invalid_logout_request')), clearCookie: false };
  const token = sessionToken(request);
  const session = await validateSessionToken(token, context, now);
  if (session && session.id !== confirmation.sessionId) {
    // The browser signed in again since: this confirmation was about another session.
    return { redirectTo: optareUrl(errorPagePath('invalid_logout_request')), clearCookie: false };
  }
  if (session) await endSession(token, context);
  const { clientId, postLogoutRedirectUri: uri, state } = confirmation;
  const client = clientId && uri ? await findEnabledClient(clientId) : null;
  const registered = client !== null && uri !== null && client.postLogoutRedirectUris.includes(uri);
  return { redirectTo: afterLogoutUrl(registered ? uri : null, state), clearCookie: session !== null };
}
