import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as requestRoute } from '../../app/api/auth/password-reset/request/route';
import { POST as resetRoute } from '../../app/api/auth/password-reset/route';
import { authenticate } from '../../lib/auth/accounts';
import { createSession, validateSessionToken } from '../../lib/auth/sessions';
import { isTrustedBrowser, trustBrowser } from '../../lib/auth/trusted-devices';
import { requestPasswordReset, resetPassword } from '../../lib/auth/password-reset';
import { sendVerificationEmail } from '../../lib/auth/email-verification';
import { useTestConfig as installTestConfig } from '../support/config';
import type { TestDatabase } from '../support/database';
import { GOOD_PASSWORD, testContext } from '../support/context';
import { jsonPost, linkToken, mailTo } from './email-support';
import { ISSUER, newClient, newUser, openOAuthTestDatabase, refresh, signIn, type TestClient } from './token-endpoint.helpers';

/**
 * Password reset: an answer that does not tell whether an account exists, single-use links
 * that expire after 30 minutes and are stored only as hashes, and a reset that ends everything.
 */

const NEW_PASSWORD = 'a brand new reset passphrase';

let database: TestDatabase;
let app: TestClient;
beforeAll(async () => {
  database = await openOAuthTestDatabase();
  app = await newClient();
});
afterAll(() => database.close());

async function passwordHash(userId: string): Promise<string> {
  const [row] = await database.sql<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = $1', [userId]);
  return row!.password_hash;
}

async function resetLink(email: string): Promise<string> {
  expect(await requestPasswordReset({ email }, testContext())).toEqual({ ok: true });
  const messages = (await mailTo(email)).filter((message) => message.subject === 'Reset your password');
  return linkToken(messages.at(-1));
}

