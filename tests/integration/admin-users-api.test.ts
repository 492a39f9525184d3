import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settleRefusalAudits } from '../../lib/audit/refusals';
import * as usersRoute from '../../app/api/admin/v1/users/route';
import * as userRoute from '../../app/api/admin/v1/users/[userId]/route';
import * as sessionsRoute from '../../app/api/admin/v1/users/[userId]/sessions/route';
import * as auditRoute from '../../app/api/admin/v1/users/[userId]/audit-events/route';
import * as disableRoute from '../../app/api/admin/v1/users/[userId]/disable/route';
import * as enableRoute from '../../app/api/admin/v1/users/[userId]/enable/route';
import * as signOutRoute from '../../app/api/admin/v1/users/[userId]/sign-out/route';
import * as mfaResetRoute from '../../app/api/admin/v1/users/[userId]/mfa-reset/route';
import * as adminRoute from '../../app/api/admin/v1/users/[userId]/admin/route';
import * as passwordResetRoute from '../../app/api/admin/v1/users/[userId]/password-reset/route';
import * as exportRoute from '../../app/api/admin/v1/users/[userId]/export/route';
import { adminOpenApiDocument } from '../../lib/admin/api/openapi';
import { validateSessionToken } from '../../lib/auth/sessions';
import { confirmTotpEnrollment, startTotpEnrollment } from '../../lib/auth/totp';
import { ensureSigningKey, forgetCachedSigningKeys } from '../../lib/oauth/keys/signing-keys';
import { useTestConfig } from '../support/config';
import { testContext } from '../support/context';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { totpAt } from '../support/totp';
import { ADMIN_ISSUER, BAD_USER_IDS, type Handler, callApi, expectJson, expectRefused, newAccount, newAdmin, newApiKey, signedIn } from './admin-users-support';
import { introspect, newClient, refresh, signIn, type TestClient } from './token-endpoint.helpers';

/**
 * The admin API's user routes (/api/admin/v1/users/…): scopes, validation of every path, query
 * and body, the effect of each change, and its audit event with the API key as actor.
 */

let database: TestDatabase;
let app: TestClient;
let reader: { key: string; id: string };
let writer: { key: string; id: string };
let clientsOnly: { key: string; id: string };
beforeAll(async () => {
  // Two password-reset emails per address, to see the limit answer 429.
  useTestConfig({ OPTARE_ISSUER: ADMIN_ISSUER, OPTARE_RATE_LIMIT_PASSWORD_RESET: '2/1h' });
  database = await openTestDatabase();
  forgetCachedSigningKeys();
  await ensureSigningKey();
  app = await newClient();
  reader = await newApiKey(['users:read']);
  writer = await newApiKey(['users:write']);
  clientsOnly = await newApiKey(['clients:read', 'clients:write']);
});
afterAll(() => database.close());

/** Events written, leaving out the audit of the refused input itself (security.invalid_input). */
async function eventCount(): Promise<number> {
  const [row] = await database.sql<{ count: string }>("SELECT count(*) FROM audit_events WHERE type <> 'security.invalid_input'");
  return Number(row!.count);
}

async function eventsAbout(subject: string, type: string) {
  return database.sql<{ actor_user_id: string | null; actor_api_key_id: string | null; ip: string | null; details: Record<string, unknown> }>(
    'SELECT actor_user_id, actor_api_key_id, ip, details FROM audit_events WHERE subject = $1 AND type = $2 ORDER BY seq',
    [subject, type],
  );
}

type Route = { method: string; handler: Handler; path: (id: string) => string; write: boolean; body?: string };

const USER_ROUTES: Route[] = [
  { method: 'GET', handler: userRoute.GET, path: (id) => `/users/${id}`, write: false },
  { method: 'GET', handler: sessionsRoute.GET, path: (id) => `/users/${id}/sessions`, write: false },
  { method: 'GET', handler: auditRoute.GET, path: (id) => `/users/${id}/audit-events`, write: false },
  { method: 'POST', handler: disableRoute.POST, path: (id) => `/users/${id}/disable`, write: true },
  { method: 'POST', handler: enableRoute.POST, path: (id) => `/users/${id}/enable`, write: true },
  { method: 'POST', handler: signOutRoute.POST, path: (id) => `/users/${id}/sign-out`, write: true },
  { method: 'POST', handler: mfaResetRoute.POST, path: (id) => `/users/${id}/mfa-reset`, write: true, body: JSON.stringify({ reason: 'lost phone' }) },
  { method: 'POST', handler: adminRoute.POST, path: (id) => `/users/${id}/admin`, write: true },
  { method: 'DELETE', handler: adminRoute.DELETE, path: (id) => `/users/${id}/admin`, write: true },
  { method: 'POST', handler: passwordResetRoute.POST, path: (id) => `/users/${id}/password-reset`, write: true },
];

