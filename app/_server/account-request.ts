import 'server-only';
import { NextResponse, type NextRequest } from 'next/server';
import type { AuditContext } from '@/lib/audit/events';
import { auditRefusal } from '@/lib/audit/refusals';
import { authenticationFreshness } from '@/lib/auth/reauthentication';
import { sessionCookie, validateSessionToken, type ActiveSession } from '@/lib/auth/sessions';
import type { FieldErrors } from '@/lib/validation/account';
import { jsonError, retryAfterText, tooManyRequests } from '@/lib/http/responses';
import { consume, limitKey } from '@/lib/rate-limit/limiter';
import { forgetEndedSession } from './ended-session';
import { readJsonRequest } from '@/lib/http/json-request';

/** Where a user whose session ended signs in again, and comes back to the security page. */
export const SIGN_IN_PATH = '/sign-in?next=/account/security';

/**
 * Where the user confirms it is them before a sensitive change, and comes back to the security
 * page: the step-up route (app/sign-in/step-up) sends a stale session to a full sign-in, and a
 * recent one without the user's second factor to that factor.
 */
export const REAUTHENTICATION_PATH = reauthenticationPath('/account/security');

export function reauthenticationPath(returnTo: string): string {
  return `/sign-in/step-up?next=${returnTo}`;
}

/**
 * The first steps of every /api/account endpoint: the checks of readJsonRequest (cross-site
 * refusal, a bounded JSON object), then the caller's own session, re-checked here whatever the
 * page did. Without a live session: 401, which forgets the cookie of an ended one
 * (ended-session.ts). Every call is a change, counted per user (OPTARE_RATE_LIMIT_ACCOUNT_WRITES):
 * past the limit, 429 before anything is read or changed.
 */
export type AccountRequest =
  | { ok: true; body: Record<string, unknown>; context: AuditContext; session: ActiveSession }
  | { ok: false; response: Response };

export async function readAccountRequest(request: NextRequest): Promise<AccountRequest> {
  const parsed = await readJsonRequest(request);
  if (!parsed.ok) return parsed;
  const session = await validateSessionToken(request.cookies.get(sessionCookie().name)?.value, parsed.context);
  if (!session) {
    auditRefusal({ type: 'account.access_denied', reason: 'not_signed_in', subject: new URL(request.url).pathname, context: parsed.context });
    const body = { error: 'not_signed_in', message: 'Your session has ended. Sign in again to manage your account.', redirectTo: SIGN_IN_PATH };
    const response = NextResponse.json(body, { status: 401, headers: { 'cache-control': 'no-store' } });
    return { ok: false, response: request.cookies.has(sessionCookie().name) ? forgetEndedSession(response) : response };
  }
  const gate = await consume('accountWrites', limitKey('user', session.userId), parsed.context);
  if (!gate.allowed) {
    const message = `You made many changes in a short time. Try again in ${retryAfterText(gate.retryAfterSeconds)}.`;
    return { ok: false, response: tooManyRequests(gate.retryAfterSeconds, message) };
  }
  return { ok: true, body: parsed.body, context: parsed.context, session };
}

/**
 * readAccountRequest for the changes that need a fresh authentication (lib/auth/reauthentication):
 * an email or password change, ending sessions. Otherwise 403 reauthentication_required, with
 * the way to confirm it and come back to `returnTo` (an account-area path), before anything is
 * read or changed.
 */
export async function readFreshAccountRequest(request: NextRequest, returnTo: string): Promise<AccountRequest> {
  const parsed = await readAccountRequest(request);
  if (!parsed.ok || (await authenticationFreshness(parsed.session)) === 'fresh') return parsed;
  return { ok: false, response: accountError('reauthentication_required', reauthenticationPath(returnTo)) };
}

/**
 * The errors of the account endpoints, one answer each: the lib/auth/mfa-enrollment result codes
 * (and the WebAuthn refusals) mapped to a status and a message a person can act on.
 */
const ACCOUNT_ERRORS = {
  reauthentication_required: [403, 'For your security, sign in again to make this change.'],
  already_enrolled: [409, 'An authenticator app is already set up. Remove it before setting up another.'],
  no_enrollment: [409, 'This setup is no longer in progress. Start setting up the authenticator app again.'],
  invalid_code: [400, 'That code is not valid. Enter the 6-digit code your app shows now.'],
  last_factor_required: [
    409,
    'Your account must keep two-step verification. Add another authenticator app or passkey before removing this one.',
  ],
  totp_not_found: [404, 'No authenticator app is set up.'],
  passkey_not_found: [404, 'That passkey no longer exists. Reload the page.'],
  device_not_found: [404, 'That browser is no longer remembered. Reload the page.'],
  invalid_nickname: [400, 'Use 1 to 64 characters, without control or invisible characters.'],
  passkey_refused: [400, 'The passkey could not be added. Try again.'],
  passkey_expired: [400, 'Adding the passkey took too long. Try again.'],
  already_registered: [409, 'This passkey is already on your account.'],
  no_second_factor: [409, 'Set up an authenticator app or a passkey first: recovery codes back those up.'],
  wrong_password: [400, 'Your current password is not correct.'],
  session_not_found: [404, 'That session has already ended. Reload the page.'],
  current_session: [409, 'This is the session you are using now. Use “Sign out” to end it.'],
  app_not_found: [404, 'That app is no longer connected. Reload the page.'],
  invalid_scopes: [400, 'Choose the permissions to keep from the list.'],
  scope_not_granted: [400, 'You can only remove permissions you gave this app, not add new ones.'],
  consent_changed: [409, 'The permissions of this app changed meanwhile. Reload the page and try again.'],
  email_mismatch: [400, 'That is not the email address of this account. Type it exactly as shown.'],
  last_admin: [409, 'You are the last administrator. Make someone else an administrator before deleting your account.'],
} as const satisfies Record<string, readonly [number, string]>;

export type AccountErrorCode = keyof typeof ACCOUNT_ERRORS;

/** Field errors go next to their field in the forms. */
const FIELDS: Partial<Record<AccountErrorCode, string>> = {
  invalid_code: 'code',
  invalid_nickname: 'nickname',
  wrong_password: 'currentPassword',
  email_mismatch: 'confirmEmail',
};

/** The public error code of each answer (the `_not_found` variants are all `not_found`). */
function publicCode(code: AccountErrorCode): string {
  return code.endsWith('_not_found') ? 'not_found' : code;
}

/** The answer for an error code: `{ error, message, fieldErrors? }`, and `redirectTo` for re-authentication. */
export function accountError(code: AccountErrorCode, reauthenticateAt = REAUTHENTICATION_PATH): NextResponse {
  const [status, message] = ACCOUNT_ERRORS[code];
  const field = FIELDS[code];
  const fieldErrors: FieldErrors | undefined = field ? { [field]: [message] } : undefined;
  const body = {
    error: publicCode(code),
    message,
    ...(fieldErrors ? { fieldErrors } : {}),
    ...(code === 'reauthentication_required' ? { redirectTo: reauthenticateAt } : {}),
  };
  return NextResponse.json(body, { status, headers: { 'cache-control': 'no-store' } });
}

/** 400 with the form's field errors, in the JSON API's one error shape. */
export function accountFieldErrors(fieldErrors: FieldErrors): Response {
  return jsonError(400, 'invalid_request', 'Some fields need attention.', fieldErrors);
}
