import { NextResponse, type NextRequest } from 'next/server';
import { webauthnCeremonyCookie } from '@/lib/auth/cookies';
import { authenticationOptions } from '@/lib/auth/webauthn';
import { jsonRoute } from '@/lib/http/json-route';
import { retryAfterText, tooManyRequests } from '@/lib/http/responses';
import { consume, limitKey } from '@/lib/rate-limit/limiter';
import { readJsonRequest } from '@/lib/http/json-request';
import { setCookie } from '@/lib/auth/sign-in-response';

/**
 * WebAuthn options for signing in with a passkey alone (discoverable credentials, any user).
 * Anyone may ask, and each answer stores a ceremony row: limited per IP address
 * (OPTARE_RATE_LIMIT_PASSKEY_OPTIONS).
 */
export const POST = jsonRoute(async (request: NextRequest) => {
  const parsed = await readJsonRequest(request);
  if (!parsed.ok) return parsed.response;
  const { context } = parsed;
  const gate = await consume('passkeyOptionsIp', limitKey('ip', context.ip ?? 'unknown'), context);
  if (!gate.allowed) {
    return tooManyRequests(gate.retryAfterSeconds, `Too many passkey sign-in attempts from your network. Try again in ${retryAfterText(gate.retryAfterSeconds)}.`);
  }
  const { options, ceremonyToken } = await authenticationOptions('authentication', null);
  const response = NextResponse.json({ options }, { headers: { 'cache-control': 'no-store' } });
  setCookie(response, webauthnCeremonyCookie(), ceremonyToken);
  return response;
});
