import type { NextRequest } from 'next/server';
import { startAuthenticatorApp } from '@/lib/auth/mfa-enrollment';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonOk } from '@/lib/http/responses';
import { accountError, readAccountRequest } from '@/app/_server/account-request';

/**
 * Starts setting up an authenticator app: `{}` → `{ secret, qrCode }`, the secret for manual
 * entry and its QR code as a data: URL of the server-generated SVG (for an <img>, which the CSP's
 * img-src data: allows). Never cached. Restarting replaces a setup in progress.
 */
export const POST = jsonRoute(async (request: NextRequest) => {
  const parsed = await readAccountRequest(request);
  if (!parsed.ok) return parsed.response;
  const started = await startAuthenticatorApp(parsed.session);
  if (!started.ok) return accountError(started.error);
  return jsonOk({ secret: started.secret, qrCode: `data:image/svg+xml;base64,${Buffer.from(started.qrSvg, 'utf8').toString('base64')}` });
});
