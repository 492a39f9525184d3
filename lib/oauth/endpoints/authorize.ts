import 'server-only';
import { auditContextFrom } from '../../http/audit-context';
import type { ProtocolRequest, ProtocolResponse } from '../../http/protocol-message';
import { logger } from '../../log/logger';
import { browserSession } from '../authorize/browser-session';
import { CannotRedirect } from '../authorize/error-page';
import { nextStep, verifiedClientOf } from '../authorize/flow';
import { continuePath, isRequestHandle } from '../authorize/handle';
import { consumePendingRequest, findPendingRequest, storePendingRequest } from '../authorize/pending';
import { clientRedirectUrl, errorPageResponse, optareUrl, seeOther } from '../authorize/respond';
import { verifyTarget, type ClientTarget } from '../authorize/target';
import { validateAuthorizationRequest } from '../authorize/validate';
import { PARAMS_BODY_LIMIT, paramsFromForm, paramsFromQuery, type OAuthParams } from '../params';

/**
 * The authorization endpoint (RFC 6749 §4.1.1, OIDC Core §3.1.2), GET and POST.
 *
 * 1. The client and its redirect URI are verified first; until both are, every problem is shown
 *    on Optare's error page and nothing is redirected (RFC 6749 §4.1.2.1, RFC 9700 §4.1).
 * 2. The other checks (authorize/validate.ts) run in order; the first failure is answered at the
 *    redirect URI with error, error_description, state and iss.
 * 3. The decision (authorize/decide.ts) sends the browser to sign-in or consent with the
 *    handle of a stored pending request, or straight back to the client with a code. A POST is
 *    stored first and decided by the continue route (see below).
 *
 * Every answer is a 303 with Cache-Control: no-store.
 */
export async function authorizationEndpoint(request: ProtocolRequest, now = new Date()): Promise<ProtocolResponse> {
  let input: RequestParameters;
  let target: ClientTarget;
  try {
    input = await readParameters(request);
    target = await verifyTarget(input.raw);
  } catch (error) {
    return errorPage(error);
  }
  try {
    if (!input.params) throw input.error;
    const details = await validateAuthorizationRequest(input.params, target);
    // A relying party's cross-site form POST arrives without the SameSite=Lax session cookie:
    // store the request and continue with a top-level GET, which carries it.
    if (request.method === 'POST') return seeOther(optareUrl(continuePath(await storePendingRequest(details, now))));
    const session = await browserSession(request, auditContextFrom(request.headers), now);
    return seeOther(await nextStep({ details, client: target.client, session, now }));
  } catch (error) {
    return seeOther(clientRedirectUrl(target, { error }));
  }
}

/**
 * Resumes a pending request after sign-in, sign-up or a visit to the consent page:
 * GET …/continue?request=<handle>. The request's client and redirect URI are verified again, then
 * the decision runs with the browser's current session.
 */
export async function continueAuthorization(request: ProtocolRequest, now = new Date()): Promise<ProtocolResponse> {
  const handle = new URL(request.url).searchParams.get('request');
  if (!isRequestHandle(handle)) return errorPageResponse('request_expired');
  let pending;
  let client;
  try {
    pending = await findPendingRequest(handle, now);
    if (!pending) return errorPageResponse('request_expired');
    client = await verifiedClientOf(pending);
    if (!client) {
      await consumePendingRequest(handle, now);
      return errorPageResponse('invalid_client');
    }
  } catch (error) {
    return errorPage(error);
  }
  try {
    const session = await browserSession(request, auditContextFrom(request.headers), now);
    return seeOther(await nextStep({ details: pending.details, client, session, pending: { handle, createdAt: pending.createdAt }, now }));
  } catch (error) {
    await consumePendingRequest(handle, now).catch(() => null);
    return seeOther(clientRedirectUrl(pending.details, { error }));
  }
}

function errorPage(error: unknown): ProtocolResponse {
  if (error instanceof CannotRedirect) return errorPageResponse(error.code);
  logger().error({ err: error }, 'authorization request failed before its client was verified');
  return errorPageResponse('server_error');
}

interface RequestParameters {
  /** Every parameter as sent, repeats included: only client_id, redirect_uri and state are read from it. */
  raw: URLSearchParams;
  /** The parameters, or null when they are malformed (a repeated or oversized parameter): `error` says why. */
  params: OAuthParams | null;
  error?: unknown;
}

/** The query of a GET, or the form body of a POST (RFC 6749 §3.1). */
async function readParameters(request: ProtocolRequest): Promise<RequestParameters> {
  if (request.method !== 'POST') {
    const raw = new URL(request.url).searchParams;
    try {
      return { raw, params: paramsFromQuery(raw) };
    } catch (error) {
      return { raw, params: null, error };
    }
  }
  const body = readOnce(request);
  try {
    const params = await paramsFromForm(body);
    return { raw: new URLSearchParams([...params]), params };
  } catch (error) {
    return { raw: await lenientForm(body), params: null, error };
  }
}

/** The request with a body that can be read more than once (a Fetch body can be read only once). */
function readOnce(request: ProtocolRequest): ProtocolRequest {
  let bytes: Promise<ArrayBuffer> | undefined;
  return { method: request.method, url: request.url, headers: request.headers, arrayBuffer: () => (bytes ??= request.arrayBuffer()) };
}

/**
 * A form body that paramsFromForm refused (a repeated parameter, say), read only far enough to
 * find the client and redirect URI the error should go to. A body that is not a bounded form at
 * all is answered on the error page.
 */
async function lenientForm(request: ProtocolRequest): Promise<URLSearchParams> {
  const unreadable = new CannotRedirect('invalid_request', 'the authorization request body is not a readable form');
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(request.headers.get('content-type') ?? '')) throw unreadable;
  if (Number(request.headers.get('content-length') ?? '0') > PARAMS_BODY_LIMIT) throw unreadable;
  const bytes = await request.arrayBuffer();
  if (bytes.byteLength > PARAMS_BODY_LIMIT) throw unreadable;
  return new URLSearchParams(new TextDecoder().decode(bytes));
}
