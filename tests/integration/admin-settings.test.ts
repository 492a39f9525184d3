import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { POST as settingsRoute } from '../../app/api/admin/console/settings/route';
import { POST as signInRoute } from '../../app/api/auth/sign-in/route';
import { POST as signUpRoute } from '../../app/api/auth/sign-up/route';
import { updateSettings, RUNTIME_SETTINGS_SUBJECT } from '../../lib/admin/settings';
import { createUser } from '../../lib/auth/accounts';
import { issueEmailLink } from '../../lib/auth/email-tokens';
import { changePassword } from '../../lib/auth/password-change';
import { resetPassword } from '../../lib/auth/password-reset';
import { createSession } from '../../lib/auth/sessions';
import { auditSettingsChanges } from '../../lib/server/settings-audit';
import { CACHE_TTL_MS, currentSettingsDescription, forgetCachedSettings, runtimeSettings } from '../../lib/settings/runtime';
import { useTestConfig } from '../support/config';
import { GOOD_PASSWORD, testContext, uniqueEmail } from '../support/context';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { jsonPost } from './email-support';
import { callConsole, consoleActor, consoleSignIn, expectJson, expectRefused, HOSTILE_BODIES, newAccount, newAdmin } from './admin-users-support';

/**
 * Runtime settings (lib/settings, lib/admin/settings.ts): the console's value wins over the
 * environment's until it is given back; every change is one audited event with before and after;
 * and the code that enforces each setting uses the value in force.
 */

const ISSUER = 'https://id.example.test';
/** 14 characters, not a common password: long enough by default, too short once 16 are required. */
const FOURTEEN = 'quiet-harbor-7';

let database: TestDatabase;
let admin: { id: string };
beforeAll(async () => {
  useTestConfig({ OPTARE_ISSUER: ISSUER });
  database = await openTestDatabase();
  admin = await newAdmin();
});
afterAll(() => database.close());

/** Each test starts from the environment's values: no stored setting, an empty cache. */
afterEach(async () => {
  vi.restoreAllMocks();
  useTestConfig({ OPTARE_ISSUER: ISSUER });
  await database.sql('DELETE FROM settings');
  forgetCachedSettings();
});

async function settingsEvents() {
  return database.sql<{ seq: string; actor_user_id: string | null; actor_api_key_id: string | null; subject: string; ip: string; details: Record<string, unknown> }>(
    `SELECT seq, actor_user_id, actor_api_key_id, subject, ip, details FROM audit_events WHERE type = 'settings.changed' AND subject = $1 ORDER BY seq`,
    [RUNTIME_SETTINGS_SUBJECT],
  );
}

describe('effective values', () => {
  it('fall back to the environment, and a value set in the console wins until it is given back', async () => {
    useTestConfig({ OPTARE_ISSUER: ISSUER, OPTARE_SESSION_IDLE_TIMEOUT: '2h', OPTARE_MFA_REQUIRED: 'true', OPTARE_EMAIL_VERIFICATION: 'required' });
    expect(await runtimeSettings()).toEqual({
      passwordMinLength: 12,
      mfaRequired: true,
      sessionIdleTimeoutSeconds: 7200,
      sessionMaxAgeSeconds: 7 * 86_400,
      emailVerificationRequired: true,
      auditRetentionDays: 0,
    });

    const changed = await updateSettings({ mfaRequired: false, sessionIdleTimeoutSeconds: '30m' }, consoleActor(admin.id));
    expect(changed.ok).toBe(true);
    expect(await runtimeSettings()).toMatchObject({ mfaRequired: false, sessionIdleTimeoutSeconds: 1800, emailVerificationRequired: true });
    const described = await currentSettingsDescription();
    expect(described.mfaRequired).toMatchObject({ value: false, source: 'console', defaultValue: true });
    expect(described.mfaRequired.updatedAt).not.toBeNull();
    expect(described.emailVerificationRequired).toMatchObject({ value: true, source: 'default', defaultValue: true, updatedAt: null });

    expect((await updateSettings({ mfaRequired: null }, consoleActor(admin.id))).ok).toBe(true);
    expect(await runtimeSettings()).toMatchObject({ mfaRequired: true, sessionIdleTimeoutSeconds: 1800 });
    expect((await database.sql('SELECT key FROM settings ORDER BY key')).map((row) => row.key)).toEqual(['sessionIdleTimeoutSeconds']);
  });

  it('ignores a stored value that is not valid for its setting, and the default applies', async () => {
    await database.sql(`INSERT INTO settings (key, value, updated_at) VALUES ('passwordMinLength', '4', now()), ('mfaRequired', '"yes"', now())`);
    expect(await runtimeSettings()).toMatchObject({ passwordMinLength: 12, mfaRequired: false });
  });

  it('are read through a 5-second cache: a change made by another instance shows within it', async () => {
    expect((await runtimeSettings()).auditRetentionDays).toBe(0);
    // Another instance saves a value: this one goes on with what it read, for up to CACHE_TTL_MS.
    await database.sql(`INSERT INTO settings (key, value, updated_at) VALUES ('auditRetentionDays', '30', now())`);
    expect((await runtimeSettings()).auditRetentionDays).toBe(0);
    const start = performance.now();
    vi.spyOn(performance, 'now').mockReturnValue(start + CACHE_TTL_MS + 1);
    expect((await runtimeSettings()).auditRetentionDays).toBe(30);
  });
});

