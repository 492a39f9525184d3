import { NextResponse, type NextRequest } from 'next/server';
import { webauthnCeremonyCookie } from '@/lib/auth/cookies';
import { passkeyRegistrationOptions } from '@/lib/auth/mfa-enrollment';
import { jsonRoute } from '@/lib/http/json-route';
import { accountError, readAccountRequest } from '@/app/_server/account-request';
import { setCookie } from '@/lib/auth/sign-in-response';

/** WebAuthn creation options for a new passkey: `{}` → `{ options }`; the ceremony's token goes in its cookie. */
export const POST = jsonRoute(async (request: NextRequest) => {
  const parsed = await readAccountRequest(request);
  if (!parsed.ok) return parsed.response;
  const started = await passkeyRegistrationOptions(parsed.session);
  if (!started.ok) return accountError(started.error);
  const response = NextResponse.json({ options: started.options }, { headers: { 'cache-control': 'no-store' } });
  setCookie(response, webauthnCeremonyCookie(), started.ceremonyToken);
  return response;
});
