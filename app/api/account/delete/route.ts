import { NextResponse, type NextRequest } from 'next/server';
import { pendingLoginCookie } from '@/lib/auth/pending-login';
import { sessionCookie } from '@/lib/auth/sessions';
import { trustedDeviceCookie } from '@/lib/auth/trusted-devices';
import { jsonRoute } from '@/lib/http/json-route';
import { deleteOwnAccount } from '@/lib/privacy/deletion';
import { accountError, accountFieldErrors, readFreshAccountRequest, reauthenticationPath } from '@/app/_server/account-request';

/** Where the browser goes once the account is gone. */
const DELETED_PATH = '/account/deleted';
/** Where the user comes back after confirming it is them: the account page's danger zone. */
const RETURN_TO = '/account';

/**
 * Deletes the signed-in user's account: `{ confirmEmail }` → `{ deleted: true, redirectTo }`.
 * Needs a fresh authentication, with the second factor when the user has one (403
 * reauthentication_required otherwise, with the step-up path back to the account page), and the
 * account's address typed. The browser is signed out: its cookies are deleted and Clear-Site-Data asks it to drop
 * everything it kept for this origin.
 */
export const POST = jsonRoute(async (request: NextRequest) => {
  const parsed = await readFreshAccountRequest(request, RETURN_TO);
  if (!parsed.ok) return parsed.response;
  const result = await deleteOwnAccount(parsed.session, parsed.body, parsed.context);
  if (!result.ok) {
    if (result.error === 'invalid_request') return accountFieldErrors(result.fieldErrors);
    if (result.error === 'user_not_found' || result.error === 'cannot_delete_self' || result.error === 'reauthentication_required') {
      return accountError('reauthentication_required', reauthenticationPath(RETURN_TO));
    }
    return accountError(result.error);
  }
  const response = NextResponse.json({ deleted: true, redirectTo: DELETED_PATH }, { headers: { 'cache-control': 'no-store' } });
  for (const cookie of [sessionCookie(), pendingLoginCookie(), trustedDeviceCookie()]) {
    response.cookies.set(cookie.name, '', { ...cookie.options, maxAge: 0 });
  }
  response.headers.set('Clear-Site-Data', '"cache", "cookies", "storage"');
  return response;
});
