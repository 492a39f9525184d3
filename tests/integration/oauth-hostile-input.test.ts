import { createHmac, generateKeyPairSync, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sessionCookie } from '../../lib/auth/sessions';
import { JWT_BEARER_ASSERTION_TYPE } from '../../lib/oauth/clients/assertion';
import type { OAuthClientRecord } from '../../lib/oauth/clients/types';
import { answerConsent, consentPrompt } from '../../lib/oauth/authorize/consent';
import { ERROR_PAGE_MESSAGES, errorPageMessage } from '../../lib/oauth/authorize/error-page';
import { authorizationEndpoint, continueAuthorization } from '../../lib/oauth/endpoints/authorize';
import { introspectionEndpoint } from '../../lib/oauth/endpoints/introspection';
import { confirmLogout, logoutEndpoint, logoutPrompt } from '../../lib/oauth/endpoints/logout';
import { revocationEndpoint } from '../../lib/oauth/endpoints/revocation';
import { tokenEndpoint } from '../../lib/oauth/endpoints/token';
import { userinfoEndpoint } from '../../lib/oauth/endpoints/userinfo';
import { PROTOCOL_ROUTES } from '../../lib/oauth/routes';
import { testContext } from '../support/context';
import type { ProtocolResponse } from '../../lib/http/protocol-message';
import type { TestDatabase } from '../support/database';
import * as authz from './authorize-support';
import {
  encodeWith,
  ERROR_CODES,
  ERROR_PAGE_CODES,
  expectErrorDescription,
  expectOAuthError,
  expectSafeResponse,
  INJECTION_PAYLOADS,
  OPEN_REDIRECT_PAYLOADS,
  quote,
  singleDecodedValue,
  TEN_KB,
  UNKNOWN_PARAMETERS,
  variantsFor,
  type AnyResponse,
  type ParamSpec,
  type Variant,
  type VariantKind,
} from './hostile-input.payloads';
import * as oauth from './token-endpoint.helpers';

/**
 * Threat: an attacker (or a broken client) sends every parameter of every OAuth/OIDC endpoint
 * missing, repeated, oversized, of the wrong type, or carrying open-redirect and injection
 * payloads. Every answer must be a 4xx (or the redirect the spec asks for) with an error code of
 * the spec, never a 5xx or server_error; a redirect only ever goes to the registered URI or to
 * Optare; nothing is reflected raw, no header is injected, no cookie is set; and a refused
 * request writes nothing.
 */

const { ISSUER, REDIRECT_URI } = authz;
const { APP_ORIGIN } = oauth;
const SIGNED_OUT = 'https://app.example.test/signed-out';
const TOKEN_URL = `${ISSUER}/oauth/token`;

let database: TestDatabase;
beforeAll(async () => {
  database = await authz.openAuthorizeTestDatabase();
  for (const statement of WRITE_COUNTER_SQL) await database.sql(statement);
});
afterAll(() => database.close());

// ---------------------------------------------------------------------------------------------
// Shared checks

/**
 * Every row written, by table and operation ("grants.insert": 3), counted by triggers installed
 * in this file's own database: a refused request must leave every counter as it was, which also
 * catches an UPDATE (a code consumed, a grant revoked) that row counts would miss.
 */
const WRITE_COUNTER_SQL = [
  `CREATE TABLE test_writes (key text PRIMARY KEY, n bigint NOT NULL)`,
  `CREATE FUNCTION test_count_write() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     INSERT INTO test_writes AS w VALUES (TG_TABLE_NAME || '.' || lower(TG_OP), 1)
       ON CONFLICT (key) DO UPDATE SET n = w.n + 1;
     RETURN NULL;
   END $$`,
  ...[
    'users',
    'sessions',
    'audit_events',
    'audit_chain_head',
    'oauth_clients',
    'signing_keys',
    'authorization_requests',
    'consents',
    'grants',
    'authorization_codes',
    'refresh_tokens',
    'revoked_access_tokens',
  ].map((table) => `CREATE TRIGGER test_count_write AFTER INSERT OR UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION test_count_write()`),
];

/** Writes a request may make whatever it is: a session's periodic touch (lib/auth/sessions.ts). */
const ALWAYS_ALLOWED = ['sessions.update'];

type Counts = Record<string, number>;

async function counts(): Promise<Counts> {
  const rows = await database.sql<{ key: string; n: string }>('SELECT key, n FROM test_writes');
  return Object.fromEntries(rows.map((row) => [row.key, Number(row.n)]));
}

/** The rows a request wrote: exactly `expected` (none anywhere else); `free` keys are not checked. */
function expectWritten(before: Counts, after: Counts, expected: Counts = {}, free: readonly string[] = []): void {
  const delta: Counts = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const written = (after[key] ?? 0) - (before[key] ?? 0);
    if (written !== 0 && !free.includes(key) && !ALWAYS_ALLOWED.includes(key)) delta[key] = written;
  }
  expect(delta, 'rows written by the request').toEqual(expected);
}

// The counts after one case are the counts before the next, unless something else may have
// written in between: a test's set-up, a successful request, a case that failed half-way.
let known: Counts | null = null;
beforeEach(() => forgetCounts());

async function countsBefore(): Promise<Counts> {
  return known ?? counts();
}

async function countsAfter(): Promise<Counts> {
  known = await counts();
  return known;
}

function forgetCounts(): void {
  known = null;
}

/** No payload may reach Object.prototype (the prototype-pollution payloads). */
function expectNoPrototypePollution(): void {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.prototype).not.toHaveProperty('polluted');
}

/** Per-parameter expectations, on top of the checks every case gets. */
interface HostileParam extends ParamSpec {
  /** The error every malformed, redirect and injection value is refused with; none: they are accepted. */
  refusedWith?: string;
  /** The error when the parameter is missing or empty; none: the request is valid without it. */
  missingRefusedWith?: string;
  /** Hostile values that are nevertheless valid for this parameter. */
  accepts?: readonly string[];
  /** Errors for particular values, overriding refusedWith. */
  refusedValues?: Readonly<Record<string, string>>;
  /** A valid value, for the repeated cases of a parameter the valid request leaves out. */
  example?: () => string;
}

/**
 * The error code a case must be refused with, or undefined when it must succeed. Repeated and
 * oversized parameters are always invalid_request (RFC 6749 §3.1); a form body with invalid
 * UTF-8 is invalid_request as a whole.
 */
function expectedRefusal(spec: HostileParam, variant: Variant, form: boolean): string | undefined {
  if (variant.kind === 'repeated' || variant.kind === 'oversized') return 'invalid_request';
  if (form && variant.invalidUtf8) return 'invalid_request';
  if (variant.nul) return 'invalid_request';
  if (variant.kind === 'missing' || variant.kind === 'empty') return spec.missingRefusedWith;
  const value = singleDecodedValue(variant);
  if (value !== undefined && spec.accepts?.includes(value)) return undefined;
  if (value !== undefined && spec.refusedValues && Object.hasOwn(spec.refusedValues, value)) return spec.refusedValues[value];
  return spec.refusedWith;
}

const GROUPS: readonly { label: string; kinds: readonly VariantKind[] }[] = [
  { label: 'missing, empty, repeated and 10 kB', kinds: ['missing', 'empty', 'repeated', 'oversized'] },
  { label: 'malformed values', kinds: ['malformed'] },
  { label: 'open-redirect payloads', kinds: ['redirect'] },
  { label: 'injection payloads', kinds: ['injection'] },
];

/**
 * it.each rows: [label, spec, variants] for every parameter, one row per group of variants (one
 * test per case would spend more time in the runner than in Optare).
 */
function cases(specs: readonly HostileParam[]): [string, HostileParam, Variant[]][] {
  return specs.flatMap((spec) => {
    const variants = variantsFor(spec);
    return GROUPS.map(({ label, kinds }): [string, HostileParam, Variant[]] => [
      `${spec.name}: ${label}`,
      spec,
      variants.filter((variant) => kinds.includes(variant.kind)),
    ]);
  });
}