function call(route: Route, key: string | undefined, userId: string) {
  return callApi(route.handler, route.method, route.path(userId), { key, params: { userId }, body: route.body });
}

describe('keys and scopes', () => {
  it('every user route refuses a missing or unknown key (401) and a key without its scope (403), writing nothing', async () => {
    const user = await newAccount('scoped');
    await signedIn(user.id);
    // Only the refusals themselves are recorded (api_key.refused, lib/audit/refusals.ts).
    const notRefusals = async () => Number((await database.sql<{ count: string }>("SELECT count(*) FROM audit_events WHERE type <> 'api_key.refused'"))[0]!.count);
    const before = await notRefusals();
    for (const route of [...USER_ROUTES, { method: 'GET', handler: usersRoute.GET, path: () => '/users', write: false }]) {
      const what = `${route.method} ${route.path(user.id)}`;
      expect((await expectRefused(await call(route, undefined, user.id), 401)).error, what).toBe('unauthorized');
      expect((await expectRefused(await call(route, `opk_00000000_${'A'.repeat(43)}`, user.id), 401)).error, what).toBe('invalid_token');
      expect((await expectRefused(await call(route, clientsOnly.key, user.id), 403)).error, what).toBe('insufficient_scope');
      if (route.write) expect((await expectRefused(await call(route, reader.key, user.id), 403)).error, what).toBe('insufficient_scope');
    }
    await settleRefusalAudits();
    expect(await notRefusals()).toBe(before);
    const refusals = await database.sql<{ reason: string }>("SELECT DISTINCT details->>'reason' AS reason FROM audit_events WHERE type = 'api_key.refused'");
    expect(refusals.map((row) => row.reason)).toEqual(expect.arrayContaining(['insufficient_scope', 'missing', 'unknown']));
    const [row] = await database.sql<{ disabled_at: Date | null; is_admin: boolean }>('SELECT disabled_at, is_admin FROM users WHERE id = $1', [user.id]);
    expect(row).toEqual({ disabled_at: null, is_admin: false });
  });

  it('a users:write key may read too', async () => {
    const user = await newAccount('readable');
    expect((await expectJson(await callApi(userRoute.GET, 'GET', `/users/${user.id}`, { key: writer.key, params: { userId: user.id } }))).user.id).toBe(user.id);
  });
});

