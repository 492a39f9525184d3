import { NextResponse, type NextRequest } from 'next/server';
import { webauthnCeremonyCookie } from '@/lib/auth/cookies';
import { authenticationOptions } from '@/lib/auth/webauthn';
import { jsonRoute } from '@/lib/http/json-route';
import { readJsonRequest } from '@/app/_server/json-request';
import { setCookie } from '@/app/_server/sign-in-response';

/** WebAuthn options for signing in with a passkey alone (discoverable credentials, any user). */
export const POST = jsonRoute(async (request: NextRequest) => {
  const parsed = await readJsonRequest(request);
  if (!parsed.ok) return parsed.response;
  const { options, ceremonyToken } = await authenticationOptions('authentication', null);
  const response = NextResponse.json({ options }, { headers: { 'cache-control': 'no-store' } });
  setCookie(response, webauthnCeremonyCookie(), ceremonyToken);
  return response;
});
