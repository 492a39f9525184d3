import 'server-only';
import { auditInvalidInput } from '../audit/invalid-input';
import { isDatabaseUnavailable } from '../db/unavailable';
import { logger } from '../log/logger';
import { ProtocolResponse, type ProtocolRequest } from './protocol-message';
import { jsonError, serviceUnavailable } from './responses';

/** How long a client should wait before retrying while the database is unreachable (as the protocol endpoints say). */
export const DATABASE_RETRY_AFTER_SECONDS = 5;
export const DATABASE_UNAVAILABLE_MESSAGE = 'Optare cannot reach its database right now. Try again in a moment.';
export const SERVER_ERROR_MESSAGE = 'Something went wrong on our side. Try again in a moment.';

/**
 * Wraps a route handler of Optare's own JSON API (app/api/**) so that nothing it throws reaches
 * Next.js, whose answer would be a bare 500: a database that cannot be reached becomes 503
 * `service_unavailable` with Retry-After (the request wrote nothing; sending it again later may
 * work), anything else 500 `server_error`, both in the API's one error shape and never cached.
 * The cause goes to the log with the request id and path, never to the client; the request's
 * body, cookies and headers are never logged. Invalid input to the account and admin APIs is
 * audited (lib/audit/invalid-input.ts).
 *
 * The handlers must not rely on Next.js's thrown control flow (`redirect()`, `notFound()`):
 * this would turn it into a 500. They answer with responses instead.
 */
export function jsonRoute<Args extends [Request, ...unknown[]]>(
  handler: (...args: Args) => Promise<Response>,
): (...args: Args) => Promise<Response> {
  return async (...args) => {
    try {
      const response = await handler(...args);
      auditInvalidInput(args[0], response);
      return response;
    } catch (error) {
      return failureResponse(error, args[0]);
    }
  };
}

/**
 * jsonRoute for a JSON endpoint Optare's server answers before Next.js (the sign-in and the
 * consent decision, lib/oauth/routes.ts): the same failure answers, as a ProtocolResponse.
 */
export function protocolJsonRoute(handler: (request: ProtocolRequest) => Promise<ProtocolResponse>): (request: ProtocolRequest) => Promise<ProtocolResponse> {
  return async (request) => {
    try {
      const response = await handler(request);
      if (response.status >= 400) auditInvalidInput(request, response.toResponse());
      return response;
    } catch (error) {
      return ProtocolResponse.fromResponse(failureResponse(error, request));
    }
  };
}

/** What a JSON endpoint answers when its handler throws: 503 when the database is unreachable, else 500. */
function failureResponse(error: unknown, request: Pick<ProtocolRequest, 'headers' | 'url'>): Response {
  const where = { requestId: request.headers.get('x-request-id'), path: new URL(request.url).pathname };
  if (isDatabaseUnavailable(error)) {
    logger().warn({ err: error, ...where }, 'the database is unreachable: answered 503');
    return serviceUnavailable(DATABASE_RETRY_AFTER_SECONDS, DATABASE_UNAVAILABLE_MESSAGE);
  }
  logger().error({ err: error, ...where }, 'route handler failed');
  return jsonError(500, 'server_error', SERVER_ERROR_MESSAGE);
}
