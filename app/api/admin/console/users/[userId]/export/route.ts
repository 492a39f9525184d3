import { consoleAdminOf } from '@/app/admin/_server/console';
import { parseUserId } from '@/lib/admin/users';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonError } from '@/lib/http/responses';
import { isCrossSiteRead } from '@/lib/http/same-origin-read';
import { consoleOrigin } from '@/lib/admin/console-client';
import { adminExportUserData, exportFileName } from '@/lib/privacy/export';
import { adminExportSchema } from '@/lib/privacy/schemas';
import { fieldErrorsOf } from '@/lib/validation/account';
import type { UserRouteContext } from '../../respond';

/**
 * Downloads a user's data from the console: `GET ?reason=…` (the user page's export form). Only a
 * form on the console's own pages starts one; the reason is recorded in `user.exported`.
 */
export const GET = jsonRoute(async (request: Request, { params }: UserRouteContext) => {
  if (isCrossSiteRead(request, consoleOrigin())) return jsonError(403, 'cross_site_request', 'This request came from another site and was refused.');
  const access = await consoleAdminOf(request);
  if (!access.ok) return access.response;
  const userId = parseUserId((await params).userId);
  if (!userId) return jsonError(404, 'not_found', 'This user no longer exists. Reload the page.');
  const parsed = adminExportSchema.safeParse({ reason: new URL(request.url).searchParams.get('reason') ?? undefined });
  if (!parsed.success) return jsonError(400, 'invalid_request', 'Some fields need attention.', fieldErrorsOf(parsed.error));
  const now = new Date();
  const data = await adminExportUserData(access.admin.actor, userId, parsed.data.reason, now);
  if (!data) return jsonError(404, 'not_found', 'This user no longer exists. Reload the page.');
  return new Response(JSON.stringify(data, null, 2), {
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="${exportFileName(now)}"`,
      'cache-control': 'no-store',
    },
  });
});
