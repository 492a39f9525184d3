import { InvalidRequest } from './errors';
import type { ProtocolRequest } from '../http/protocol-message';

export const PARAMS_BODY_LIMIT = 16 * 1024;
/** No single OAuth parameter needs more; longer values are refused rather than processed. */
export const PARAM_VALUE_LIMIT = 4096;

/** OAuth request parameters: each name at most once (RFC 6749 §3.1, §3.2), but see MULTI_VALUED. */
export type OAuthParams = ReadonlyMap<string, string>;

/** Parameters a request may repeat: `resource` (RFC 8707 §2). get() returns the first value. */
const MULTI_VALUED = new Set(['resource']);

/** The parsed parameters, keeping every value of the MULTI_VALUED ones. */
class ParamMap extends Map<string, string> {
  readonly repeated = new Map<string, string[]>();

  add(name: string, value: string): void {
    this.repeated.set(name, [...(this.repeated.get(name) ?? []), value]);
    if (!this.has(name)) this.set(name, value);
  }
}

/** Every non-empty value of a parameter, in order (one or none for a parameter that cannot repeat). */
export function paramValues(params: OAuthParams, name: string): string[] {
  if (params instanceof ParamMap && params.repeated.has(name)) return [...params.repeated.get(name)!];
  const value = params.get(name);
  return value === undefined ? [] : [value];
}

/** Parameters of a GET query string. */
export function paramsFromQuery(search: URLSearchParams): OAuthParams {
  return collect(search);
}

/**
 * Parameters of a POST body, which must be application/x-www-form-urlencoded (RFC 6749 §3.2),
 * at most 16 kB, in strict UTF-8.
 */
export async function paramsFromForm(request: ProtocolRequest): Promise<OAuthParams> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type)) {
    throw new InvalidRequest('The request body must be application/x-www-form-urlencoded.');
  }
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > PARAMS_BODY_LIMIT) throw new InvalidRequest(`The request body exceeds ${PARAMS_BODY_LIMIT} bytes.`);
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (bytes.byteLength > PARAMS_BODY_LIMIT) throw new InvalidRequest(`The request body exceeds ${PARAMS_BODY_LIMIT} bytes.`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InvalidRequest('The request body is not valid UTF-8.');
  }
  try {
    // Percent-escapes decoding to invalid UTF-8 become U+FFFD in URLSearchParams; refuse them.
    if (/%[89a-f][0-9a-f]/i.test(text)) decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw new InvalidRequest('The request body is not valid UTF-8.');
  }
  return collect(new URLSearchParams(text));
}

/**
 * Whether one parameter value can be processed at all: at most PARAM_VALUE_LIMIT characters and
 * no NUL. No OAuth parameter may contain a NUL (RFC 6749 Appendix A allows none), and PostgreSQL
 * text and jsonb cannot store one: left in, it would fail the request with a server error.
 */
export function isUsableParamValue(value: string): boolean {
  return value.length <= PARAM_VALUE_LIMIT && !value.includes('\0');
}

function collect(search: URLSearchParams): OAuthParams {
  const params = new ParamMap();
  for (const [name, value] of search) {
    if (params.has(name) && !MULTI_VALUED.has(name)) throw new InvalidRequest(`The ${truncate(name)} parameter is repeated.`);
    if (value.length > PARAM_VALUE_LIMIT) throw new InvalidRequest(`The ${truncate(name)} parameter is too long.`);
    if (!isUsableParamValue(value)) throw new InvalidRequest(`The ${truncate(name)} parameter contains a NUL character.`);
    if (MULTI_VALUED.has(name)) {
      if (value !== '') params.add(name, value);
      continue;
    }
    params.set(name, value);
  }
  // Parameters sent without a value are treated as omitted (RFC 6749 §3.1).
  for (const [name, value] of params) if (value === '') params.delete(name);
  return params;
}

/** A parameter name fit for an error_description: ASCII only (RFC 6749 §5.2), at most 40 characters. */
function truncate(name: string): string {
  const safe = name.replace(/[^\w.-]/g, '?');
  return safe.length > 40 ? `${safe.slice(0, 40)}...` : safe;
}
