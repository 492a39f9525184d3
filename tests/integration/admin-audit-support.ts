/**
 * Shared set-up of the audit-log tests (admin-audit*.test.ts): administrators, API keys, events
 * recorded as Optare records them, the admin API's and the console's audit routes called as
 * Next.js calls them, and a strict RFC 4180 reader for the CSV exports.
 */
import { encode } from 'next-auth/jwt';
import { consoleCookieName } from '../../app/admin/_server/console';
import { generateApiKey, type ApiKeyScope } from '../../lib/admin/api-keys';
import { consoleCookieSecret } from '../../lib/admin/console-client';
import { createUser } from '../../lib/auth/accounts';
import { createSession } from '../../lib/auth/sessions';
import { insertApiKey } from '../../lib/db/api-keys';
import { markConsoleSeen } from '../../lib/db/console-sessions';
import { GOOD_PASSWORD, testContext, uniqueEmail } from '../support/context';

export const AUDIT_ISSUER = 'https://id.example.test';

export async function newUser(prefix: string, isAdmin = false) {
  const result = await createUser({ email: uniqueEmail(prefix), password: GOOD_PASSWORD, name: 'Audi Tor', isAdmin }, testContext(), 'cli');
  if (!result.ok) throw new Error('createUser failed');
  return result.user;
}

/** An API key with `scopes`, stored as the console stores one: its text (to send), id and prefix. */
export async function newApiKey(scopes: ApiKeyScope[], createdByUserId: string | null = null) {
  const generated = generateApiKey();
  const row = await insertApiKey({
    name: `audit test ${scopes.join(' ')}`,
    prefix: generated.prefix,
    keyHash: generated.keyHash,
    scopes,
    createdByUserId,
    expiresAt: new Date(Date.now() + 86_400_000),
  });
  return { key: generated.key, id: row.id, prefix: row.prefix };
}

export type RouteHandler = (request: Request, context?: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>;

/** Calls an admin API route handler: `pathAndQuery` below /api/admin/v1, the key as a Bearer token. */
export function callApi(
  handler: RouteHandler,
  method: string,
  pathAndQuery: string,
  options: { key?: string; params?: Record<string, string> } = {},
): Promise<Response> {
  const request = new Request(`${AUDIT_ISSUER}/api/admin/v1${pathAndQuery}`, {
    method,
    headers: {
      ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
      'x-optare-client-ip': '192.0.2.99',
      'user-agent': 'admin-api-test',
    },
  });
  return handler(request, { params: Promise.resolve(options.params ?? {}) });
}

/** A console sign-in of `adminId`: a session with a second factor, the console's sealed cookie naming it. */
export async function consoleCookie(adminId: string): Promise<string> {
  const session = await createSession(adminId, ['pwd', 'otp', 'mfa'], testContext({ ip: '192.0.2.50' }));
  await markConsoleSeen(session.sessionId, new Date());
  const sealed = await encode({ token: { sid: session.sessionId, sub: adminId }, secret: consoleCookieSecret() });
  return `${consoleCookieName()}=${sealed}`;
}

/** A console request to /api/admin/console/audit…: a GET (an export link) or a same-origin JSON POST. */
export function callConsole(
  handler: RouteHandler,
  method: 'GET' | 'POST',
  pathAndQuery: string,
  options: { cookie?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Response> {
  const request = new Request(`${AUDIT_ISSUER}/api/admin/console/audit${pathAndQuery}`, {
    method,
    headers: {
      ...(method === 'POST' ? { 'content-type': 'application/json', origin: AUDIT_ISSUER } : { 'sec-fetch-site': 'same-origin' }),
      ...(options.cookie ? { cookie: options.cookie } : {}),
      'x-optare-client-ip': '192.0.2.50',
      'user-agent': 'admin-console-test',
      ...options.headers,
    },
    ...(method === 'POST' ? { body: options.body ?? '{}' } : {}),
  });
  return handler(request, { params: Promise.resolve({}) });
}

export { expectJson, expectRefused } from './admin-users-support';

/**
 * Reads CSV strictly by RFC 4180: records end with CRLF, a field is quoted or holds no quote,
 * comma, CR or LF. Throws on anything else, so a test fails on a malformed export.
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  while (i < text.length) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i++];
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r') {
        if (text[i] === '"' || text[i] === '\n') throw new Error(`a bare ${JSON.stringify(text[i])} at ${i}`);
        field += text[i++];
      }
    }
    record.push(field);
    if (text[i] === ',') {
      i++;
      continue;
    }
    if (text.slice(i, i + 2) !== '\r\n') throw new Error(`a record must end with CRLF at ${i}`);
    i += 2;
    records.push(record);
    record = [];
  }
  if (record.length > 0) throw new Error('the last record has no CRLF');
  return records;
}
