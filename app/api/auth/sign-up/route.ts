import type { NextRequest } from 'next/server';
import { createUser } from '@/lib/auth/accounts';
import { getConfig } from '@/lib/config';
import { auditContextFrom } from '@/lib/http/audit-context';
import { readJsonObject } from '@/lib/http/body';
import { crossSiteRefusal, jsonError } from '@/lib/http/responses';
import { signedInResponse } from '@/app/_server/sign-in-response';

/** Creates an account from the sign-up form and signs the new user in. */
export async function POST(request: NextRequest) {
  const refused = crossSiteRefusal(request, getConfig().issuer);
  if (refused) return refused;
  const body = await readJsonObject(request);
  if (!body.ok) return jsonError(body.status, body.error, body.message);

  const context = auditContextFrom(request.headers);
  const { email, password, name } = body.value;
  const result = await createUser({ email, password, name: name ?? '' }, context, 'sign_up');
  if (!result.ok) {
    if ('fieldErrors' in result) {
      return jsonError(400, 'invalid_request', 'Some fields need attention.', result.fieldErrors);
    }
    return jsonError(409, 'email_taken', 'An account with this email already exists. Sign in instead.', {
      email: ['An account with this email already exists.'],
    });
  }
  return signedInResponse(request, result.user.id, ['pwd'], context, 201);
}
