import 'server-only';
import { auditContextFrom } from '../http/audit-context';
import type { ProtocolRequest } from '../http/protocol-message';
import { auditRefusal, trackRefusalAudit } from './refusals';

/**
 * Audits input refused as invalid by the security-relevant JSON APIs (ASVS 16.3.3): the account
 * API (/api/account/…, a signed-in user changing their own sign-in methods, email, password) and
 * the admin API and console endpoints (/api/admin/…). A stream of malformed or out-of-range
 * requests there is probing, not a user's typo the form would have caught. Recorded as
 * `security.invalid_input` through auditRefusal: at most once a minute per reason (the error
 * code), path and client IP address.
 *
 * Not audited: the OAuth and OpenID endpoints' protocol errors (invalid_request, invalid_grant
 * and the like are ordinary client behaviour, answered per the RFCs and counted by the rate
 * limits), and the sign-in, sign-up and reset forms, whose failures have their own events
 * (auth.*, security.rate_limited).
 */

const AUDITED_PATHS = ['/api/account/', '/api/admin/'];
/** Bad request, payload too large, unsupported media type, unprocessable content. */
const INVALID_INPUT_STATUSES = new Set([400, 413, 415, 422]);

/** Audits the answer when it refuses invalid input on an audited path; never delays or alters it. */
export function auditInvalidInput(request: Pick<ProtocolRequest, 'url' | 'headers' | 'method'>, response: Response): void {
  if (!INVALID_INPUT_STATUSES.has(response.status)) return;
  const path = new URL(request.url).pathname;
  if (!AUDITED_PATHS.some((prefix) => path.startsWith(prefix))) return;
  const context = auditContextFrom(request.headers);
  trackRefusalAudit(
    errorCodeOf(response.clone()).then((reason) =>
      auditRefusal({
        type: 'security.invalid_input',
        reason,
        subject: path.slice(0, 200),
        details: { status: response.status, method: request.method },
        context,
      }),
    ),
  );
}

/** The `error` code of the API's one error shape, or the status when the body has none. */
async function errorCodeOf(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { error?: unknown };
    if (typeof body.error === 'string' && /^[a-z_]{1,64}$/.test(body.error)) return body.error;
  } catch {
    // not JSON: fall through
  }
  return `status_${response.status}`;
}
