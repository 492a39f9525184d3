import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { authenticate, createUser } from '../../lib/auth/accounts';
import { BREACHED_PASSWORD_MESSAGE, breachCount, timesBreached } from '../../lib/auth/breached-passwords';
import { issueEmailLink } from '../../lib/auth/email-tokens';
import { changePassword } from '../../lib/auth/password-change';
import { resetPassword } from '../../lib/auth/password-reset';
import { createSession } from '../../lib/auth/sessions';
import { getConfig, installConfig } from '../../lib/config';
import { installLogger } from '../../lib/log/logger';
import { useTestConfig } from '../support/config';
import { GOOD_PASSWORD, testContext, uniqueEmail } from '../support/context';
import { openTestDatabase, type TestDatabase } from '../support/database';

/**
 * Breached-password check (ASVS 6.2.12; lib/auth/breached-passwords.ts) against a real HTTP
 * server on 127.0.0.1 that answers in the range API's format (`SUFFIX:COUNT` lines, padded with
 * count-0 lines): no test reaches the internet. Only the first 5 hex digits of the SHA-1 are
 * sent, with Add-Padding; a breached new password is refused at sign-up, password change and
 * reset; an unreachable, slow or failing service lets the password through and logs a warning.
 */

const BREACHED = 'monkey trouble in paradise';
const BREACHED_TIMES = 4_181;
/** Listed only as padding (count 0): not breached. */
const PADDED = 'a padding line is not a breach';
const FRESH = 'violet lantern quietly orbiting';

const sha1 = (value: string) => createHash('sha1').update(value, 'utf8').digest('hex').toUpperCase();

let mode: 'answer' | 'error' | 'silent' = 'answer';
const requests: { path: string; padding: string | undefined }[] = [];
let server: http.Server;
let baseUrl = '';
let closedUrl = '';
const warnings: string[] = [];
let database: TestDatabase;

function rangeOf(prefix: string): string {
  const lines: string[] = [];
  for (const [password, count] of [[BREACHED, BREACHED_TIMES], [PADDED, 0]] as const) {
    const hash = sha1(password);
    if (hash.startsWith(prefix)) lines.push(`${hash.slice(5)}:${count}`);
  }
  // Other suffixes of the range, as the real service lists hundreds.
  lines.push('0018A45C4D1DEF81644B54AB7F969B88D65:1', 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:0');
  return lines.join('\r\n');
}

beforeAll(async () => {
  useTestConfig();
  database = await openTestDatabase();
  installLogger(pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) }));
  server = http.createServer((request, response) => {
    requests.push({ path: request.url ?? '', padding: request.headers['add-padding'] as string | undefined });
    if (mode === 'silent') return; // never answers: the client's timeout must end it
    if (mode === 'error') {
      response.writeHead(503).end('busy');
      return;
    }
    const match = /^\/range\/([0-9A-F]{5})$/.exec(request.url ?? '');
    if (!match) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/plain' }).end(rangeOf(match[1]!));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // A port that was just free and is closed again: connections are refused.
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await database.close();
});

beforeEach(() => {
  mode = 'answer';
  requests.length = 0;
  warnings.length = 0;
  useBreachedPasswordApi(baseUrl);
});

function useBreachedPasswordApi(url: string | null) {
  installConfig({ ...getConfig(), breachedPasswordApi: url });
}

describe('timesBreached', () => {
  it('sends only the first 5 hex digits of the SHA-1, with Add-Padding, and reads the count of the suffix', async () => {
    expect(await timesBreached(BREACHED, baseUrl)).toBe(BREACHED_TIMES);
    expect(requests).toEqual([{ path: `/range/${sha1(BREACHED).slice(0, 5)}`, padding: 'true' }]);
    expect(requests[0]!.path).not.toContain(sha1(BREACHED).slice(5));
  });

  it('a padding line (count 0) and a suffix not listed are not breached', async () => {
    expect(await timesBreached(PADDED, baseUrl)).toBe(0);
    expect(await timesBreached(FRESH, baseUrl)).toBe(0);
    expect(breachCount('ABC:3\r\nDEF:0\r\n', 'DEF')).toBe(0);
    expect(breachCount('abc:3\nDEF:x', 'ABC')).toBe(3);
    expect(breachCount('garbage without colons', 'ABC')).toBe(0);
  });

  it.each([
    ['answers 503', 'error', () => baseUrl],
    ['does not answer within the timeout', 'silent', () => baseUrl],
    ['refuses connections', 'answer', () => closedUrl],
  ] as const)('fails open when the service %s: null, and a warning without the hash', async (_label, serverMode, url) => {
    mode = serverMode;
    const started = Date.now();
    expect(await timesBreached(BREACHED, url(), 300)).toBeNull();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0]!)).toMatchObject({ level: 40, service: url(), msg: expect.stringContaining('password accepted unchecked') });
    expect(warnings[0]).not.toContain(sha1(BREACHED).slice(0, 5));
    expect(warnings[0]).not.toContain(BREACHED);
  });
});