async function bodyOf(response: Response) {
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('asking for a reset link', () => {
  it('answers the same for an existing and an unknown address, and emails only the existing one', async () => {
    const user = await newUser();
    const unknown = `nobody.${Date.now()}@example.com`;
    const known = await bodyOf(await requestRoute(jsonPost(ISSUER, '/api/auth/password-reset/request', { email: user.email })));
    const missing = await bodyOf(await requestRoute(jsonPost(ISSUER, '/api/auth/password-reset/request', { email: unknown })));
    expect(known).toEqual({ status: 200, body: { redirectTo: '/forgot-password?sent=1' } });
    expect(missing).toEqual(known);
    expect(await mailTo(user.email)).toHaveLength(1);
    expect(await mailTo(unknown)).toHaveLength(0);
    const events = await database.sql<{ outcome: string; details: Record<string, string> }>(
      `SELECT outcome, details FROM audit_events WHERE type = 'user.password_reset_requested' AND subject IN ($1, $2) ORDER BY seq`,
      [user.id, unknown],
    );
    expect(events).toEqual([
      { outcome: 'success', details: {} },
      { outcome: 'failure', details: { reason: 'unknown_account' } },
    ]);
  });

  it('stores only the SHA-256 of the token, and the link expires after 30 minutes', async () => {
    const user = await newUser();
    const token = await resetLink(user.email);
    const rows = await database.sql<{ token_hash: Buffer; created_at: Date; expires_at: Date; purpose: string }>(
      'SELECT token_hash, created_at, expires_at, purpose FROM email_tokens WHERE user_id = $1',
      [user.id],
    );
    expect(rows).toHaveLength(1);
    expect(Buffer.from(rows[0]!.token_hash).equals(createHash('sha256').update(token).digest())).toBe(true);
    expect(rows[0]!.purpose).toBe('reset_password');
    expect(rows[0]!.expires_at.getTime() - rows[0]!.created_at.getTime()).toBe(30 * 60 * 1000);
    const dump = JSON.stringify(await database.sql('SELECT * FROM email_tokens')) + JSON.stringify(await database.sql('SELECT details FROM audit_events'));
    expect(dump).not.toContain(token);
  });

  it('refuses oversized and non-object bodies with a 4xx and sends nothing', async () => {
    const { NextRequest } = await import('next/server');
    for (const body of [JSON.stringify({ email: 'a@example.com', pad: 'x'.repeat(20_000) }), '[]', 'not json', '"a@example.com"']) {
      const response = await requestRoute(
        new NextRequest(`${ISSUER}/api/auth/password-reset/request`, { method: 'POST', headers: { 'content-type': 'application/json', origin: ISSUER }, body }),
      );
      expect(response.status, body.slice(0, 20)).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
    }
    expect(await mailTo('a@example.com')).toHaveLength(0);
  });

  it('refuses malformed addresses with 400 and field errors', async () => {
    const answer = await bodyOf(await requestRoute(jsonPost(ISSUER, '/api/auth/password-reset/request', { email: 'x'.repeat(300) })));
    expect(answer.status).toBe(400);
    expect(answer.body.fieldErrors).toHaveProperty('email');
  });
});

describe('using a reset link', () => {
  it('sets the password and ends every session, refresh token, access grant and remembered browser of the user', async () => {
    const user = await newUser();
    const session = await createSession(user.id, ['pwd'], testContext());
    const tokens = await signIn(app, user);
    const trusted = await trustBrowser(user.id, testContext());
    const token = await resetLink(user.email);

    const answer = await bodyOf(await resetRoute(jsonPost(ISSUER, '/api/auth/password-reset', { token, password: NEW_PASSWORD })));
    expect(answer).toEqual({ status: 200, body: { redirectTo: '/sign-in?reset=1' } });

    expect((await authenticate({ email: user.email, password: NEW_PASSWORD }, testContext())).ok).toBe(true);
    expect(await authenticate({ email: user.email, password: GOOD_PASSWORD }, testContext())).toEqual({ ok: false, error: 'invalid_credentials' });
    expect(await validateSessionToken(session.token, testContext())).toBeNull();
    const refreshed = await refresh(app, tokens.refresh_token!);
    expect(refreshed.status).toBe(400);
    expect(refreshed.body).toMatchObject({ error: 'invalid_grant' });
    expect(await isTrustedBrowser(user.id, trusted)).toBe(false);
    const [event] = await database.sql<{ outcome: string; details: Record<string, number> }>(
      `SELECT outcome, details FROM audit_events WHERE type = 'user.password_reset' AND subject = $1`,
      [user.id],
    );
    expect(event).toMatchObject({ outcome: 'success', details: { sessionsEnded: 1, grantsRevoked: 1 } });
    // The link proved the address works.
    const [row] = await database.sql<{ email_verified_at: Date | null }>('SELECT email_verified_at FROM users WHERE id = $1', [user.id]);
    expect(row!.email_verified_at).not.toBeNull();
  });

  it('refuses a reused link with 400 and changes nothing', async () => {
    const user = await newUser();
    const token = await resetLink(user.email);
    expect((await resetPassword({ token, password: NEW_PASSWORD }, testContext())).ok).toBe(true);
    const hash = await passwordHash(user.id);
    const again = await bodyOf(await resetRoute(jsonPost(ISSUER, '/api/auth/password-reset', { token, password: 'yet another passphrase here' })));
    expect(again.status).toBe(400);
    expect(again.body.error).toBe('invalid_token');
    expect(await passwordHash(user.id)).toBe(hash);
  });

  it('refuses an expired link (after 30 minutes) and changes nothing', async () => {
    const user = await newUser();
    const token = await resetLink(user.email);
    const hash = await passwordHash(user.id);
    const later = new Date(Date.now() + 30 * 60 * 1000 + 1000);
    expect(await resetPassword({ token, password: NEW_PASSWORD }, testContext(), later)).toEqual({ ok: false, error: 'invalid_token' });
    expect(await passwordHash(user.id)).toBe(hash);
    // Just before expiry it still works.
    expect((await resetPassword({ token, password: NEW_PASSWORD }, testContext(), new Date(Date.now() + 29 * 60 * 1000))).ok).toBe(true);
  });

  it('refuses wrong, malformed, oversized and other-purpose tokens with 400 and changes nothing', async () => {
    const user = await newUser();
    await resetLink(user.email);
    await database.sql('UPDATE users SET email_verified_at = NULL WHERE id = $1', [user.id]);
    await sendVerificationEmail(user.id, testContext());
    const verifyToken = linkToken((await mailTo(user.email)).find((message) => message.subject === 'Confirm your email address'));
    const hash = await passwordHash(user.id);
    const sessions = await createSession(user.id, ['pwd'], testContext());
    for (const token of ['A'.repeat(43), 'short', 'x'.repeat(10_000), null, 42, { $ne: null }, verifyToken, undefined]) {
      const answer = await bodyOf(await resetRoute(jsonPost(ISSUER, '/api/auth/password-reset', { token, password: NEW_PASSWORD })));
      expect(answer.status, JSON.stringify(token)).toBe(400);
      expect(answer.body.error).toBe('invalid_token');
    }
    expect(await passwordHash(user.id)).toBe(hash);
    expect(await validateSessionToken(sessions.token, testContext())).not.toBeNull();
  });

  it('resets only the account the link belongs to', async () => {
    const ada = await newUser('Ada');
    const bob = await newUser('Bob');
    const bobHash = await passwordHash(bob.id);
    const bobSession = await createSession(bob.id, ['pwd'], testContext());
    const token = await resetLink(ada.email);
    expect((await resetPassword({ token, password: NEW_PASSWORD }, testContext())).ok).toBe(true);
    expect(await passwordHash(bob.id)).toBe(bobHash);
    expect(await validateSessionToken(bobSession.token, testContext())).not.toBeNull();
  });

  it('keeps the link usable when the new password fails the policy', async () => {
    const user = await newUser();
    const token = await resetLink(user.email);
    const hash = await passwordHash(user.id);
    for (const password of ['short', 'password1234', user.email]) {
      const answer = await bodyOf(await resetRoute(jsonPost(ISSUER, '/api/auth/password-reset', { token, password })));
      expect(answer.status).toBe(400);
      expect(answer.body.fieldErrors).toHaveProperty('password');
    }
    expect(await passwordHash(user.id)).toBe(hash);
    expect((await resetPassword({ token, password: NEW_PASSWORD }, testContext())).ok).toBe(true);
  });

  it('lets only the newest link work', async () => {
    const user = await newUser();
    const first = await resetLink(user.email);
    const second = await resetLink(user.email);
    expect(await resetPassword({ token: first, password: NEW_PASSWORD }, testContext())).toEqual({ ok: false, error: 'invalid_token' });
    expect((await resetPassword({ token: second, password: NEW_PASSWORD }, testContext())).ok).toBe(true);
  });

  it('lets exactly one of two concurrent uses of a link win', async () => {
    const user = await newUser();
    const token = await resetLink(user.email);
    const results = await Promise.all([
      resetPassword({ token, password: NEW_PASSWORD }, testContext()),
      resetPassword({ token, password: 'the other new passphrase' }, testContext()),
    ]);
    expect(results.filter((result) => result.ok)).toHaveLength(1);
  });
});

describe('password-reset rate limits', () => {
  it('stops emailing one address past its limit (same answer), and refuses one IP address past its limit with 429', async () => {
    installTestConfig({ OPTARE_ISSUER: ISSUER, OPTARE_RATE_LIMIT_PASSWORD_RESET: '2/1h', OPTARE_RATE_LIMIT_EMAIL_REQUESTS_IP: '5/1h' });
    const user = await newUser();
    for (let i = 0; i < 3; i++) {
      const answer = await requestRoute(jsonPost(ISSUER, '/api/auth/password-reset/request', { email: user.email }, {}, '198.51.100.50'));
      expect(answer.status).toBe(200);
    }
    expect(await mailTo(user.email)).toHaveLength(2);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      statuses.push((await requestRoute(jsonPost(ISSUER, '/api/auth/password-reset/request', { email: `n${i}@example.com` }, {}, '198.51.100.50'))).status);
    }
    expect(statuses).toEqual([200, 200, 429]);
    const other = await requestRoute(jsonPost(ISSUER, '/api/auth/password-reset/request', { email: 'n9@example.com' }, {}, '198.51.100.51'));
    expect(other.status).toBe(200);
  });
});

describe('expired links are cleaned up', () => {
  it('deletes expired email tokens and keeps live ones', async () => {
    const { deleteExpiredEmailTokens } = await import('../../lib/db/email-tokens');
    const user = await newUser();
    await resetLink(user.email);
    expect(await deleteExpiredEmailTokens(new Date())).toBeGreaterThanOrEqual(0);
    expect(await database.sql('SELECT 1 FROM email_tokens WHERE user_id = $1', [user.id])).toHaveLength(1);
    await deleteExpiredEmailTokens(new Date(Date.now() + 31 * 60 * 1000));
    expect(await database.sql('SELECT 1 FROM email_tokens WHERE user_id = $1', [user.id])).toHaveLength(0);
  });
});