describe('changes are audited', () => {
  it('as one settings.changed event with each field before and after, the administrator as actor', async () => {
    const before = (await settingsEvents()).length;
    const result = await updateSettings({ passwordMinLength: 16, auditRetentionDays: '365', mfaRequired: false }, consoleActor(admin.id));
    expect(result).toMatchObject({
      ok: true,
      changes: [
        { field: 'passwordMinLength', before: 12, after: 16 },
        { field: 'mfaRequired', before: false, after: false },
        { field: 'auditRetentionDays', before: 0, after: 365 },
      ],
    });
    const events = await settingsEvents();
    expect(events).toHaveLength(before + 1);
    expect(events.at(-1)).toMatchObject({
      actor_user_id: admin.id,
      actor_api_key_id: null,
      subject: 'runtime_settings',
      ip: '192.0.2.50',
      details: {
        changes: [
          { field: 'passwordMinLength', before: 12, after: 16 },
          { field: 'mfaRequired', before: false, after: false },
          { field: 'auditRetentionDays', before: 0, after: 365 },
        ],
        overridden: ['passwordMinLength', 'mfaRequired', 'auditRetentionDays'],
      },
    });
    const rows = await database.sql<{ key: string; value: unknown; updated_by_user_id: string | null }>(
      'SELECT key, value, updated_by_user_id FROM settings ORDER BY key',
    );
    expect(rows).toEqual([
      { key: 'auditRetentionDays', value: 365, updated_by_user_id: admin.id },
      { key: 'mfaRequired', value: false, updated_by_user_id: admin.id },
      { key: 'passwordMinLength', value: 16, updated_by_user_id: admin.id },
    ]);

    // Saving the same values again changes nothing and records nothing.
    const again = await updateSettings({ passwordMinLength: 16, auditRetentionDays: 365 }, consoleActor(admin.id));
    expect(again).toMatchObject({ ok: true, changes: [] });
    expect(await settingsEvents()).toHaveLength(before + 1);
  });

  it('with the API key as actor when an API key makes the change', async () => {
    const apiKeyId = randomUUID();
    const result = await updateSettings({ emailVerificationRequired: true }, { kind: 'api_key', apiKeyId, context: testContext() });
    expect(result.ok).toBe(true);
    expect((await settingsEvents()).at(-1)).toMatchObject({ actor_user_id: null, actor_api_key_id: apiKeyId });
    expect(await database.sql('SELECT updated_by_user_id FROM settings')).toEqual([{ updated_by_user_id: null }]);
  });

  it('apart from the start-up audit of the environment, which sees no change at the next start', async () => {
    const config = useTestConfig({ OPTARE_ISSUER: ISSUER });
    const context = { ip: null, userAgent: 'optare-server', requestId: null };
    await auditSettingsChanges(config, context);
    expect((await updateSettings({ sessionMaxAgeSeconds: '1d' }, consoleActor(admin.id))).ok).toBe(true);
    // A restart with the same environment: nothing to record, whatever the console changed.
    expect(await auditSettingsChanges(config, context)).toEqual([]);
  });

  it('refuses bad input with field errors, and writes and records nothing', async () => {
    const before = (await settingsEvents()).length;
    const cases: Array<[unknown, string]> = [
      [{ passwordMinLength: 8 }, 'passwordMinLength'],
      [{ passwordMinLength: 129 }, 'passwordMinLength'],
      [{ mfaRequired: 'yes' }, 'mfaRequired'],
      [{ sessionIdleTimeoutSeconds: '10s' }, 'sessionIdleTimeoutSeconds'],
      [{ auditRetentionDays: -5 }, 'auditRetentionDays'],
      [{ smtpUrl: 'smtp://mail.example.com' }, 'form'],
      [{ sessionIdleTimeoutSeconds: '2d', sessionMaxAgeSeconds: '1d' }, 'sessionIdleTimeoutSeconds'],
    ];
    for (const [input, field] of cases) {
      const result = await updateSettings(input, consoleActor(admin.id));
      expect(result.ok, JSON.stringify(input)).toBe(false);
      if (!result.ok) expect(Object.keys(result.fieldErrors), JSON.stringify(input)).toContain(field);
    }
    // The environment's idle timeout (8h) is longer than a maximum age of 1h sent alone.
    expect(await updateSettings({ sessionMaxAgeSeconds: '1h' }, consoleActor(admin.id))).toEqual({
      ok: false,
      fieldErrors: { sessionIdleTimeoutSeconds: ['The idle timeout cannot be longer than the maximum age.'] },
    });
    // The maximum age is stored; an idle timeout longer than it is refused though sent alone.
    expect((await updateSettings({ sessionIdleTimeoutSeconds: '30m', sessionMaxAgeSeconds: '1h' }, consoleActor(admin.id))).ok).toBe(true);
    const alone = await updateSettings({ sessionIdleTimeoutSeconds: '2h' }, consoleActor(admin.id));
    expect(alone).toEqual({ ok: false, fieldErrors: { sessionIdleTimeoutSeconds: ['The idle timeout cannot be longer than the maximum age.'] } });
    expect(await database.sql('SELECT key, value FROM settings ORDER BY key')).toEqual([
      { key: 'sessionIdleTimeoutSeconds', value: 1800 },
      { key: 'sessionMaxAgeSeconds', value: 3600 },
    ]);
    expect(await settingsEvents()).toHaveLength(before + 1);
  });
});

