import 'server-only';
import { listEnabledCorsOrigins } from '../db/clients';
import { ProtocolResponse, type ProtocolRequest } from '../http/protocol-message';

/**
 * CORS for the endpoints browsers call directly (token, revocation, introspection, userinfo):
 * only origins registered on the client in question get an Access-Control-Allow-Origin, never
 * with credentials (these endpoints authenticate with parameters and Authorization headers, not
 * cookies). Discovery and JWKS are public: `PUBLIC_CORS_HEADERS` and `preflightResponse(…, 'any')`.
 */

export const CORS_ALLOWED_METHODS = 'GET, POST, OPTIONS';
export const CORS_ALLOWED_HEADERS = 'Authorization, Content-Type';
export const CORS_MAX_AGE_SECONDS = 600;
/** Registered origins are re-read at most this often per process. */
export const CORS_ORIGINS_CACHE_MS = 10_000;

/** For public documents (discovery, JWKS): any origin may read them. */
export const PUBLIC_CORS_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'Access-Control-Allow-Origin': '*' });

/**
 * Headers for an actual (non-preflight) response. `Vary: Origin` always, since the answer depends
 * on it; Access-Control-Allow-Origin echoes `origin` only when it is one of `allowedOrigins`.
 * WWW-Authenticate is exposed so that a browser app can read Bearer and Basic challenges.
 */
export function corsHeaders(origin: string | null, allowedOrigins: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = { Vary: 'Origin' };
  if (origin !== null && origin !== 'null' && allowedOrigins.includes(origin)) {
    headers['Access-Control-Allow-Origin'] = origin;
    headers['Access-Control-Expose-Headers'] = 'WWW-Authenticate';
  }
  return headers;
}

/**
 * The answer to an OPTIONS preflight: 204 with the allowed methods and headers when the Origin is
 * allowed (`'any'` for public documents) and the requested method is one of ours; otherwise 403
 * with no CORS headers, which the browser reports as a CORS failure.
 */
export function preflightResponse(request: ProtocolRequest, allowedOrigins: readonly string[] | 'any'): ProtocolResponse {
  const origin = request.headers.get('origin');
  const method = request.headers.get('access-control-request-method');
  const vary = 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers';
  const originAllowed =
    origin !== null && origin !== 'null' && (allowedOrigins === 'any' || allowedOrigins.includes(origin));
  const methodAllowed = method !== null && ['GET', 'POST', 'OPTIONS'].includes(method);
  if (!originAllowed || !methodAllowed) return new ProtocolResponse(403, { Vary: vary });
  return new ProtocolResponse(204, {
    'Access-Control-Allow-Origin': allowedOrigins === 'any' ? '*' : origin,
    'Access-Control-Allow-Methods': CORS_ALLOWED_METHODS,
    'Access-Control-Allow-Headers': CORS_ALLOWED_HEADERS,
    'Access-Control-Max-Age': String(CORS_MAX_AGE_SECONDS),
    Vary: vary,
  });
}

/**
 * Whether any enabled client registered this origin. A preflight carries no credentials, so the
 * endpoints cannot know the client yet: they allow the preflight for any registered origin and
 * decide on the actual request with the authenticated client's own origins. One query, cached
 * for CORS_ORIGINS_CACHE_MS (and cleared when this process changes a client).
 */
export async function isRegisteredCorsOrigin(origin: string | null): Promise<boolean> {
  if (origin === null || origin === 'null') return false;
  return (await registeredOrigins()).has(origin);
}

/** preflightResponse for the token, revocation, introspection and userinfo endpoints. */
export async function preflightForRegisteredOrigins(request: ProtocolRequest): Promise<ProtocolResponse> {
  const origin = request.headers.get('origin');
  return preflightResponse(request, origin !== null && (await isRegisteredCorsOrigin(origin)) ? [origin] : []);
}

interface OriginsCache {
  generation: number;
  origins?: Set<string>;
  expiresAt: number;
  loading?: Promise<Set<string>>;
}

const GLOBAL_KEY = Symbol.for('optare.corsOrigins');
function cache(): OriginsCache {
  const global = globalThis as { [GLOBAL_KEY]?: OriginsCache };
  global[GLOBAL_KEY] ??= { generation: 0, expiresAt: 0 };
  return global[GLOBAL_KEY];
}

async function registeredOrigins(): Promise<Set<string>> {
  const state = cache();
  if (state.origins && state.expiresAt > Date.now()) return state.origins;
  if (!state.loading) {
    const generation = state.generation;
    // One query however many preflights arrive together.
    const loading = listEnabledCorsOrigins()
      .then((origins) => {
        const set = new Set(origins);
        if (state.generation === generation) {
          state.origins = set;
          state.expiresAt = Date.now() + CORS_ORIGINS_CACHE_MS;
        }
        return set;
      })
      .finally(() => {
        if (state.loading === loading) state.loading = undefined;
      });
    state.loading = loading;
  }
  return state.loading;
}

/** Called when this process changes a client. */
export function forgetRegisteredCorsOrigins(): void {
  const state = cache();
  state.generation += 1;
  state.origins = undefined;
  state.expiresAt = 0;
  state.loading = undefined;
}
