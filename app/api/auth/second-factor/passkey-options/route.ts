import { NextResponse, type NextRequest } from 'next/server';
import { webauthnCeremonyCookie } from '@/lib/auth/cookies';
import { findPendingLoginByToken, pendingLoginCookie } from '@/lib/auth/pending-login';
import { authenticationOptions } from '@/lib/auth/webauthn';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonError } from '@/lib/http/responses';
import { readJsonRequest } from '@/lib/http/json-request';
import { setCookie } from '@/lib/auth/sign-in-response';

/** WebAuthn options for the second step: the pending login's user's passkeys, a fresh challenge. */
export const POST = jsonRoute(async (request: NextRequest) => {
  const parsed = await readJsonRequest(request);
  if (!parsed.ok) return parsed.response;
  const login = await findPendingLoginByToken(request.cookies.get(pendingLoginCookie().name)?.value);
  if (!login) return jsonError(401, 'sign_in_expired', 'This sign-in has expired. Sign in again.');
  const { options, ceremonyToken } = await authenticationOptions('second_factor', login.userId);
  const response = NextResponse.json({ options }, { headers: { 'cache-control': 'no-store' } });
  setCookie(response, webauthnCeremonyCookie(), ceremonyToken);
  return response;
});
