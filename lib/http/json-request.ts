import 'server-only';
import { getConfig } from '../config';
import type { AuditContext } from '../audit/events';
import { auditContextFrom } from './audit-context';
import { readJsonObject } from './body';
import type { ProtocolRequest } from './protocol-message';
import { crossSiteRefusal, jsonError } from './responses';

export type JsonRequest = { ok: true; body: Record<string, unknown>; context: AuditContext } | { ok: false; response: Response };

/**
 * The common first steps of Optare's browser-facing JSON endpoints: refuse cross-site writes,
 * read a bounded JSON object, and take who is calling from the server-stamped headers.
 */
export async function readJsonRequest(request: ProtocolRequest): Promise<JsonRequest> {
  const refused = crossSiteRefusal(request, getConfig().issuer);
  if (refused) return { ok: false, response: refused };
  const body = await readJsonObject(request);
  if (!body.ok) return { ok: false, response: jsonError(body.status, body.error, body.message) };
  return { ok: true, body: body.value, context: auditContextFrom(request.headers) };
}