describe('the code that enforces each setting uses the value in force', () => {
  it('password minimum length 16: a 14-character password is refused at sign-up, password change and reset', async () => {
    const fine = await newAccount('pw-policy');
    expect((await createUser({ email: uniqueEmail('short'), password: FOURTEEN }, testContext(), 'sign_up')).ok).toBe(true);

    expect((await updateSettings({ passwordMinLength: 16 }, consoleActor(admin.id))).ok).toBe(true);
    const email = uniqueEmail('short');
    const signUp = await signUpRoute(jsonPost(ISSUER, '/api/auth/sign-up', { email, password: FOURTEEN, name: 'Shor T' }));
    expect(signUp.status).toBe(400);
    expect(await signUp.json()).toMatchObject({ fieldErrors: { password: ['Use at least 16 characters.'] } });
    expect(await database.sql('SELECT 1 FROM users WHERE email = $1', [email])).toHaveLength(0);
    expect((await signUpRoute(jsonPost(ISSUER, '/api/auth/sign-up', { email, password: `${FOURTEEN}xy`, name: 'Long Er' }))).status).toBe(201);

    const session = await createSession(fine.id, ['pwd'], testContext());
    expect(await changePassword({ id: session.sessionId, userId: fine.id }, { currentPassword: GOOD_PASSWORD, newPassword: FOURTEEN }, testContext())).toEqual({
      ok: false,
      fieldErrors: { newPassword: ['Use at least 16 characters.'] },
    });

    const link = await issueEmailLink(fine.id, 'reset_password', fine.email);
    const token = new URL(link).hash.replace('#token=', '');
    expect(await resetPassword({ token, password: FOURTEEN }, testContext())).toEqual({ ok: false, fieldErrors: { password: ['Use at least 16 characters.'] } });
    expect((await resetPassword({ token, password: `${FOURTEEN}xy` }, testContext())).ok).toBe(true);
  });

  it('MFA required: a user without a second factor goes to enrollment after signing in', async () => {
    const user = await newAccount('mfa-policy');
    const signIn = () => signInRoute(jsonPost(ISSUER, '/api/auth/sign-in', { email: user.email, password: GOOD_PASSWORD }));
    expect(await expectJson(await signIn())).toEqual({ redirectTo: '/' });
    expect((await updateSettings({ mfaRequired: true }, consoleActor(admin.id))).ok).toBe(true);
    expect(await expectJson(await signIn())).toEqual({ redirectTo: '/sign-in/enroll' });
  });

  it('session lifetimes: new sessions take the idle timeout and maximum age set here', async () => {
    const user = await newAccount('session-policy');
    expect((await updateSettings({ sessionIdleTimeoutSeconds: '30m', sessionMaxAgeSeconds: '2h' }, consoleActor(admin.id))).ok).toBe(true);
    const now = new Date('2026-11-30T10:00:00.000Z');
    const { sessionId } = await createSession(user.id, ['pwd'], testContext(), now);
    const [row] = await database.sql<{ idle_expires_at: Date; absolute_expires_at: Date }>(
      'SELECT idle_expires_at, absolute_expires_at FROM sessions WHERE id = $1',
      [sessionId],
    );
    expect(row!.idle_expires_at.toISOString()).toBe('2026-11-30T10:30:00.000Z');
    expect(row!.absolute_expires_at.toISOString()).toBe('2026-11-30T12:00:00.000Z');
  });

  it('email verification required: an unverified user cannot sign in until it is given back', async () => {
    const user = await newAccount('verify-policy');
    const signIn = () => signInRoute(jsonPost(ISSUER, '/api/auth/sign-in', { email: user.email, password: GOOD_PASSWORD }));
    expect((await updateSettings({ emailVerificationRequired: true }, consoleActor(admin.id))).ok).toBe(true);
    const refused = await signIn();
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: 'email_unverified' });
    expect((await updateSettings({ emailVerificationRequired: null }, consoleActor(admin.id))).ok).toBe(true);
    expect((await signIn()).status).toBe(200);
  });
});