describe('new passwords are checked when OPTARE_BREACHED_PASSWORD_API is set', () => {
  async function userCount(email: string) {
    const [row] = await database.sql<{ count: number }>('SELECT count(*)::int AS count FROM users WHERE email = $1', [email]);
    return row!.count;
  }

  it('sign-up refuses a breached password and creates no account; a password not listed signs up', async () => {
    const email = uniqueEmail('breach');
    expect(await createUser({ email, password: BREACHED, name: 'Pat' }, testContext(), 'sign_up')).toEqual({ ok: false, fieldErrors: { password: [BREACHED_PASSWORD_MESSAGE] } });
    expect(await userCount(email)).toBe(0);
    expect((await createUser({ email, password: FRESH, name: 'Pat' }, testContext(), 'sign_up')).ok).toBe(true);
    expect(requests).toHaveLength(2);
  });

  it('a password change to a breached password is refused and the old password still works', async () => {
    const email = uniqueEmail('breach');
    const created = await createUser({ email, password: GOOD_PASSWORD, name: 'Pat' }, testContext(), 'sign_up');
    if (!created.ok) throw new Error('sign-up failed');
    const session = await createSession(created.user.id, ['pwd'], testContext());
    const changer = { id: session.sessionId, userId: created.user.id };
    expect(await changePassword(changer, { currentPassword: GOOD_PASSWORD, newPassword: BREACHED }, testContext())).toEqual({
      ok: false,
      fieldErrors: { newPassword: [BREACHED_PASSWORD_MESSAGE] },
    });
    expect((await authenticate({ email, password: GOOD_PASSWORD }, testContext())).ok).toBe(true);
    expect((await changePassword(changer, { currentPassword: GOOD_PASSWORD, newPassword: FRESH }, testContext())).ok).toBe(true);
  });

  it('a reset to a breached password is refused and leaves the link usable for a safe one', async () => {
    const email = uniqueEmail('breach');
    const created = await createUser({ email, password: GOOD_PASSWORD, name: 'Pat' }, testContext(), 'sign_up');
    if (!created.ok) throw new Error('sign-up failed');
    const token = new URL(await issueEmailLink(created.user.id, 'reset_password', email)).hash.replace('#token=', '');
    expect(await resetPassword({ token, password: BREACHED }, testContext())).toEqual({ ok: false, fieldErrors: { password: [BREACHED_PASSWORD_MESSAGE] } });
    expect((await authenticate({ email, password: GOOD_PASSWORD }, testContext())).ok).toBe(true);
    expect((await resetPassword({ token, password: FRESH }, testContext())).ok).toBe(true);
    expect((await authenticate({ email, password: FRESH }, testContext())).ok).toBe(true);
  });

  it('when the service cannot be reached, sign-up goes ahead (fail-open) and a warning is logged', async () => {
    useBreachedPasswordApi(closedUrl);
    const email = uniqueEmail('breach');
    expect((await createUser({ email, password: BREACHED, name: 'Pat' }, testContext(), 'sign_up')).ok).toBe(true);
    expect(warnings.some((line) => line.includes('password accepted unchecked'))).toBe(true);
  });

  it('the setting must be an http(s) base URL: anything else stops Optare at boot', () => {
    const installed = getConfig();
    try {
      expect(useTestConfig({ OPTARE_BREACHED_PASSWORD_API: 'https://api.pwnedpasswords.com' }).breachedPasswordApi).toBe('https://api.pwnedpasswords.com');
      expect(useTestConfig({ OPTARE_BREACHED_PASSWORD_API: '' }).breachedPasswordApi).toBeNull();
      for (const value of ['ftp://example.com', 'api.pwnedpasswords.com', 'javascript:alert(1)']) {
        expect(() => useTestConfig({ OPTARE_BREACHED_PASSWORD_API: value })).toThrow(/OPTARE_BREACHED_PASSWORD_API/);
      }
    } finally {
      installConfig(installed);
    }
  });

  it('is off when the setting is unset: nothing is sent anywhere', async () => {
    useBreachedPasswordApi(null);
    expect((await createUser({ email: uniqueEmail('breach'), password: BREACHED, name: 'Pat' }, testContext(), 'sign_up')).ok).toBe(true);
    expect(requests).toEqual([]);
    expect(warnings).toEqual([]);
  });
});
