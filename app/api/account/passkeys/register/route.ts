import { NextResponse, type NextRequest } from 'next/server';
import { webauthnCeremonyCookie } from '@/lib/auth/cookies';
import { addPasskey, type AddPasskeyResult } from '@/lib/auth/mfa-enrollment';
import { jsonRoute } from '@/lib/http/json-route';
import { accountError, readAccountRequest, type AccountErrorCode } from '@/app/_server/account-request';
import { clearCookie } from '@/lib/auth/sign-in-response';

/**
 * Stores a new passkey: `{ response, nickname? }` after /api/account/passkeys/options →
 * `{ passkey, recoveryCodes }` (the first set when this is the user's first factor, else null).
 * A bad nickname leaves the ceremony open (the user corrects it and sends the same answer
 * again); any other outcome consumed it, and its cookie is cleared.
 */
export const POST = jsonRoute(async (request: NextRequest) => {
  const parsed = await readAccountRequest(request);
  if (!parsed.ok) return parsed.response;
  const ceremonyToken = request.cookies.get(webauthnCeremonyCookie().name)?.value;
  const added = await addPasskey(parsed.session, ceremonyToken, parsed.body.response, parsed.body.nickname, parsed.context);
  if (!added.ok) {
    const code = errorCode(added);
    const response = accountError(code);
    if (code !== 'invalid_nickname') clearCookie(response, webauthnCeremonyCookie());
    return response;
  }
  const { passkey, recoveryCodes } = added;
  const response = NextResponse.json(
    { passkey: { id: passkey.id, nickname: passkey.nickname, deviceType: passkey.deviceType }, recoveryCodes },
    { headers: { 'cache-control': 'no-store' } },
  );
  clearCookie(response, webauthnCeremonyCookie());
  return response;
});

function errorCode(result: Extract<AddPasskeyResult, { ok: false }>): AccountErrorCode {
  if (result.error === 'reauthentication_required') return result.error;
  switch (result.reason) {
    case 'invalid_nickname':
      return 'invalid_nickname';
    case 'already_registered':
      return 'already_registered';
    case 'ceremony_expired':
      return 'passkey_expired';
    default:
      return 'passkey_refused';
  }
}
