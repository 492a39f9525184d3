import 'server-only';
import { authenticate } from '../accounts';
import { firstFactorResponse } from '../sign-in-response';
import { readJsonRequest } from '../../http/json-request';
import { protocolJsonRoute } from '../../http/json-route';
import { ProtocolResponse, type ProtocolRequest } from '../../http/protocol-message';
import { jsonError, retryAfterText, tooManyRequests } from '../../http/responses';
import { accountReturnPath } from '../../http/return-path';

export const SIGN_IN_PATH = '/api/auth/sign-in';

/**
 * POST /api/auth/sign-in: signs in with email and password. One message for every credential
 * failure. With `request` (a pending authorization request's handle) the answer's redirectTo
 * resumes that request; without it, `next` may name an account-area path to return to (anything
 * else is ignored). Served before Next.js (lib/oauth/routes.ts), like the protocol endpoints.
 */
export const signInEndpoint = protocolJsonRoute(async (request: ProtocolRequest) => {
  const parsed = await readJsonRequest(request);
  if (!parsed.ok) return ProtocolResponse.fromResponse(parsed.response);
  const { body, context } = parsed;

  const result = await authenticate({ email: body.email, password: body.password }, context);
  if (!result.ok) {
    if ('fieldErrors' in result) {
      return ProtocolResponse.fromResponse(jsonError(400, 'invalid_request', 'Some fields need attention.', result.fieldErrors));
    }
    if (result.error === 'rate_limited') {
      return ProtocolResponse.fromResponse(
        tooManyRequests(result.retryAfterSeconds, `Too many failed sign-ins. Try again in ${retryAfterText(result.retryAfterSeconds)}.`),
      );
    }
    if (result.error === 'account_disabled') {
      return ProtocolResponse.fromResponse(jsonError(403, 'account_disabled', 'This account is disabled. Contact your administrator.'));
    }
    return ProtocolResponse.fromResponse(jsonError(401, 'invalid_credentials', 'Incorrect email or password.'));
  }
  return firstFactorResponse(request, result.user.id, ['pwd'], context, body.request, { next: accountReturnPath(body.next) });
});
