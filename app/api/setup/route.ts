import type { NextRequest } from 'next/server';
import { completeSetup } from '@/lib/admin/setup';
import { getConfig } from '@/lib/config';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonError, jsonOk } from '@/lib/http/responses';
import { readJsonRequest } from '@/lib/http/json-request';

/**
 * Creates the first administrator with the one-time setup link's token, then sends them to the
 * console's sign-in (where they set up a second factor before they get in).
 */
export const POST = jsonRoute(async (request: NextRequest) => {
  const parsed = await readJsonRequest(request);
  if (!parsed.ok) return parsed.response;
  const result = await completeSetup(parsed.body, parsed.context);
  // The form follows only paths of this site: a console on its own host is reached through /setup/console.
  if (result.ok) return jsonOk({ redirectTo: getConfig().adminOrigin ? '/setup/console' : '/admin/sign-in?setup=1' }, 201);
  if ('fieldErrors' in result) return jsonError(400, 'invalid_request', 'Some fields need attention.', result.fieldErrors);
  switch (result.error) {
    case 'email_taken':
      return jsonError(409, 'email_taken', 'An account with this email already exists. Use another address.', {
        email: ['An account with this email already exists.'],
      });
    case 'admin_exists':
      return jsonError(409, 'admin_exists', 'An administrator already exists. Sign in to the admin console instead.');
    default:
      return jsonError(403, 'invalid_token', 'This setup link is not valid: it was used, it expired, or it was mistyped. Restart Optare for a new one.');
  }
});
