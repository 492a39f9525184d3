import 'server-only';
import { z } from 'zod';
import type { AdminActor } from '../actor';
import { authenticateApiKey, keyHasScope, type ApiKeyScope } from '../api-keys';
import type { ApiKeyRow } from '../../db/api-keys';
import { auditRefusal } from '../../audit/refusals';
import { readJsonObject } from '../../http/body';
import { auditContextFrom } from '../../http/audit-context';
import { jsonRoute } from '../../http/json-route';
import { jsonError, retryAfterText, tooManyRequests } from '../../http/responses';
import { consume } from '../../rate-limit/limiter';
import { fieldErrorsOf } from '../../validation/account';

/**
 * One operation of the admin REST API (/api/admin/v1): its path, the API-key scope it needs, the
 * zod schemas of its path parameters, query and body, and its handler. The route handler
 * (`adminApiHandler`) and the OpenAPI document (openapi.ts) are both made from this one
 * definition, so the document cannot drift from what the routes accept.
 */
export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface AdminApiOperation<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
> {
  method: HttpMethod;
  /** OpenAPI path below /api/admin/v1, with `{name}` parameters: '/clients/{clientId}'. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  scope: ApiKeyScope;
  params?: P;
  query?: Q;
  body?: B;
  /** The success answer: its status, description and schema (none for 204). */
  success: { status: 200 | 201 | 204; description: string; schema?: z.ZodType };
  /**
   * The error codes this operation answers with besides the common ones (e.g. 404 not_found), or
   * a common one's description where the operation says more (403 for a check beyond the scope).
   */
  errors?: Partial<Record<400 | 403 | 404 | 409 | 422, string>>;
  handle(input: {
    params: z.output<P>;
    query: z.output<Q>;
    body: z.output<B>;
    actor: AdminActor & { kind: 'api_key' };
    key: ApiKeyRow;
    request: Request;
  }): Promise<Response>;
}

export const API_BASE_PATH = '/api/admin/v1';
export const API_BODY_LIMIT = 64 * 1024;

/** Keeps the definition's types (a helper for inference only). */
export function defineOperation<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(
  operation: AdminApiOperation<P, Q, B>,
): AdminApiOperation<P, Q, B> {
  return operation;
}

type RouteContext = { params: Promise<Record<string, string | string[]>> };

/**
 * The route handler for one or more operations of a route file, by method. The order of checks:
 * API key (401), rate limit per key (429), scope (403), path and query (400), body (400/413/415),
 * then the handler. Nothing is written before every check has passed.
 */
export function adminApiHandler(operation: AdminApiOperation) {
  return jsonRoute(async (request: Request, context?: RouteContext) => {
    const audit = auditContextFrom(request.headers);
    const authorization = request.headers.get('authorization');
    const authenticated = await authenticateApiKey(authorization, audit.ip);
    if (!authenticated.ok) {
      auditRefusal({ type: 'api_key.refused', reason: authenticated.error, subject: visiblePrefix(authorization), context: audit });
      return unauthorized(authenticated.error);
    }
    const key = authenticated.key;

    const verdict = await consume('adminApi', key.id, audit);
    if (!verdict.allowed) {
      return tooManyRequests(
        verdict.retryAfterSeconds,
        `This API key made too many requests. Try again in ${retryAfterText(verdict.retryAfterSeconds)}.`,
      );
    }
    if (!keyHasScope(key.scopes, operation.scope)) {
      auditRefusal({ type: 'api_key.refused', reason: 'insufficient_scope', subject: key.prefix, details: { scope: operation.scope }, context: audit });
      return Response.json(
        { error: 'insufficient_scope', message: `This API key lacks the ${operation.scope} scope.`, scope: operation.scope },
        {
          status: 403,
          headers: {
            'cache-control': 'no-store',
            'www-authenticate': `Bearer realm="optare-admin", error="insufficient_scope", scope="${operation.scope}"`,
          },
        },
      );
    }

    const params = parse(operation.params, context ? await context.params : {});
    if (!params.ok) return params.response;
    const query = parse(operation.query, queryObject(new URL(request.url).searchParams));
    if (!query.ok) return query.response;
    let body: unknown = undefined;
    if (operation.body) {
      const read = await readJsonObject(request, API_BODY_LIMIT);
      if (!read.ok) return jsonError(read.status, read.error, read.message);
      const parsed = parse(operation.body, read.value);
      if (!parsed.ok) return parsed.response;
      body = parsed.value;
    }
    return operation.handle({
      params: params.value,
      query: query.value,
      body,
      actor: { kind: 'api_key', apiKeyId: key.id, context: audit },
      key,
      request,
    });
  });
}

/**
 * The visible part of a presented key (`opk_` and its 8 hex characters), to tell refused keys
 * apart in the audit log; never the secret part. Null when the header holds no such key.
 */
function visiblePrefix(authorization: string | null): string | null {
  const match = /^\s*Bearer +(opk_[0-9a-f]{8})_/i.exec(authorization ?? '');
  return match ? match[1]!.toLowerCase() : null;
}

/** Repeated query parameters are refused rather than guessed at: each name once. */
function queryObject(search: URLSearchParams): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of search) {
    const existing = query[name];
    query[name] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return query;
}

function parse(schema: z.ZodType | undefined, value: unknown): { ok: true; value: unknown } | { ok: false; response: Response } {
  if (!schema) return { ok: true, value: {} };
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, response: jsonError(400, 'invalid_request', 'Some fields need attention.', fieldErrorsOf(result.error)) };
}

const UNAUTHORIZED_MESSAGES = {
  missing: 'Send an admin API key: Authorization: Bearer opk_…',
  malformed: 'The Authorization header must be: Bearer <API key>.',
  unknown: 'This API key is not valid.',
  expired: 'This API key has expired.',
  revoked: 'This API key was revoked.',
  rotated: 'This API key was rotated and its overlap period is over: use its successor.',
  creator_inactive: 'The administrator who created this API key is disabled or no longer an administrator.',
} as const;

/** 401 per RFC 6750 §3: no error code when no key was sent, `invalid_token` otherwise. */
function unauthorized(reason: keyof typeof UNAUTHORIZED_MESSAGES): Response {
  const challenge = reason === 'missing' ? 'Bearer realm="optare-admin"' : 'Bearer realm="optare-admin", error="invalid_token"';
  return Response.json(
    { error: reason === 'missing' ? 'unauthorized' : 'invalid_token', message: UNAUTHORIZED_MESSAGES[reason] },
    { status: 401, headers: { 'cache-control': 'no-store', 'www-authenticate': challenge } },
  );
}

/** A JSON answer of an admin API operation (no-store: admin data is never cached). */
export function apiJson(body: unknown, status = 200): Response {
  return Response.json(body, { status, headers: { 'cache-control': 'no-store' } });
}

/** 204 with nothing. */
export function apiNoContent(): Response {
  return new Response(null, { status: 204, headers: { 'cache-control': 'no-store' } });
}

/** Cursor pagination's common query: `limit` (1–100, default 25) and an opaque `cursor`. */
export const paginationQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(200).optional(),
};

/** A page of items and the cursor of the next one (null on the last page). */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}