describe('the console route POST /api/admin/console/settings', () => {
  it('saves for a console administrator and answers what changed and the settings now', async () => {
    const { cookie } = await consoleSignIn(admin.id);
    const body = await expectJson(await callConsole(settingsRoute, '/settings', { cookie, body: JSON.stringify({ passwordMinLength: '20' }) }));
    expect(body.changes).toEqual([{ field: 'passwordMinLength', before: 12, after: 20 }]);
    expect(body.settings.passwordMinLength).toMatchObject({ value: 20, source: 'console', defaultValue: 12 });
    expect((await runtimeSettings()).passwordMinLength).toBe(20);
  });

  it('answers field errors with 400 in the one error shape', async () => {
    const { cookie } = await consoleSignIn(admin.id);
    const refused = await expectRefused(await callConsole(settingsRoute, '/settings', { cookie, body: JSON.stringify({ passwordMinLength: 3 }) }), 400);
    expect(refused).toMatchObject({ error: 'invalid_request', fieldErrors: { passwordMinLength: ['The minimum length must be at least 12.'] } });
  });

  it('refuses the signed-out, non-administrators, other sites and hostile bodies, changing nothing', async () => {
    const member = await newAccount('member');
    const { cookie } = await consoleSignIn(admin.id);
    const memberCookie = (await consoleSignIn(member.id)).cookie;
    const change = JSON.stringify({ mfaRequired: true });
    await expectRefused(await callConsole(settingsRoute, '/settings', { body: change }), 401);
    await expectRefused(await callConsole(settingsRoute, '/settings', { cookie: memberCookie, body: change }), 403);
    await expectRefused(await callConsole(settingsRoute, '/settings', { cookie, body: change, headers: { origin: 'https://evil.example' } }), 403);
    for (const [name, body] of HOSTILE_BODIES) {
      await expectRefused(await callConsole(settingsRoute, '/settings', { cookie, body }), undefined).catch((error: Error) => {
        throw new Error(`${name}: ${error.message}`);
      });
    }
    expect(await database.sql('SELECT key FROM settings')).toEqual([]);
    expect((await runtimeSettings()).mfaRequired).toBe(false);
  });
});
