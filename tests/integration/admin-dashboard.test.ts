import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dashboardData, lastDays } from '../../lib/admin/dashboard';
import { recordAuditEvent } from '../../lib/audit/record';
import { authenticate } from '../../lib/auth/accounts';
import { createSession } from '../../lib/auth/sessions';
import { addTokenIssuanceCounts } from '../../lib/db/token-counts';
import { activeSigningKey, ensureSigningKey } from '../../lib/oauth/keys/signing-keys';
import { GOOD_PASSWORD, testContext } from '../support/context';
import type { TestDatabase } from '../support/database';
import { newAccount, newAdmin, newApiKey } from './admin-users-support';
import { newClient, openOAuthTestDatabase } from './token-endpoint.helpers';

/** The dashboard's figures (lib/admin/dashboard.ts) for known data, and the security check's facts. */

const DAY_MS = 86_400_000;
let database: TestDatabase;
beforeAll(async () => {
  database = await openOAuthTestDatabase();
});
afterAll(() => database.close());

const day = (daysAgo: number) => new Date(Date.now() - daysAgo * DAY_MS).toISOString().slice(0, 10);

async function signInFailureAt(daysAgo: number, email: string) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(Date.now() - daysAgo * DAY_MS));
  try {
    await recordAuditEvent({ type: 'auth.sign_in', outcome: 'failure', subject: email, details: { method: 'pwd', reason: 'unknown_account' }, context: testContext() });
  } finally {
    vi.useRealTimers();
  }
}

describe('dashboard data', () => {
  it('lastDays gives the 30 UTC days ending today, oldest first', () => {
    const days = lastDays(new Date('2026-03-01T05:00:00Z'), 3);
    expect(days).toEqual(['2026-02-27', '2026-02-28', '2026-03-01']);
    expect(lastDays(new Date(), 30)).toHaveLength(30);
  });

  it('counts sign-ins per day and outcome, second-factor adoption, live sessions and tokens per client', async () => {
    const admin = await newAdmin();
    const alice = await newAccount('alice');
    const bob = await newAccount('bob');
    const carol = await newAccount('carol');
    // Alice has a confirmed authenticator app, Bob a passkey, Carol an app she never confirmed.
    await database.sql(`INSERT INTO totp_factors (user_id, secret_encrypted, confirmed_at) VALUES ($1, 'sealed', now()), ($2, 'sealed', NULL)`, [alice.id, carol.id]);
    await database.sql(
      `INSERT INTO webauthn_credentials (id, user_id, credential_id, public_key, transports, backup_eligible, backed_up, aaguid, nickname)
       VALUES (gen_random_uuid(), $1, '\\x01', '\\x02', '{}', false, false, '00000000-0000-0000-0000-000000000000', 'Key')`,
      [bob.id],
    );
    const disabled = await newAccount('gone');
    await database.sql('UPDATE users SET disabled_at = now() WHERE id = $1', [disabled.id]);

    // Today: 2 successful sign-ins and 1 failure; 3 days ago: 2 failures; 40 days ago: 1 (outside).
    expect((await authenticate({ email: alice.email, password: GOOD_PASSWORD }, testContext())).ok).toBe(true);
    expect((await authenticate({ email: bob.email, password: GOOD_PASSWORD }, testContext())).ok).toBe(true);
    expect((await authenticate({ email: bob.email, password: 'not the password at all' }, testContext())).ok).toBe(false);
    await signInFailureAt(3, 'mallory@example.com');
    await signInFailureAt(3, 'mallory@example.com');
    await signInFailureAt(40, 'mallory@example.com');

    // Live sessions: two started today, one two days ago; one expired.
    await createSession(alice.id, ['pwd'], testContext());
    await createSession(bob.id, ['pwd'], testContext());
    const older = await createSession(carol.id, ['pwd'], testContext());
    await database.sql(`UPDATE sessions SET created_at = now() - interval '2 days' WHERE id = $1`, [older.sessionId]);
    const expired = await createSession(carol.id, ['pwd'], testContext());
    await database.sql(`UPDATE sessions SET idle_expires_at = now() - interval '1 minute' WHERE id = $1`, [expired.sessionId]);

    const app = await newClient({ name: 'Billing' });
    await addTokenIssuanceCounts([
      { day: day(0), clientId: app.client.id, count: 7 },
      { day: day(5), clientId: app.client.id, count: 5 },
      { day: day(1), clientId: 'deleted-client', count: 20 },
      { day: day(45), clientId: 'ancient-client', count: 1000 },
    ]);

    const data = await dashboardData();
    expect(data.signIns).toHaveLength(30);
    expect(data.signIns.at(-1)).toEqual({ day: day(0), successes: 2, failures: 1 });
    expect(data.signIns.at(-4)).toEqual({ day: day(3), successes: 0, failures: 2 });
    expect(data.signIns.reduce((sum, entry) => sum + entry.successes + entry.failures, 0)).toBe(5);
    expect(data.since).toBe(day(29));

    // Enabled users: admin, alice, bob, carol; with a factor: alice (app) and bob (passkey).
    expect(data.mfa).toEqual({ users: 4, withSecondFactor: 2 });

    expect(data.sessions.active).toBe(3);
    expect(data.sessions.byDay.at(-1)).toEqual({ day: day(0), count: 2 });
    expect(data.sessions.byDay.at(-3)).toEqual({ day: day(2), count: 1 });

    expect(data.tokens).toEqual([
      { clientId: 'deleted-client', name: null, count: 20 },
      { clientId: app.client.id, name: 'Billing', count: 12 },
    ]);

    // The administrator has no second factor: the security check says so, naming them.
    const warning = data.warnings.find((entry) => entry.id === 'admins_without_mfa');
    expect(warning?.detail).toContain(admin.email);
    expect(data.warnings.map((entry) => entry.id)).not.toContain('issuer_not_https');
    expect(data.warnings.map((entry) => entry.id)).not.toContain('development_encryption_key');
  });

  it('flags API keys older than the rotation age, and not the young ones', async () => {
    const old = await newApiKey(['audit:read']);
    await newApiKey(['audit:read']);
    await database.sql(`UPDATE api_keys SET created_at = now() - interval '100 days' WHERE id = $1`, [old.id]);
    const warning = (await dashboardData()).warnings.find((entry) => entry.id === 'api_keys_due_for_rotation');
    expect(warning?.title).toBe('1 API key is due for rotation');
    expect(warning?.detail).toContain(old.prefix);
  });

  it('flags an overdue signing key of any algorithm in use, not only RS256', async () => {
    await ensureSigningKey();
    const es256 = await activeSigningKey('ES256');
    const overdue = async () => (await dashboardData()).warnings.find((entry) => entry.id === 'signing_key_overdue');
    expect(await overdue()).toBeUndefined();
    await database.sql(`UPDATE signing_keys SET created_at = now() - interval '100 days' WHERE kid = $1`, [es256.kid]);
    expect(await overdue()).toMatchObject({ severity: 'warning', detail: expect.stringContaining(`Key ${es256.kid} (ES256) is 100 days old`) });
  });
});