describe('GET /users', () => {
  it('searches by q, status and admin, newest first, with cursor pagination', async () => {
    const marker = `api${Date.now().toString(36)}`;
    const a = await newAccount(`${marker}.a`);
    const b = await newAccount(`${marker}.b`, { isAdmin: true });
    const c = await newAccount(`${marker}.c`);
    await database.sql('UPDATE users SET disabled_at = now() WHERE id = $1', [c.id]);
    const list = (query: string) => callApi(usersRoute.GET, 'GET', `/users?${query}`, { key: reader.key });

    const first = await expectJson(await list(`q=${marker.toUpperCase()}&limit=2`));
    expect(first.items.map((user: { id: string }) => user.id)).toEqual([c.id, b.id]);
    expect(first.items[0]).toMatchObject({ email: c.email, status: 'disabled', isAdmin: false, mfa: false });
    expect(first.items[0].createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(first.items[0]).not.toHaveProperty('passwordHash');
    const second = await expectJson(await list(`q=${marker}&limit=2&cursor=${first.nextCursor}`));
    expect(second).toEqual({ items: [expect.objectContaining({ id: a.id })], nextCursor: null });

    expect((await expectJson(await list(`q=${marker}&status=active`))).items.map((user: { id: string }) => user.id)).toEqual([b.id, a.id]);
    expect((await expectJson(await list(`q=${marker}&status=disabled`))).items.map((user: { id: string }) => user.id)).toEqual([c.id]);
    expect((await expectJson(await list(`q=${marker}&admin=true`))).items.map((user: { id: string }) => user.id)).toEqual([b.id]);
    expect((await expectJson(await list(`q=${marker}&admin=false`))).items.map((user: { id: string }) => user.id)).toEqual([c.id, a.id]);
  });

  it.each([
    ['an unknown status', 'status=deleted'],
    ['a non-boolean admin', 'admin=yes'],
    ['a zero limit', 'limit=0'],
    ['a huge limit', 'limit=1000'],
    ['a non-numeric limit', 'limit=ten'],
    ['a repeated q', 'q=a&q=b'],
    ['a NUL in q', 'q=a%00b'],
    ['a bidi override in q', 'q=a%E2%80%AEb'],
    ['an oversized q', `q=${'x'.repeat(300)}`],
    ['an oversized cursor', `cursor=${'x'.repeat(300)}`],
  ])('refuses %s with 400', async (_what, query) => {
    const body = await expectRefused(await callApi(usersRoute.GET, 'GET', `/users?${query}`, { key: reader.key }), 400);
    expect(body.error).toBe('invalid_request');
  });

  it('refuses a cursor it did not give out with 400 invalid_cursor', async () => {
    for (const cursor of ['Zm9vYmFy', Buffer.from(`1.${'0'.repeat(36)}`).toString('base64url'), '%21%21']) {
      expect((await expectRefused(await callApi(usersRoute.GET, 'GET', `/users?cursor=${cursor}`, { key: reader.key }), 400)).error).toBe('invalid_cursor');
    }
  });
});

describe('GET /users/{userId}, /sessions and /audit-events', () => {
  it('reads the user, their sessions and their audit events', async () => {
    const user = await newAccount('readme');
    const started = await startTotpEnrollment(user);
    if (!started.ok) throw new Error('enrollment refused');
    await confirmTotpEnrollment(user.id, totpAt(started.secret, new Date()), testContext());
    const session = await signedIn(user.id, ['pwd', 'otp', 'mfa']);
    const params = { userId: user.id };

    const detail = await expectJson(await callApi(userRoute.GET, 'GET', `/users/${user.id}`, { key: reader.key, params }));
    expect(detail).toMatchObject({ user: { id: user.id, email: user.email, status: 'active' }, mfa: { totp: { status: 'confirmed' }, passkeys: [], recoveryCodesRemaining: 0 }, consents: [] });
    const sessions = await expectJson(await callApi(sessionsRoute.GET, 'GET', `/users/${user.id}/sessions`, { key: reader.key, params }));
    expect(sessions.items).toEqual([expect.objectContaining({ id: session.sessionId, browser: 'Firefox', os: 'Linux', amr: ['pwd', 'otp', 'mfa'] })]);
    const events = await expectJson(await callApi(auditRoute.GET, 'GET', `/users/${user.id}/audit-events?limit=1`, { key: reader.key, params }));
    expect(events.items).toEqual([expect.objectContaining({ type: 'mfa.totp_enrolled', actor: { kind: 'user', id: user.id, email: user.email } })]);
    expect(typeof events.nextCursor).toBe('string');
    const older = await expectJson(await callApi(auditRoute.GET, 'GET', `/users/${user.id}/audit-events?cursor=${events.nextCursor}`, { key: reader.key, params }));
    expect(older.items.map((event: { type: string }) => event.type)).toEqual(['user.created']);
    await expectRefused(await callApi(auditRoute.GET, 'GET', `/users/${user.id}/audit-events?cursor=%21%21`, { key: reader.key, params }), 400);
  });

  it('every user route answers 400 for an id that is not a UUID and 404 for an unknown one, never 500, writing nothing', async () => {
    const before = await eventCount();
    for (const route of USER_ROUTES) {
      for (const id of BAD_USER_IDS) {
        const body = await expectRefused(await call(route, writer.key, id), 400);
        expect(body.fieldErrors).toHaveProperty('userId');
      }
      expect((await expectRefused(await call(route, writer.key, '00000000-0000-4000-8000-000000000000'), 404)).error).toBe('not_found');
    }
    expect(await eventCount()).toBe(before);
  });
});

describe('POST /users/{userId}/disable, /enable, /sign-out', () => {
  it('disable signs the user out, refuses their refresh token and deactivates their access token; audited with the key', async () => {
    const user = await newAccount('api-disable');
    const browser = await signedIn(user.id);
    const tokens = await signIn(app, user);
    const params = { userId: user.id };

    const disabled = await expectJson(await callApi(disableRoute.POST, 'POST', `/users/${user.id}/disable`, { key: writer.key, params }));
    expect(disabled).toMatchObject({ changed: true, user: { status: 'disabled' }, ended: { sessionsEnded: 1, grantsRevoked: 1 } });
    expect(await validateSessionToken(browser.token, testContext())).toBeNull();
    expect((await refresh(app, tokens.refresh_token!)).body.error).toBe('invalid_grant');
    expect((await introspect(app, tokens.access_token)).body).toEqual({ active: false });
    expect(await eventsAbout(user.id, 'user.disabled')).toEqual([
      expect.objectContaining({ actor_user_id: null, actor_api_key_id: writer.id, ip: '192.0.2.99' }),
    ]);

    const enabled = await expectJson(await callApi(enableRoute.POST, 'POST', `/users/${user.id}/enable`, { key: writer.key, params }));
    expect(enabled).toMatchObject({ changed: true, user: { status: 'active' } });
    expect(await eventsAbout(user.id, 'user.enabled')).toEqual([expect.objectContaining({ actor_api_key_id: writer.id })]);
  });

  it('sign-out ends sessions and grants; audited with the counts and the key', async () => {
    const user = await newAccount('api-signout');
    const browser = await signedIn(user.id);
    const tokens = await signIn(app, user);
    const ended = await expectJson(await callApi(signOutRoute.POST, 'POST', `/users/${user.id}/sign-out`, { key: writer.key, params: { userId: user.id } }));
    expect(ended).toEqual({ sessionsEnded: 1, grantsRevoked: 1, trustedDevicesForgotten: 0 });
    expect(await validateSessionToken(browser.token, testContext())).toBeNull();
    expect((await refresh(app, tokens.refresh_token!)).status).toBe(400);
    expect(await eventsAbout(user.id, 'user.signed_out_everywhere')).toEqual([
      { actor_user_id: null, actor_api_key_id: writer.id, ip: '192.0.2.99', details: { sessionsEnded: 1, grantsRevoked: 1, trustedDevicesForgotten: 0 } },
    ]);
  });

  it('ignores a body on the bodiless changes (it carries nothing they read)', async () => {
    const user = await newAccount('api-body');
    const response = await callApi(signOutRoute.POST, 'POST', `/users/${user.id}/sign-out`, { key: writer.key, params: { userId: user.id }, body: '[not json' });
    expect(response.status).toBe(200);
  });
});

describe('POST /users/{userId}/mfa-reset', () => {
  it('removes the factors and records the reason with the key as actor', async () => {
    const user = await newAccount('api-mfa');
    const started = await startTotpEnrollment(user);
    if (!started.ok) throw new Error('enrollment refused');
    await confirmTotpEnrollment(user.id, totpAt(started.secret, new Date()), testContext());
    const removed = await expectJson(
      await callApi(mfaResetRoute.POST, 'POST', `/users/${user.id}/mfa-reset`, { key: writer.key, params: { userId: user.id }, body: JSON.stringify({ reason: 'Lost phone, ticket 12' }) }),
    );
    expect(removed).toEqual({ totpRemoved: true, passkeysRemoved: 0, recoveryCodesRemoved: 0, trustedDevicesForgotten: 0, sessionsEnded: 0 });
    expect(await eventsAbout(user.id, 'user.mfa_reset')).toEqual([
      expect.objectContaining({ actor_api_key_id: writer.id, details: expect.objectContaining({ reason: 'Lost phone, ticket 12', totpRemoved: true }) }),
    ]);
  });

  it.each([
    ['no body', undefined, undefined, 415],
    ['a form body', 'reason=lost', { 'content-type': 'application/x-www-form-urlencoded' }, 415],
    ['invalid JSON', '{"reason": "lost', undefined, 400],
    ['a JSON array', '[]', undefined, 400],
    ['null', 'null', undefined, 400],
    ['a missing reason', '{}', undefined, 400],
    ['an array for the reason', JSON.stringify({ reason: ['lost phone'] }), undefined, 400],
    ['an object for the reason', JSON.stringify({ reason: { text: 'lost phone' } }), undefined, 400],
    ['a too-short reason', JSON.stringify({ reason: 'no' }), undefined, 400],
    ['a too-long reason', JSON.stringify({ reason: 'x'.repeat(501) }), undefined, 400],
    ['a body over 64 kB', JSON.stringify({ reason: 'x'.repeat(70_000) }), undefined, 413],
    ['a script', JSON.stringify({ reason: '<script>alert(1)</script>'.repeat(30) }), undefined, 400],
  ])('refuses %s, removing nothing', async (_what, body, headers, status) => {
    const user = await newAccount('api-mfa-hostile');
    const started = await startTotpEnrollment(user);
    if (!started.ok) throw new Error('enrollment refused');
    await confirmTotpEnrollment(user.id, totpAt(started.secret, new Date()), testContext());
    const before = await eventCount();
    await expectRefused(await callApi(mfaResetRoute.POST, 'POST', `/users/${user.id}/mfa-reset`, { key: writer.key, params: { userId: user.id }, body, headers }), status);
    expect(await eventCount()).toBe(before);
    expect(await database.sql('SELECT confirmed_at IS NOT NULL AS confirmed FROM totp_factors WHERE user_id = $1', [user.id])).toEqual([{ confirmed: true }]);
  });
});

describe('POST and DELETE /users/{userId}/admin', () => {
  it('grants and revokes the role; the last enabled administrator keeps it (409)', async () => {
    await database.sql('UPDATE users SET disabled_at = now() WHERE is_admin');
    const only = await newAdmin();
    const user = await newAccount('api-promote');
    const params = { userId: user.id };
    expect(await expectJson(await callApi(adminRoute.POST, 'POST', `/users/${user.id}/admin`, { key: writer.key, params }))).toMatchObject({ changed: true, user: { isAdmin: true } });
    expect(await expectJson(await callApi(adminRoute.DELETE, 'DELETE', `/users/${user.id}/admin`, { key: writer.key, params }))).toMatchObject({ changed: true, user: { isAdmin: false } });
    expect((await eventsAbout(user.id, 'user.admin_granted'))[0]).toMatchObject({ actor_api_key_id: writer.id, details: { changes: [{ field: 'isAdmin', before: false, after: true }] } });

    const before = await eventCount();
    const refused = await expectRefused(await callApi(adminRoute.DELETE, 'DELETE', `/users/${only.id}/admin`, { key: writer.key, params: { userId: only.id } }), 409);
    expect(refused.error).toBe('last_admin');
    await expectRefused(await callApi(disableRoute.POST, 'POST', `/users/${only.id}/disable`, { key: writer.key, params: { userId: only.id } }), 409);
    expect(await eventCount()).toBe(before);
  });
});

describe('POST /users/{userId}/password-reset', () => {
  it('sends the link, refuses a disabled account (409), and says so past the per-address limit (429)', async () => {
    const user = await newAccount('api-reset');
    const send = () => callApi(passwordResetRoute.POST, 'POST', `/users/${user.id}/password-reset`, { key: writer.key, params: { userId: user.id } });
    expect(await expectJson(await send())).toEqual({ sent: true });
    expect(await eventsAbout(user.id, 'user.password_reset_requested')).toEqual([expect.objectContaining({ actor_api_key_id: writer.id, details: { via: 'admin' } })]);
    expect((await send()).status).toBe(200);
    const limited = await send();
    expect((await expectRefused(limited, 429)).error).toBe('rate_limited');
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);

    const disabled = await newAccount('api-reset-disabled');
    await database.sql('UPDATE users SET disabled_at = now() WHERE id = $1', [disabled.id]);
    const refused = await callApi(passwordResetRoute.POST, 'POST', `/users/${disabled.id}/password-reset`, { key: writer.key, params: { userId: disabled.id } });
    expect((await expectRefused(refused, 409)).error).toBe('user_disabled');
  });
});