/** Runs every case of a row in order, then fails with the list of the cases that failed, if any. */
async function eachVariant(variants: readonly Variant[], check: (variant: Variant) => Promise<void>): Promise<void> {
  const failures: string[] = [];
  for (const variant of variants) {
    try {
      await check(variant);
    } catch (error) {
      forgetCounts();
      failures.push(`${variant.label}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  expect(failures, 'failing cases').toEqual([]);
}

/** The values of `name` as the endpoint decodes them from `encoded`. */
function decodedValues(encoded: string, name: string): string[] {
  return new URLSearchParams(encoded).getAll(name);
}

/** What `state` must be echoed as: the single value sent, when it is usable (RFC 6749 §4.1.2). */
function echoedState(encoded: string): string | null {
  const states = decodedValues(encoded, 'state');
  const [state] = states;
  return states.length === 1 && state && state.length <= 4096 && !state.includes('\0') ? state : null;
}

const b64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const b64 = (value: string | Uint8Array) => Buffer.from(value).toString('base64');

/** An unsigned ("alg": "none") JWT with plausible claims: must never be accepted anywhere. */
const ALG_NONE_JWT = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ iss: ISSUER, sub: 'attacker', aud: 'x', exp: 4_102_444_800, iat: 0 })}.`;

// The attacker's own key pair: signs assertions for the private_key_jwt client (registered with
// its public half) and forged tokens with an embedded key (which Optare must ignore).
const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });

// ---------------------------------------------------------------------------------------------
// The authorization endpoint

const AUTHORIZE_PARAMS: readonly HostileParam[] = [
  { name: 'client_id', malformed: ['oc_', 'oc_' + 'x'.repeat(61), '1', '-1', 'null', '[]', 'OC_UNKNOWN'] },
  { name: 'redirect_uri', malformed: ['/callback', 'app.example.test/callback', 'https://app.example.test/callback/', 'https://app.example.test/CALLBACK', 'https://app.example.test:443/callback'] },
  {
    name: 'response_type',
    refusedWith: 'unsupported_response_type',
    missingRefusedWith: 'invalid_request',
    malformed: ['token', 'id_token', 'code id_token', 'CODE', 'code ', 'none'],
  },
  { name: 'scope', refusedWith: 'invalid_scope', missingRefusedWith: 'invalid_scope', malformed: ['openid,profile', 'OPENID', 'openid admin', 'openid+profile', 'openid\tprofile'] },
  { name: 'state' },
  { name: 'nonce', refusedValues: { ['n'.repeat(513)]: 'invalid_request' }, malformed: ['n'.repeat(513), '-1', 'true', '[]'] },
  {
    name: 'code_challenge',
    refusedWith: 'invalid_request',
    missingRefusedWith: 'invalid_request',
    malformed: ['a'.repeat(42), 'a'.repeat(44), `${'a'.repeat(42)}=`, `${'a'.repeat(42)}+`, 'not valid base64!'],
  },
  { name: 'code_challenge_method', refusedWith: 'invalid_request', missingRefusedWith: 'invalid_request', malformed: ['plain', 's256', 'S256 ', 'SHA256', 'S512'] },
  { name: 'prompt', refusedWith: 'invalid_request', malformed: ['none login', 'bogus', 'login,consent', 'LOGIN', 'none none\tconsent'], example: () => 'login' },
  {
    name: 'max_age',
    refusedWith: 'invalid_request',
    malformed: ['abc', '-1', '1.5', '1e3', '99999999999', ' 1', '0x10', 'Infinity', 'NaN', '１２'],
    example: () => '3600',
  },
  { name: 'login_hint', example: () => 'ada@example.com' },
  { name: 'id_token_hint', refusedWith: 'invalid_request', malformed: ['e30.e30.', 'a.b.c', 'not-a-jwt', ALG_NONE_JWT, 'a.b.c.d.e'], example: () => ALG_NONE_JWT },
  { name: 'ui_locales', example: () => 'en' },
  { name: 'claims_locales', example: () => 'en' },
  { name: 'display', example: () => 'page' },
  { name: 'acr_values', example: () => 'urn:mace:incommon:iap:silver' },
  {
    name: 'claims',
    refusedWith: 'invalid_request',
    accepts: [INJECTION_PAYLOADS.find((payload) => payload.label === 'prototype pollution JSON')!.value!],
    malformed: [
      '{',
      '[]',
      'null',
      '"x"',
      '{"userinfo":[]}',
      '{"userinfo":{"name":"x"}}',
      '{"userinfo":{"name":{"essential":"yes"}}}',
      '{"userinfo":{"\\u0000":null}}',
      '{"id_token":{"name":{"value":"a\\u0000b"}}}',
      '{"id_token":{"name":{"value":"\\ud800"}}}',
      '{"userinfo":{"\\udfff":null}}',
      `${'['.repeat(2000)}${']'.repeat(2000)}`,
    ],
    example: () => '{"userinfo":{"name":null}}',
  },
  { name: 'request', refusedWith: 'request_not_supported', malformed: [ALG_NONE_JWT, 'e30.e30.', '{}'], example: () => ALG_NONE_JWT },
  { name: 'request_uri', refusedWith: 'request_uri_not_supported', malformed: ['urn:ietf:params:oauth:request_uri:x', 'https://app.example.test/request.jwt'], example: () => 'urn:x' },
  { name: 'response_mode', refusedWith: 'invalid_request', malformed: ['fragment', 'form_post', 'query.jwt', 'QUERY', 'query '], example: () => 'query' },
  { name: 'registration', refusedWith: 'registration_not_supported', malformed: ['{}', '[]'], example: () => '{}' },
];

type AuthorizeMode = 'GET without a session' | 'POST without a session' | 'GET with a session';

describe.each<AuthorizeMode>(['GET without a session', 'POST without a session', 'GET with a session'])('authorization endpoint, %s', (mode) => {
  let client: OAuthClientRecord;
  let user: authz.SignedInUser | null = null;
  const withSession = mode === 'GET with a session';
  const post = mode.startsWith('POST');

  beforeAll(async () => {
    // With a session, a first-party client gets its code at once: every accepted case issues one.
    client = await authz.newClient(withSession ? { firstParty: true } : {});
    if (withSession) user = await authz.signedInUser();
  });

  function base(): Record<string, string> {
    return Object.fromEntries(authz.authorizeParams(client));
  }

  function send(encoded: string, cookie = user?.cookie): Promise<ProtocolResponse> {
    return post ? authz.authorizePost(encoded, cookie) : authz.authorizeGet(encoded, cookie);
  }

  /** The outcome of a valid request in this mode. */
  const success = withSession ? 'code' : post ? '/oauth/authorize/continue' : '/sign-in';

  /**
   * Checks an answer of the authorization endpoint and returns its outcome: 'code', an error code
   * answered at the redirect URI, 'page:<code>' for Optare's error page, or an Optare path.
   */
  async function checkAnswer(response: ProtocolResponse, encoded: string, before: Counts): Promise<string> {
    expect(await expectSafeResponse(response)).toBe('');
    expect(response.status).toBe(303);
    expect(response.headers.get('cache-control')).toContain('no-store');
    const location = response.headers.get('location')!;
    expect(location).toBeTruthy();
    expect(location, 'a Location is always percent-encoded').not.toMatch(/[\s<>"'\\`{}|^]/);
    const url = new URL(location);
    let outcome: string;
    if (location.startsWith(`${REDIRECT_URI}?`)) {
      expect([...url.searchParams.keys()].every((key) => ['code', 'error', 'error_description', 'state', 'iss'].includes(key))).toBe(true);
      expect(url.searchParams.get('iss')).toBe(ISSUER);
      expect(url.searchParams.get('state')).toBe(echoedState(encoded));
      const error = url.searchParams.get('error');
      if (error === null) {
        expect(url.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
        outcome = 'code';
      } else {
        expect(url.searchParams.get('code')).toBeNull();
        expect(ERROR_CODES.authorization, `error=${error}: ${url.searchParams.get('error_description')}`).toContain(error);
        expectErrorDescription(url.searchParams.get('error_description'));
        outcome = error;
      }
    } else {
      expect(location.startsWith(`${ISSUER}/`), `redirect to ${location}`).toBe(true);
      if (url.pathname === '/oauth/error') {
        const code = url.searchParams.get('error')!;
        expect(ERROR_PAGE_CODES).toContain(code);
        outcome = `page:${code}`;
      } else {
        expect(['/sign-in', '/consent', '/oauth/authorize/continue']).toContain(url.pathname);
        expect(url.searchParams.get('request')).toMatch(/^[A-Za-z0-9_-]{43}$/);
        outcome = url.pathname;
      }
    }
    const after = await countsAfter();
    if (outcome === 'code') expectWritten(before, after, { 'grants.insert': 1, 'authorization_codes.insert': 1 }, ['audit_events.insert', 'audit_chain_head.update']);
    else if (outcome.startsWith('/')) expectWritten(before, after, { 'authorization_requests.insert': 1 });
    else expectWritten(before, after);
    expectNoPrototypePollution();
    return outcome;
  }

  it('answers the valid request as expected (the baseline of every case below)', async () => {
    const before = await countsBefore();
    const encoded = new URLSearchParams(base()).toString();
    expect(await checkAnswer(await send(encoded), encoded, before)).toBe(success);
  });

  it.each(cases(AUTHORIZE_PARAMS))('%s', (_label, spec, variants) => eachVariant(variants, async (variant) => {
    const encoded = encodeWith(base(), spec.name, variant, spec.example?.());
    const before = await countsBefore();
    const outcome = await checkAnswer(await send(encoded), encoded, before);
    if (spec.name === 'client_id') {
      expect(outcome).toBe('page:invalid_client');
    } else if (spec.name === 'redirect_uri') {
      expect(outcome).toBe('page:invalid_redirect_uri');
    } else {
      expect(outcome).toBe(expectedRefusal(spec, variant, post) ?? success);
    }
  }));

  it.each(UNKNOWN_PARAMETERS.map((param) => [quote(param.name), param] as const))('unknown parameter %s is ignored', async (_label, param) => {
    const encoded = new URLSearchParams([...Object.entries(base()), [param.name, param.value]]).toString();
    const before = await countsBefore();
    expect(await checkAnswer(await send(encoded), encoded, before)).toBe(success);
  });

  const cookies = ['<script>alert(1)</script>', TEN_KB, "' OR 1=1 --", '%00', 'A'.repeat(43), 'a; optare_session=b'];
  it.each(cookies.map((value) => [quote(value), value]))('a hostile session cookie %s is no session', async (_label, value) => {
    const encoded = new URLSearchParams(base()).toString();
    const before = await countsBefore();
    const outcome = await checkAnswer(await send(encoded, `${sessionCookie().name}=${value}`), encoded, before);
    expect(outcome).toBe(post ? '/oauth/authorize/continue' : '/sign-in');
  });
});

describe('authorization endpoint, POST bodies that are not a bounded form', () => {
  let client: OAuthClientRecord;
  beforeAll(async () => {
    client = await authz.newClient();
  });
  const valid = () => new URLSearchParams(authz.authorizeParams(client)).toString();

  it.each<[string, () => RequestInit, string]>([
    ['JSON', () => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(Object.fromEntries(authz.authorizeParams(client))) }), 'page:invalid_request'],
    ['multipart', () => ({ body: formData(authz.authorizeParams(client)) }), 'page:invalid_request'],
    ['text/plain', () => ({ headers: { 'content-type': 'text/plain' }, body: valid() }), 'page:invalid_request'],
    ['no content type', () => ({ body: new TextEncoder().encode(valid()) }), 'page:invalid_request'],
    ['a look-alike content type', () => ({ headers: { 'content-type': 'application/x-www-form-urlencodedx' }, body: valid() }), 'page:invalid_request'],
    ['100 kB', () => ({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `${valid()}&pad=${'A'.repeat(100 * 1024)}` }), 'page:invalid_request'],
    ['invalid UTF-8', () => ({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: concat(valid(), [0x26, 0x78, 0x3d, 0xff, 0xfe]) }), 'invalid_request'],
    ['a repeated parameter', () => ({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `${valid()}&scope=openid` }), 'invalid_request'],
  ])('%s', async (_label, init, expected) => {
    const before = await countsBefore();
    const response = await authorizationEndpoint(new Request(`${ISSUER}/oauth/authorize`, { method: 'POST', ...init() }));
    expect(await expectSafeResponse(response)).toBe('');
    const url = new URL(response.headers.get('location')!);
    const outcome = url.pathname === '/oauth/error' ? `page:${url.searchParams.get('error')}` : url.searchParams.get('error');
    expect(outcome).toBe(expected);
    if (outcome === 'invalid_request') expect(`${url.origin}${url.pathname}`).toBe(REDIRECT_URI);
    else expect(url.origin).toBe(ISSUER);
    expectWritten(before, await countsAfter());
  });
});

describe('hosted steps: hostile request handles and sealed logout confirmations', () => {
  const values = [
    ...OPEN_REDIRECT_PAYLOADS,
    ...INJECTION_PAYLOADS.flatMap((payload) => (payload.value === undefined ? [] : [payload.value])),
    TEN_KB,
    'A'.repeat(43),
    '',
    '__proto__',
    'constructor',
    'toString',
  ];
  let browser: authz.SignedInUser;
  beforeAll(async () => {
    browser = await authz.signedInUser();
  });

  /** Runs `check` for every value, then fails with the list of the values that failed, if any. */
  async function eachValue(check: (value: string) => Promise<void>): Promise<void> {
    const failures: string[] = [];
    for (const value of values) {
      try {
        const before = await countsBefore();
        await check(value);
        expectWritten(before, await countsAfter());
      } catch (error) {
        forgetCounts();
        failures.push(`${quote(value)}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    expect(failures, 'failing values').toEqual([]);
  }

  it('the continue route sends every hostile handle to the error page', () =>
    eachValue(async (handle) => {
      const response = await continueAuthorization(
        new Request(`${ISSUER}/oauth/authorize/continue?${new URLSearchParams({ request: handle }).toString()}`, { headers: { cookie: browser.cookie } }),
      );
      expect(await expectSafeResponse(response)).toBe('');
      authz.expectErrorPage(response, 'request_expired');
    }));

  it('the consent page and its answer treat every hostile handle as expired', () =>
    eachValue(async (handle) => {
      expect(await consentPrompt(handle, null, new Date())).toEqual({ show: false, redirectTo: '/oauth/error?error=request_expired' });
      const answered = await answerConsent({ handle, approve: true, session: null, context: testContext(), now: new Date() });
      expect(answered).toBe(`${ISSUER}/oauth/error?error=request_expired`);
    }));

  it('the logout confirmation refuses every hostile sealed value and ends no session', () =>
    eachValue(async (sealed) => {
      expect(await logoutPrompt(sealed, { id: browser.sessionId }, new Date())).toEqual({ show: false, redirectTo: '/oauth/error?error=invalid_logout_request' });
      const request = new Request(`${ISSUER}/oauth/logout/end`, { method: 'POST', headers: { cookie: browser.cookie } });
      expect(await confirmLogout(sealed, request)).toEqual({ redirectTo: `${ISSUER}/oauth/error?error=invalid_logout_request`, clearCookie: false });
    }));

  it('the error page shows a fixed text for every hostile code', () =>
    eachValue(async (code) => {
      expect(errorPageMessage(code)).toBe(ERROR_PAGE_MESSAGES.invalid_request);
    }));
});

// ---------------------------------------------------------------------------------------------
// The token endpoint

/** A Request for a client-authenticated endpoint with a raw body. */
function postRequest(path: string, init: { body?: BodyInit; headers?: Record<string, string> }): Request {
  return new Request(`${ISSUER}${path}`, { method: 'POST', ...init });
}

function formPost(path: string, encoded: string, headers: Record<string, string> = {}): Request {
  return postRequest(path, { body: encoded, headers: { 'content-type': 'application/x-www-form-urlencoded', origin: APP_ORIGIN, ...headers } });
}

function formData(params: URLSearchParams | Record<string, string>): FormData {
  const data = new FormData();
  for (const [name, value] of params instanceof URLSearchParams ? params : Object.entries(params)) data.append(name, value);
  return data;
}

function concat(text: string, bytes: number[]): Uint8Array<ArrayBuffer> {
  return new Uint8Array([...new TextEncoder().encode(text), ...bytes]);
}

type JsonBody = Record<string, unknown>;

/**
 * Checks an answer of a client-authenticated JSON endpoint: 200 with a JSON body (returned), or
 * a refusal with an error code of `codes` (the expected one, when given) that wrote nothing.
 */
async function checkJsonAnswer(
  response: AnyResponse,
  before: Counts,
  codes: readonly string[],
  expected: string | undefined,
  options: { emptySuccess?: boolean } = {},
): Promise<JsonBody | null> {
  const text = await expectSafeResponse(response, { allowedOrigins: [APP_ORIGIN] });
  expect(response.headers.get('cache-control')).toBe('no-store');
  expectNoPrototypePollution();
  if (response.status === 200) {
    forgetCounts();
    expect(expected, `expected ${expected}, got 200 ${text.slice(0, 200)}`).toBeUndefined();
    if (options.emptySuccess) {
      expect(text).toBe('');
      return {};
    }
    return JSON.parse(text) as JsonBody;
  }
  const error = expectOAuthError(response.status, text, codes);
  if (expected !== undefined) expect(error, text).toBe(expected);
  if (error === 'invalid_client' && response.headers.get('www-authenticate') !== null) {
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="optare", charset="UTF-8"');
  }
  expectWritten(before, await countsAfter());
  return null;
}

/** The scope of every code and refresh token the token endpoint tests start from. */
const GRANTED = 'openid profile email offline_access';

function expectTokenResponse(body: JsonBody, scope?: string): void {
  expect(body.token_type).toBe('Bearer');
  expect(body.access_token).toEqual(expect.any(String));
  if (scope !== undefined) expect(body.scope).toBe(scope);
}

const GRANT_TYPE_MALFORMED = ['AUTHORIZATION_CODE', 'refresh_token ', 'password', 'implicit', 'urn:ietf:params:oauth:grant-type:jwt-bearer', 'urn:ietf:params:oauth:grant-type:device_code'];

describe('token endpoint', () => {
  let user: Awaited<ReturnType<typeof oauth.newUser>>;
  let app: oauth.TestClient;
  let service: oauth.TestClient;
  let postApp: oauth.TestClient;
  let jwtApp: oauth.TestClient;
  let code: oauth.IssuedCode;
  let refreshToken: string;

  beforeAll(async () => {
    user = await oauth.newUser();
    app = await oauth.newClient();
    service = await oauth.newClient({ grantTypes: ['client_credentials'], scopes: ['profile', 'email'], redirectUris: [] });
    postApp = await oauth.newClient({ tokenEndpointAuthMethod: 'client_secret_post', grantTypes: ['client_credentials'], scopes: ['profile'], redirectUris: [] });
    jwtApp = await oauth.newClient({
      tokenEndpointAuthMethod: 'private_key_jwt',
      jwks: { keys: [{ ...attacker.publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig' }] },
      grantTypes: ['client_credentials'],
      scopes: ['profile'],
      redirectUris: [],
    });
    code = await oauth.authorize(app, user);
    refreshToken = (await oauth.signIn(app, user)).refresh_token!;
  });

  async function send(encoded: string, headers: Record<string, string>): Promise<AnyResponse> {
    return tokenEndpoint(formPost('/oauth/token', encoded, headers));
  }

  /** A fresh private_key_jwt assertion of jwtApp (each jti is single-use). */
  function assertion(): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ iss: jwtApp.client.id, sub: jwtApp.client.id, aud: TOKEN_URL, jti: randomUUID(), iat: now, exp: now + 60 })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .sign(attacker.privateKey);
  }

  describe('authorization_code grant', () => {
    const specs: HostileParam[] = [
      { name: 'grant_type', refusedWith: 'unsupported_grant_type', missingRefusedWith: 'invalid_request', malformed: GRANT_TYPE_MALFORMED },
      { name: 'code', refusedWith: 'invalid_grant', missingRefusedWith: 'invalid_request' },
      { name: 'redirect_uri', refusedWith: 'invalid_grant', missingRefusedWith: 'invalid_request', malformed: ['https://app.example.test/callback/', 'https://app.example.test/CALLBACK'] },
      { name: 'code_verifier', refusedWith: 'invalid_grant', missingRefusedWith: 'invalid_grant', malformed: ['a'.repeat(42), 'a'.repeat(129), `${'a'.repeat(43)}=`, `${'a'.repeat(42)}!`] },
      // The authorization_code grant takes no scope (RFC 6749 §4.1.3): whatever is sent is ignored.
      { name: 'scope', example: () => 'openid' },
      // With Basic, a client_id must name the same client; a second method is invalid_request.
      { name: 'client_id', refusedWith: 'invalid_client', example: () => app.client.id },
      { name: 'client_secret', refusedWith: 'invalid_request', example: () => app.secret! },
      { name: 'client_assertion', refusedWith: 'invalid_request', example: () => ALG_NONE_JWT },
      { name: 'client_assertion_type', refusedWith: 'invalid_request', example: () => JWT_BEARER_ASSERTION_TYPE },
    ];
    const base = () => ({ grant_type: 'authorization_code', code: code.code, redirect_uri: REDIRECT_URI, code_verifier: code.verifier });

    it.each(cases(specs))('%s', (_label, spec, variants) => eachVariant(variants, async (variant) => {
      const encoded = encodeWith(base(), spec.name, variant, spec.example?.());
      const before = await countsBefore();
      const body = await checkJsonAnswer(await send(encoded, oauth.basicAuth(app)), before, ERROR_CODES.token, expectedRefusal(spec, variant, true));
      if (body) {
        // Whatever else was sent, the tokens carry exactly what the user authorized.
        expectTokenResponse(body, GRANTED);
        code = await oauth.authorize(app, user);
      }
    }));

    it.each(UNKNOWN_PARAMETERS.map((param) => [quote(param.name), param] as const))('unknown parameter %s is ignored', async (_label, param) => {
      const encoded = new URLSearchParams([...Object.entries(base()), [param.name, param.value]]).toString();
      const before = await countsBefore();
      const body = await checkJsonAnswer(await send(encoded, oauth.basicAuth(app)), before, ERROR_CODES.token, undefined);
      expectTokenResponse(body!, GRANTED);
      code = await oauth.authorize(app, user);
    });
  });

  describe('authorization_code grant, public client (authentication method none)', () => {
    let publicApp: oauth.TestClient;
    let publicCode: oauth.IssuedCode;
    beforeAll(async () => {
      publicApp = await oauth.newClient({ type: 'public' });
      publicCode = await oauth.authorize(publicApp, user);
    });
    const specs: HostileParam[] = [
      // client_id is all there is to authenticate a public client (with PKCE).
      { name: 'client_id', refusedWith: 'invalid_client', missingRefusedWith: 'invalid_client' },
      { name: 'code_verifier', refusedWith: 'invalid_grant', missingRefusedWith: 'invalid_grant', malformed: ['a'.repeat(42), 'a'.repeat(129)] },
      // A secret makes it client_secret_post, which the public client did not register.
      { name: 'client_secret', refusedWith: 'invalid_client', example: () => 'secret' },
    ];
    const base = () => ({
      grant_type: 'authorization_code',
      code: publicCode.code,
      redirect_uri: REDIRECT_URI,
      code_verifier: publicCode.verifier,
      client_id: publicApp.client.id,
    });

    it.each(cases(specs))('%s', (_label, spec, variants) => eachVariant(variants, async (variant) => {
      const encoded = encodeWith(base(), spec.name, variant, spec.example?.());
      const before = await countsBefore();
      const body = await checkJsonAnswer(await send(encoded, {}), before, ERROR_CODES.token, expectedRefusal(spec, variant, true));
      if (body) {
        expectTokenResponse(body, GRANTED);
        publicCode = await oauth.authorize(publicApp, user);
      }
    }));
  });

  describe('refresh_token grant', () => {
    const specs: HostileParam[] = [
      { name: 'grant_type', refusedWith: 'unsupported_grant_type', missingRefusedWith: 'invalid_request', malformed: GRANT_TYPE_MALFORMED },
      { name: 'refresh_token', refusedWith: 'invalid_grant', missingRefusedWith: 'invalid_request' },
      { name: 'scope', refusedWith: 'invalid_scope', malformed: ['openid admin', 'OPENID', 'openid,profile', 'profile+email'], example: () => 'openid' },
      { name: 'client_id', refusedWith: 'invalid_client', example: () => app.client.id },
    ];
    const base = () => ({ grant_type: 'refresh_token', refresh_token: refreshToken });

    it.each(cases(specs))('%s', (_label, spec, variants) => eachVariant(variants, async (variant) => {
      const encoded = encodeWith(base(), spec.name, variant, spec.example?.());
      const before = await countsBefore();
      const body = await checkJsonAnswer(await send(encoded, oauth.basicAuth(app)), before, ERROR_CODES.token, expectedRefusal(spec, variant, true));
      if (body) {
        expectTokenResponse(body, GRANTED);
        refreshToken = body.refresh_token as string;
      }
    }));
  });

  describe('client_credentials grant', () => {
    const specs: HostileParam[] = [
      { name: 'grant_type', refusedWith: 'unsupported_grant_type', missingRefusedWith: 'invalid_request', malformed: GRANT_TYPE_MALFORMED },
      { name: 'scope', refusedWith: 'invalid_scope', malformed: ['openid', 'offline_access', 'profile admin', 'PROFILE', 'profile,email'], example: () => 'profile' },
    ];
    it.each(cases(specs))('%s', (_label, spec, variants) => eachVariant(variants, async (variant) => {
      const encoded = encodeWith({ grant_type: 'client_credentials' }, spec.name, variant, spec.example?.());
      const before = await countsBefore();
      const body = await checkJsonAnswer(await send(encoded, oauth.basicAuth(service)), before, ERROR_CODES.token, expectedRefusal(spec, variant, true));
      if (body) expectTokenResponse(body, 'profile email');
    }));
  });

  describe('client_secret_post authentication', () => {
    const specs: HostileParam[] = [
      { name: 'client_id', refusedWith: 'invalid_client', missingRefusedWith: 'invalid_client' },
      { name: 'client_secret', refusedWith: 'invalid_client', missingRefusedWith: 'invalid_client' },
      { name: 'client_assertion', refusedWith: 'invalid_request', example: () => ALG_NONE_JWT },
      { name: 'client_assertion_type', refusedWith: 'invalid_request', example: () => JWT_BEARER_ASSERTION_TYPE },
    ];
    it.each(cases(specs))('%s', (_label, spec, variants) => eachVariant(variants, async (variant) => {
      const base = { grant_type: 'client_credentials', client_id: postApp.client.id, client_secret: postApp.secret! };
      const encoded = encodeWith(base, spec.name, variant, spec.example?.());
      const before = await countsBefore();
      const body = await checkJsonAnswer(await send(encoded, {}), before, ERROR_CODES.token, expectedRefusal(spec, variant, true));
      if (body) expectTokenResponse(body, 'profile');
    }));
  });

  describe('private_key_jwt authentication', () => {
    const specs: HostileParam[] = [
      {
        name: 'client_assertion',
        refusedWith: 'invalid_client',
        missingRefusedWith: 'invalid_request',
        // The client is looked up by the unverified iss: one with a NUL must not reach the database.
        malformed: [ALG_NONE_JWT, 'e30.e30.', 'a.b.c', 'a.b.c.d.e', `${b64url({ alg: 'RS256', kid: 'k1' })}.${b64url({ iss: 'oc_\u0000', sub: 'oc_\u0000' })}.c2ln`],
      },
      { name: 'client_assertion_type', refusedWith: 'invalid_client', missingRefusedWith: 'invalid_request', malformed: ['urn:ietf:params:oauth:client-assertion-type:saml2-bearer', 'JWT'] },
      { name: 'client_id', refusedWith: 'invalid_client', example: () => jwtApp.client.id },
    ];
    it.each(cases(specs))('%s', (_label, spec, variants) => eachVariant(variants, async (variant) => {
      const base = { grant_type: 'client_credentials', client_assertion_type: JWT_BEARER_ASSERTION_TYPE, client_assertion: await assertion() };
      const encoded = encodeWith(base, spec.name, variant, spec.example?.());
      const before = await countsBefore();
      const body = await checkJsonAnswer(await send(encoded, {}), before, ERROR_CODES.token, expectedRefusal(spec, variant, true));
      if (body) expectTokenResponse(body, 'profile');
    }));
  });

  describe('Authorization header', () => {
    it.each(authorizationHeaderCases())('%s', async (_label, header, expected) => {
      const before = await countsBefore();
      const response = await send('grant_type=client_credentials', header === null ? {} : { authorization: header(service) });
      await checkJsonAnswer(response, before, ERROR_CODES.token, expected);
    });

    it('a CRLF in a header cannot even be sent: the platform refuses it before any endpoint runs', () => {
      expect(() => new Headers({ authorization: 'Basic eDp5\r\nSet-Cookie: x=1' })).toThrow();
      expect(() => new Headers({ authorization: 'Basic eDp5\u0000' })).toThrow();
    });
  });

  describe('request bodies', () => {
    it.each(bodyCases(() => ({ grant_type: 'client_credentials' })))('%s', async (_label, init, expected) => {
      const before = await countsBefore();
      const { body, headers } = init();
      const response = await tokenEndpoint(postRequest('/oauth/token', { body, headers: { ...headers, ...oauth.basicAuth(service) } }));
      await checkJsonAnswer(response, before, ERROR_CODES.token, expected);
    });
  });
});

/** Hostile Authorization headers for a confidential Basic client, with the error each must get. */
function authorizationHeaderCases(): [string, ((client: oauth.TestClient) => string) | null, string][] {
  const basic = (text: string | Uint8Array) => `Basic ${b64(text)}`;
  return [
    ['no header at all', null, 'invalid_client'],
    ['Basic without credentials', () => 'Basic', 'invalid_client'],
    ['Basic with spaces only', () => 'Basic    ', 'invalid_client'],
    ['not base64', () => 'Basic !!!not*base64!!!', 'invalid_client'],
    ['base64 with a padding error', () => 'Basic eDp5e===', 'invalid_client'],
    ['base64url instead of base64', (client) => `Basic ${Buffer.from(`${client.client.id}:${client.secret!}`).toString('base64url')}~`, 'invalid_client'],
    ['no colon', () => basic('nocolonhere'), 'invalid_client'],
    ['empty client id', (client) => basic(`:${client.secret!}`), 'invalid_client'],
    ['empty secret', (client) => basic(`${client.client.id}:`), 'invalid_client'],
    ['just a colon', () => basic(':'), 'invalid_client'],
    ['bad percent-encoding in the secret', (client) => basic(`${client.client.id}:%zz`), 'invalid_client'],
    ['truncated percent-encoding in the id', (client) => basic(`%E0%A4%A:${client.secret!}`), 'invalid_client'],
    ['a percent-encoded surrogate in the id', (client) => basic(`%ED%A0%80:${client.secret!}`), 'invalid_client'],
    ['invalid UTF-8', () => basic(new Uint8Array([0xff, 0xfe, 0x3a, 0x61])), 'invalid_client'],
    ['a NUL client id', (client) => basic(`%00:${client.secret!}`), 'invalid_client'],
    ['a raw NUL client id', (client) => basic(`\u0000:${client.secret!}`), 'invalid_client'],
    ['a 10 kB client id', (client) => basic(`${TEN_KB}:${client.secret!}`), 'invalid_client'],
    ['a 10 kB secret', (client) => basic(`${client.client.id}:${TEN_KB}`), 'invalid_client'],
    ['a 10 kB header', () => `Basic ${'QUFB'.repeat(2560)}`, 'invalid_client'],
    ['a 10 kB header of another scheme', () => `X${TEN_KB}`, 'invalid_client'],
    ['a wrong secret', (client) => basic(`${client.client.id}:wrong`), 'invalid_client'],
    ['an SQL client id', () => basic("' OR 1=1 --:x"), 'invalid_client'],
    ['a script client id', () => basic('<script>alert(1)</script>:x'), 'invalid_client'],
    ['a CRLF client id', () => basic('a\r\nSet-Cookie: x=1:x'), 'invalid_client'],
    ['a Latin-1 header', () => 'Basic é', 'invalid_client'],
    ['Basic twice (a repeated header)', (client) => `${basic(`${client.client.id}:${client.secret!}`)}, ${basic(`${client.client.id}:${client.secret!}`)}`, 'invalid_request'],
    ['a comma before Basic', (client) => `Bearer x, ${basic(`${client.client.id}:${client.secret!}`)}`, 'invalid_request'],
    ['Bearer instead of Basic', () => 'Bearer abc', 'invalid_client'],
    ['Digest', () => 'Digest username="x", realm="optare"', 'invalid_client'],
    ['a tab after Basic', (client) => `Basic\t${b64(`${client.client.id}:${client.secret!}`)}`, 'invalid_client'],
  ];
}

type BodyInitFactory = () => { body: BodyInit; headers: Record<string, string> };

/** Bodies that are not a bounded, well-formed form: all invalid_request. */
function bodyCases(valid: () => Record<string, string>): [string, BodyInitFactory, string][] {
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const text = () => new URLSearchParams(valid()).toString();
  return [
    ['JSON', () => ({ body: JSON.stringify(valid()), headers: { 'content-type': 'application/json' } }), 'invalid_request'],
    ['multipart', () => ({ body: formData(valid()), headers: {} }), 'invalid_request'],
    ['text/plain', () => ({ body: text(), headers: { 'content-type': 'text/plain' } }), 'invalid_request'],
    ['no content type', () => ({ body: new TextEncoder().encode(text()), headers: {} }), 'invalid_request'],
    ['a look-alike content type', () => ({ body: text(), headers: { 'content-type': 'application/x-www-form-urlencoded-evil' } }), 'invalid_request'],
    ['a 100 kB body', () => ({ body: `${text()}&pad=${'A'.repeat(100 * 1024)}`, headers: form }), 'invalid_request'],
    ['a body just over 16 kB', () => ({ body: `${text()}&pad=${'A'.repeat(16 * 1024)}`, headers: form }), 'invalid_request'],
    ['a body of 4 000 parameters', () => ({ body: `${text()}${'&a='.repeat(4000)}`, headers: form }), 'invalid_request'],
    ['invalid UTF-8 bytes', () => ({ body: concat(text(), [0x26, 0x78, 0x3d, 0xc3, 0x28]), headers: form }), 'invalid_request'],
    ['a UTF-16 body', () => ({ body: Buffer.from(text(), 'utf16le'), headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-16' } }), 'invalid_request'],
    ['a repeated parameter', () => ({ body: `${text()}&${text()}`, headers: form }), 'invalid_request'],
    ['a repeated parameter with a long, hostile name', () => ({ body: `${text()}&${'<é"\\'.repeat(30)}=1&${'<é"\\'.repeat(30)}=2`, headers: form }), 'invalid_request'],
  ];
}

// ---------------------------------------------------------------------------------------------
// Revocation, introspection, userinfo

describe('revocation endpoint', () => {
  let app: oauth.TestClient;
  let user: Awaited<ReturnType<typeof oauth.newUser>>;
  let token: string;
  beforeAll(async () => {
    app = await oauth.newClient();
    user = await oauth.newUser();
    token = (await oauth.signIn(app, user)).refresh_token!;
  });

  const specs: HostileParam[] = [
    // Unknown, invalid or foreign tokens get the same 200 (RFC 7009 §2.2): refusedWith stays unset.
    { name: 'token', missingRefusedWith: 'invalid_request', malformed: [ALG_NONE_JWT, 'e30.e30.', 'a.b.c'] },
    // An unknown hint is ignored (§2.1): the token is revoked all the same.
    { name: 'token_type_hint', malformed: ['ACCESS_TOKEN', 'id_token', 'refresh_token ', 'urn:x'], example: () => 'refresh_token' },
  ];

  it.each(cases(specs))('%s', (_label, spec, variants) => eachVariant(variants, async (variant) => {
    const encoded = encodeWith({ token }, spec.name, variant, spec.example?.());
    const before = await countsBefore();
    const body = await checkJsonAnswer(
      await revocationEndpoint(formPost('/oauth/revoke', encoded, oauth.basicAuth(app))),
      before,
      ERROR_CODES.revocation,
      expectedRefusal(spec, variant, true),
      { emptySuccess: true },
    );
    if (body && spec.name === 'token') {
      // A hostile value is no token of ours: nothing may have been revoked.
      expectWritten(before, await countsAfter());
    } else if (body) {
      token = (await oauth.signIn(app, user)).refresh_token!;
    }
  }));

  it.each(authorizationHeaderCases())('Authorization header: %s', async (_label, header, expected) => {
    const before = await countsBefore();
    const response = await revocationEndpoint(formPost('/oauth/revoke', new URLSearchParams({ token }).toString(), header === null ? {} : { authorization: header(app) }));
    await checkJsonAnswer(response, before, ERROR_CODES.revocation, expected);
  });

  it.each(bodyCases(() => ({ token })))('body: %s', async (_label, init, expected) => {
    const before = await countsBefore();
    const { body, headers } = init();
    await checkJsonAnswer(
      await revocationEndpoint(postRequest('/oauth/revoke', { body, headers: { ...headers, ...oauth.basicAuth(app) } })),
      before,
      ERROR_CODES.revocation,
      expected,
    );
  });
});

/** Access tokens an attacker can make from a real one (and an ID token): none may be accepted. */
async function forgedTokens(real: string, idToken: string): Promise<[string, string][]> {
  const [header, payload, signature] = real.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  const headerJson = JSON.parse(Buffer.from(header, 'base64url').toString()) as Record<string, unknown>;
  const hs256Header = b64url({ ...headerJson, alg: 'HS256' });
  const hs256 = `${hs256Header}.${payload}.${createHmac('sha256', 'secret').update(`${hs256Header}.${payload}`).digest('base64url')}`;
  const embedded = await new SignJWT({ ...claims, scope: 'openid profile email' })
    .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: headerJson.kid as string, jwk: attacker.publicKey.export({ format: 'jwk' }) as never })
    .sign(attacker.privateKey);
  const selfSigned = await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: 'k1' }).sign(attacker.privateKey);
  return [
    ['alg none', `${b64url({ ...headerJson, alg: 'none' })}.${payload}.`],
    ['alg none with the signature kept', `${b64url({ ...headerJson, alg: 'none' })}.${payload}.${signature}`],
    ['a forged payload with the original signature', `${header}.${b64url({ ...claims, sub: randomUUID(), scope: 'openid profile email' })}.${signature}`],
    ['the signature stripped', `${header}.${payload}.`],
    ['HS256 with a guessed secret', hs256],
    ['an embedded attacker key', embedded],
    ['signed by an unknown key', selfSigned],
    ['a kid with path traversal', `${b64url({ ...headerJson, kid: '../../../../etc/passwd' })}.${payload}.${signature}`],
    ['a jku to a foreign host', `${b64url({ ...headerJson, jku: 'https://evil.example/jwks' })}.${payload}.${signature}`],
    ['five parts (JWE)', `${header}.${payload}.${signature}.x.y`],
    ['empty parts', '..'],
    ['e30.e30.e30', 'e30.e30.e30'],
    ['a payload that is not JSON', `${header}.${b64url('not json')}.${signature}`],
    ['an ID token', idToken],
    ['the real token with a trailing byte', `${real}A`],
  ];
}

describe('introspection endpoint', () => {
  let app: oauth.TestClient;
  let accessToken: string;
  let idToken: string;
  beforeAll(async () => {
    app = await oauth.newClient();
    const tokens = await oauth.signIn(app, await oauth.newUser());
    accessToken = tokens.access_token;
    idToken = tokens.id_token!;
  });

  const specs: HostileParam[] = [
    { name: 'token', missingRefusedWith: 'invalid_request', malformed: [ALG_NONE_JWT, 'e30.e30.', 'a.b.c'] },
    { name: 'token_type_hint', malformed: ['ACCESS_TOKEN', 'id_token', 'refresh_token ', 'urn:x'], example: () => 'access_token' },
  ];

  async function introspect(encoded: string, headers = oauth.basicAuth(app)): Promise<AnyResponse> {
    return introspectionEndpoint(formPost('/oauth/introspect', encoded, headers));
  }

  it.each(cases(specs))('%s', (_label, spec, variants) => eachVariant(variants, async (variant) => {
    const encoded = encodeWith({ token: accessToken }, spec.name, variant, spec.example?.());
    const before = await countsBefore();
    const body = await checkJsonAnswer(await introspect(encoded), before, ERROR_CODES.introspection, expectedRefusal(spec, variant, true));
    if (body) {
      // A hostile token is inactive; a hostile hint does not change what the real token is.
      expect(body.active).toBe(spec.name !== 'token');
      expectWritten(before, await countsAfter());
    }
  }));

  it('forged and unsigned tokens are inactive', async () => {
    for (const [label, token] of await forgedTokens(accessToken, idToken)) {
      const before = await countsBefore();
      const body = await checkJsonAnswer(await introspect(new URLSearchParams({ token }).toString()), before, ERROR_CODES.introspection, undefined);
      expect(body, label).toEqual({ active: false });
    }
  });

  it.each(authorizationHeaderCases())('Authorization header: %s', async (_label, header, expected) => {
    const before = await countsBefore();
    const response = await introspect(new URLSearchParams({ token: accessToken }).toString(), header === null ? {} : { authorization: header(app) });
    await checkJsonAnswer(response, before, ERROR_CODES.introspection, expected);
  });

  it.each(bodyCases(() => ({ token: accessToken })))('body: %s', async (_label, init, expected) => {
    const before = await countsBefore();
    const { body, headers } = init();
    await checkJsonAnswer(
      await introspectionEndpoint(postRequest('/oauth/introspect', { body, headers: { ...headers, ...oauth.basicAuth(app) } })),
      before,
      ERROR_CODES.introspection,
      expected,
    );
  });
});

describe('userinfo endpoint', () => {
  let accessToken: string;
  let idToken: string;
  let serviceToken: string;
  beforeAll(async () => {
    const app = await oauth.newClient();
    const tokens = await oauth.signIn(app, await oauth.newUser());
    accessToken = tokens.access_token;
    idToken = tokens.id_token!;
    const service = await oauth.newClient({ grantTypes: ['client_credentials'], scopes: ['profile'], redirectUris: [] });
    serviceToken = (await oauth.token(service, { grant_type: 'client_credentials' })).body.access_token;
  });

  const URL_ = `${ISSUER}/oauth/userinfo`;

  /**
   * Checks a userinfo answer: 200 only when `expected` is 'ok'; 'no_token' is the bare 401 of
   * RFC 6750 §3.1; anything else is that error, in the body and in the Bearer challenge.
   */
  async function checkUserinfo(send: () => Promise<AnyResponse>, expected: string | undefined): Promise<AnyResponse> {
    const before = await countsBefore();
    const response = await send();
    const text = await expectSafeResponse(response, { allowedOrigins: [APP_ORIGIN] });
    expect(response.headers.get('cache-control')).toBe('no-store');
    if (response.status === 200) {
      forgetCounts();
      expect(expected, `expected ${expected}, got 200`).toBe('ok');
      expect(JSON.parse(text)).toHaveProperty('sub');
      return response;
    }
    const challenge = response.headers.get('www-authenticate');
    if (text === '') {
      expect(response.status).toBe(401);
      expect(challenge).toBe('Bearer realm="optare"');
      if (expected !== undefined) expect('no_token').toBe(expected);
    } else {
      const error = expectOAuthError(response.status, text, ERROR_CODES.userinfo);
      if (expected !== undefined) expect(error).toBe(expected);
      expect(challenge).toMatch(new RegExp(`^Bearer realm="optare", error="${error}", error_description="[^"]*"$`));
    }
    expectWritten(before, await countsAfter());
    return response;
  }

  const get = (headers: Record<string, string>, query = '') => userinfoEndpoint(new Request(`${URL_}${query}`, { headers }));

  it.each<[string, () => string, string]>([
    ['Bearer without a token', () => 'Bearer', 'invalid_request'],
    ['two tokens', () => `Bearer ${accessToken} ${accessToken}`, 'invalid_request'],
    ['a repeated header', () => `Bearer ${accessToken}, Bearer ${accessToken}`, 'invalid_request'],
    ['a 10 kB token', () => `Bearer ${TEN_KB}`, 'invalid_token'],
    ['a script', () => 'Bearer <script>alert(1)</script>', 'invalid_request'],
    ['an attribute break-out', () => 'Bearer "><img src=x onerror=alert(1)>', 'invalid_request'],
    ['SQL', () => "Bearer ' OR 1=1 --", 'invalid_request'],
    ['a Latin-1 token', () => 'Bearer é', 'invalid_request'],
    ['percent-encoded CRLF', () => 'Bearer %0d%0aSet-Cookie:x=1', 'invalid_request'],
    ['a quote in the token', () => 'Bearer a"b', 'invalid_request'],
    ['another scheme', () => `Basic ${b64('a:b')}`, 'no_token'],
    ['a look-alike scheme', () => `Bearerx ${accessToken}`, 'no_token'],
    ['a 10 kB header of another scheme', () => `X${TEN_KB}`, 'no_token'],
    ['lower-case bearer (schemes are case-insensitive)', () => `bearer ${accessToken}`, 'ok'],
    ['a client_credentials token (no user, no openid)', () => `Bearer ${serviceToken}`, 'insufficient_scope'],
  ])('Authorization: %s', async (_label, header, expected) => {
    await checkUserinfo(() => get({ authorization: header(), origin: APP_ORIGIN }), expected);
  });

  it('forged, unsigned and ID tokens are invalid_token, in the header and in a form body', async () => {
    for (const [label, token] of await forgedTokens(accessToken, idToken)) {
      const inHeader = await checkUserinfo(() => get({ authorization: `Bearer ${token}` }), /^[A-Za-z0-9\-._~+/]+=*$/.test(token) ? 'invalid_token' : 'invalid_request');
      expect(inHeader.status, label).toBe(401);
      const inBody = await checkUserinfo(() => userinfoEndpoint(formPost('/oauth/userinfo', new URLSearchParams({ access_token: token }).toString())), 'invalid_token');
      expect(inBody.status, label).toBe(401);
    }
  });

  it('an access token in the query string is never read (RFC 6750 §2.3 is not supported)', async () => {
    await checkUserinfo(() => get({}, `?access_token=${encodeURIComponent(accessToken)}`), 'no_token');
    await checkUserinfo(() => userinfoEndpoint(new Request(`${URL_}?access_token=${accessToken}`, { method: 'POST' })), 'no_token');
    // The header is used, the query ignored (not "sent twice").
    await checkUserinfo(() => get({ authorization: `Bearer ${accessToken}` }, `?access_token=${TEN_KB}`), 'ok');
  });

  it('a token both in the header and in the body is invalid_request', async () => {
    const request = formPost('/oauth/userinfo', new URLSearchParams({ access_token: accessToken }).toString(), { authorization: `Bearer ${accessToken}` });
    await checkUserinfo(() => userinfoEndpoint(request), 'invalid_request');
  });

  const bodySpec: HostileParam = { name: 'access_token', refusedWith: 'invalid_token', missingRefusedWith: 'no_token', malformed: [ALG_NONE_JWT, 'e30.e30.', 'a.b.c'] };
  it.each(cases([bodySpec]))('POST form %s', (_label, spec, variants) => eachVariant(variants, async (variant) => {
    const encoded = encodeWith({ access_token: accessToken }, spec.name, variant);
    await checkUserinfo(() => userinfoEndpoint(formPost('/oauth/userinfo', encoded)), expectedRefusal(spec, variant, true));
  }));

  it.each(bodyCases(() => ({ access_token: accessToken })))('POST body: %s', async (_label, init) => {
    const { body, headers } = init();
    // Never 200: a token in a body that is not a valid, bounded form is no token, or refused.
    const response = await checkUserinfo(() => userinfoEndpoint(postRequest('/oauth/userinfo', { body, headers })), undefined);
    expect(response.status).not.toBe(200);
  });
});

// ---------------------------------------------------------------------------------------------
// RP-initiated logout

const LOGOUT_PARAMS: readonly HostileParam[] = [
  { name: 'id_token_hint', refusedWith: 'page', malformed: [ALG_NONE_JWT, 'e30.e30.', 'a.b.c', 'a.b.c.d.e'] },
  { name: 'client_id', refusedWith: 'page', malformed: ['oc_', '1', 'null', 'OC_UNKNOWN'] },
  { name: 'post_logout_redirect_uri', refusedWith: 'page', missingRefusedWith: 'done', malformed: ['/signed-out', 'https://app.example.test/signed-out/', 'https://app.example.test/SIGNED-OUT'] },
  { name: 'state' },
  { name: 'ui_locales', example: () => 'en' },
];

type LogoutMode = 'GET without a session' | 'POST without a session' | 'GET with a session' | 'POST with a session';

describe.each<LogoutMode>(['GET without a session', 'POST without a session', 'GET with a session', 'POST with a session'])('logout endpoint, %s', (mode) => {
  let client: OAuthClientRecord;
  let hint: string;
  let browser: authz.SignedInUser | null = null;
  const withSession = mode.endsWith('with a session');
  const post = mode.startsWith('POST');

  beforeAll(async () => {
    client = await authz.newClient({ postLogoutRedirectUris: [SIGNED_OUT] });
    const hinted = await authz.newUser();
    hint = await authz.idTokenHint(client, { userId: hinted.id });
    // The browser's session belongs to someone else: the request is never attributed to it, so a
    // case that passes asks for confirmation instead of ending the session.
    if (withSession) browser = await authz.signedInUser();
  });

  const base = (): Record<string, string> => ({ id_token_hint: hint, client_id: client.id, post_logout_redirect_uri: SIGNED_OUT, state: 'bye' });

  async function send(encoded: string): Promise<ProtocolResponse> {
    const headers: Record<string, string> = browser ? { cookie: browser.cookie } : {};
    if (!post) return logoutEndpoint(new Request(`${ISSUER}/oauth/logout?${encoded}`, { headers }));
    const response = await logoutEndpoint(formPost('/oauth/logout', encoded, headers));
    // A POST is answered with the same request as a GET on Optare, unless its body is refused.
    await expectSafeResponse(response);
    const location = response.headers.get('location')!;
    if (!location.startsWith(`${ISSUER}/oauth/logout?`)) return response;
    return logoutEndpoint(new Request(location, { headers }));
  }

  /** 'state' (at the post-logout URI), 'done', 'confirm' or 'page' (the error page). */
  async function checkAnswer(response: ProtocolResponse, encoded: string, before: Counts): Promise<string> {
    expect(await expectSafeResponse(response)).toBe('');
    expect(response.status).toBe(303);
    const location = response.headers.get('location')!;
    expect(location, 'a Location is always percent-encoded').not.toMatch(/[\s<>"'\\`{}|^]/);
    let outcome: string;
    if (location === SIGNED_OUT || location.startsWith(`${SIGNED_OUT}?`)) {
      const url = new URL(location);
      expect([...url.searchParams.keys()]).toEqual(echoedState(encoded) === null ? [] : ['state']);
      expect(url.searchParams.get('state')).toBe(echoedState(encoded));
      outcome = 'state';
    } else if (location === `${ISSUER}/oauth/logout/done`) {
      outcome = 'done';
    } else if (location.startsWith(`${ISSUER}/oauth/logout/confirm?logout=`)) {
      const sealed = new URL(location).searchParams.get('logout');
      expect(await logoutPrompt(sealed, { id: browser!.sessionId }, new Date())).toMatchObject({ show: true });
      outcome = 'confirm';
    } else {
      authz.expectErrorPage(response, 'invalid_logout_request');
      outcome = 'page';
    }
    expectWritten(before, await countsAfter());
    return outcome;
  }

  const success = withSession ? 'confirm' : 'state';

  it('answers the valid request as expected (the baseline of every case below)', async () => {
    const encoded = new URLSearchParams(base()).toString();
    const before = await countsBefore();
    expect(await checkAnswer(await send(encoded), encoded, before)).toBe(success);
  });

  it.each(cases(LOGOUT_PARAMS))('%s', (_label, spec, variants) => eachVariant(variants, async (variant) => {
    const encoded = encodeWith(base(), spec.name, variant, spec.example?.());
    const before = await countsBefore();
    const outcome = await checkAnswer(await send(encoded), encoded, before);
    let expected = expectedRefusal(spec, variant, post);
    if (expected === 'invalid_request') expected = 'page';
    if (expected === 'done' && withSession) expected = 'confirm';
    expect(outcome).toBe(expected ?? success);
  }));

  it.each(UNKNOWN_PARAMETERS.map((param) => [quote(param.name), param] as const))('unknown parameter %s is ignored', async (_label, param) => {
    const encoded = new URLSearchParams([...Object.entries(base()), [param.name, param.value]]).toString();
    const before = await countsBefore();
    expect(await checkAnswer(await send(encoded), encoded, before)).toBe(success);
  });

  // Without a hint, client_id alone names the client: every hostile value is looked up.
  const clientOnly: HostileParam = { name: 'client_id', refusedWith: 'page', missingRefusedWith: 'done', malformed: ['oc_', '1', 'null', 'OC_UNKNOWN'] };
  it.each(cases([clientOnly]))('without id_token_hint, %s', (_label, spec, variants) => eachVariant(variants, async (variant) => {
    const { id_token_hint: _hint, ...withoutHint } = base();
    const encoded = encodeWith(withoutHint, spec.name, variant);
    const before = await countsBefore();
    const outcome = await checkAnswer(await send(encoded), encoded, before);
    let expected = expectedRefusal(spec, variant, post);
    if (expected === 'invalid_request') expected = 'page';
    if (expected === 'done' && withSession) expected = 'confirm';
    expect(outcome).toBe(expected ?? success);
  }));
});

// ---------------------------------------------------------------------------------------------
// Discovery, JWKS and the methods of the protocol routes

describe('discovery and JWKS', () => {
  const documents = ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server', '/oauth/jwks'];
  const queries = [
    ...OPEN_REDIRECT_PAYLOADS.map((value) => `?issuer=${encodeURIComponent(value)}`),
    ...INJECTION_PAYLOADS.map((payload) => (payload.raw === undefined ? `?${new URLSearchParams({ x: payload.value! }).toString()}` : `?x=${payload.raw}`)),
    `?x=${TEN_KB}`,
    '?x=1&x=2',
    '?%zz',
  ];

  it.each(documents)('%s ignores hostile query strings and headers', async (path) => {
    const get = PROTOCOL_ROUTES.get(path)!.GET!;
    const baseline = await (await get(new Request(`${ISSUER}${path}`))).text();
    expect(baseline).toMatch(path === '/oauth/jwks' ? /^\{"keys":\[\{"kty":"RSA"/ : new RegExp(`^\\{"issuer":"${ISSUER}"`));
    for (const query of queries) {
      const response = await get(
        new Request(`${ISSUER}${path}${query}`, {
          headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example', forwarded: 'host=evil.example;proto=http', origin: 'https://evil.example' },
        }),
      );
      expect(response.status).toBe(200);
      expect(await expectSafeResponse(response)).toBe(baseline);
    }
  });

  it.each(documents)('%s answers any preflight without credentials', async (path) => {
    const options = PROTOCOL_ROUTES.get(path)!.OPTIONS!;
    for (const origin of ['https://evil.example', 'null', '<script>alert(1)</script>', TEN_KB]) {
      const response = await options(new Request(`${ISSUER}${path}`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'DELETE' } }));
      expect(response.status).toBe(204);
      expect(await expectSafeResponse(response)).toBe('');
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
    }
  });

  it('preflights of the client endpoints grant nothing to unregistered or hostile origins', async () => {
    for (const path of ['/oauth/token', '/oauth/revoke', '/oauth/introspect', '/oauth/userinfo']) {
      for (const origin of ['https://evil.example', 'null', `${APP_ORIGIN}.evil.example`, `${APP_ORIGIN}/`, '<script>alert(1)</script>', TEN_KB]) {
        const response = await PROTOCOL_ROUTES.get(path)!.OPTIONS!(
          new Request(`${ISSUER}${path}`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } }),
        );
        expect(response.status, `${path} ${origin.slice(0, 40)}`).toBe(403);
        expect(await expectSafeResponse(response)).toBe('');
        expect(response.headers.get('access-control-allow-origin')).toBeNull();
      }
    }
  });

  it('every protocol route declares only the methods it serves (the server answers 405 to the others)', async () => {
    const declared = Object.fromEntries([...PROTOCOL_ROUTES].map(([path, route]) => [path, Object.keys(route).sort()]));
    expect(declared).toEqual({
      '/.well-known/openid-configuration': ['GET', 'OPTIONS'],
      '/.well-known/oauth-authorization-server': ['GET', 'OPTIONS'],
      '/oauth/jwks': ['GET', 'OPTIONS'],
      '/oauth/token': ['OPTIONS', 'POST'],
      '/oauth/introspect': ['OPTIONS', 'POST'],
      '/oauth/revoke': ['OPTIONS', 'POST'],
      '/oauth/userinfo': ['GET', 'OPTIONS', 'POST'],
      '/oauth/authorize': ['GET', 'POST'],
      '/oauth/authorize/continue': ['GET'],
      '/oauth/logout': ['GET', 'POST'],
      '/api/auth/sign-in': ['POST'],
      '/consent/decision': ['POST'],
      '/csp-report': ['POST'],
      '/healthz': ['GET'],
      '/readyz': ['GET'],
    });
    const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
    const exported = async (module: Promise<Record<string, unknown>>) => Object.keys(await module).filter((name) => methods.includes(name)).sort();
    expect(await exported(import('../../app/.well-known/openid-configuration/route'))).toEqual(['GET', 'OPTIONS']);
    expect(await exported(import('../../app/oauth/jwks/route'))).toEqual(['GET', 'OPTIONS']);
    expect(await exported(import('../../app/oauth/token/route'))).toEqual(['OPTIONS', 'POST']);
    expect(await exported(import('../../app/oauth/authorize/route'))).toEqual(['GET', 'POST']);
    expect(await exported(import('../../app/oauth/authorize/continue/route'))).toEqual(['GET']);
    expect(await exported(import('../../app/oauth/logout/route'))).toEqual(['GET', 'POST']);
    expect(await exported(import('../../app/csp-report/route'))).toEqual(['POST']);
    expect(await exported(import('../../app/healthz/route'))).toEqual(['GET']);
    expect(await exported(import('../../app/readyz/route'))).toEqual(['GET']);
    expect(await exported(import('../../app/api/auth/sign-in/route'))).toEqual(['POST']);
    expect(await exported(import('../../app/consent/decision/route'))).toEqual(['POST']);
  });
});
