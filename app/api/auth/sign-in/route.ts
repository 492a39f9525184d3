import type { NextRequest } from 'next/server';
import { authenticate } from '@/lib/auth/accounts';
import { getConfig } from '@/lib/config';
import { auditContextFrom } from '@/lib/http/audit-context';
import { readJsonObject } from '@/lib/http/body';
import { crossSiteRefusal, jsonError } from '@/lib/http/responses';
import { signedInResponse } from '@/app/_server/sign-in-response';

/** Signs in with email and password. One message for every credential failure. */
export async function POST(request: NextRequest) {
  const refused = crossSiteRefusal(request, getConfig().issuer);
  if (refused) return refused;
  const body = await readJsonObject(request);
  if (!body.ok) return jsonError(body.status, body.error, body.message);

  const context = auditContextFrom(request.headers);
  const result = await authenticate({ email: body.value.email, password: body.value.password }, context);
  if (!result.ok) {
    if ('fieldErrors' in result) {
      return jsonError(400, 'invalid_request', 'Some fields need attention.', result.fieldErrors);
    }
    if (result.error === 'account_disabled') {
      return jsonError(403, 'account_disabled', 'This account is disabled. Contact your administrator.');
    }
    return jsonError(401, 'invalid_credentials', 'Incorrect email or password.');
  }
  return signedInResponse(request, result.user.id, ['pwd'], context);
}