describe('OpenAPI', () => {
  it('documents every user operation with its scope, and each has a route file exporting its method', async () => {
    const document = adminOpenApiDocument(ADMIN_ISSUER) as { paths: Record<string, Record<string, { 'x-required-scope': string; operationId: string }>> };
    const userPaths = Object.entries(document.paths).filter(([path]) => path.startsWith('/users'));
    const operations = userPaths.flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => `${method.toUpperCase()} ${path} ${operation['x-required-scope']}`));
    expect(operations.sort()).toEqual(
      [
        'GET /users users:read',
        'GET /users/{userId} users:read',
        'GET /users/{userId}/sessions users:read',
        'GET /users/{userId}/audit-events users:read',
        'POST /users/{userId}/disable users:write',
        'POST /users/{userId}/enable users:write',
        'POST /users/{userId}/sign-out users:write',
        'POST /users/{userId}/mfa-reset users:write',
        'POST /users/{userId}/admin users:write',
        'DELETE /users/{userId}/admin users:write',
        'POST /users/{userId}/password-reset users:write',
        'GET /users/{userId}/export users:read',
        'DELETE /users/{userId} users:write',
      ].sort(),
    );
    const routes: Record<string, Record<string, unknown>> = {
      '/users': usersRoute,
      '/users/{userId}': userRoute,
      '/users/{userId}/sessions': sessionsRoute,
      '/users/{userId}/audit-events': auditRoute,
      '/users/{userId}/disable': disableRoute,
      '/users/{userId}/enable': enableRoute,
      '/users/{userId}/sign-out': signOutRoute,
      '/users/{userId}/mfa-reset': mfaResetRoute,
      '/users/{userId}/admin': adminRoute,
      '/users/{userId}/password-reset': passwordResetRoute,
      '/users/{userId}/export': exportRoute,
    };
    for (const [path, methods] of userPaths) {
      expect(Object.keys(routes[path]!).sort(), path).toEqual(Object.keys(methods).map((method) => method.toUpperCase()).sort());
    }
  });
});
