import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as signUpRoute } from '../../app/api/auth/sign-up/route';
import { POST as signInRoute } from '../../app/api/auth/sign-in/route';
import { POST as verifyRoute } from '../../app/api/auth/verify-email/route';
import { POST as resendRoute } from '../../app/api/auth/verify-email/resend/route';
import { sendVerificationEmail, verifyEmail } from '../../lib/auth/email-verification';
import { requestEmailChange, confirmEmailChange } from '../../lib/auth/email-change';
import { useTestConfig } from '../support/config';
import type { TestDatabase } from '../support/database';
import { GOOD_PASSWORD, testContext, uniqueEmail } from '../support/context';
import { jsonPost, linkToken, mailTo } from './email-support';
import { ISSUER, newClient, newUser, openOAuthTestDatabase, signIn, userinfo, type TestClient } from './token-endpoint.helpers';

/** Email verification at sign-up, the `email_verified` claim, and address changes. */

let database: TestDatabase;
let app: TestClient;
beforeAll(async () => {
  database = await openOAuthTestDatabase();
  app = await newClient();
});
afterAll(() => database.close());

async function verifiedAt(userId: string): Promise<Date | null> {
  const [row] = await database.sql<{ email_verified_at: Date | null }>('SELECT email_verified_at FROM users WHERE id = $1', [userId]);
  return row!.email_verified_at;
}

async function verificationToken(email: string): Promise<string> {
  return linkToken((await mailTo(email)).filter((message) => message.subject === 'Confirm your email address').at(-1));
}

async function signUp(email: string) {
  return signUpRoute(jsonPost(ISSUER, '/api/auth/sign-up', { email, password: GOOD_PASSWORD, name: 'Vera' }));
}

describe('email verification (optional, the default)', () => {
  it('sends a link at sign-up that marks the address verified once, and the claim follows', async () => {
    const email = uniqueEmail('verify');
    const created = await signUp(email);
    expect(created.status).toBe(201);
    expect(created.headers.get('set-cookie') ?? '').toMatch(/optare_session=/); // optional: signed in at once
    const [user] = await database.sql<{ id: string }>('SELECT id FROM users WHERE email = $1', [email]);
    const userId = user!.id;
    expect(await verifiedAt(userId)).toBeNull();
    const before = await signIn(app, { id: userId });
    expect((await userinfo(before.access_token)).body).toMatchObject({ email, email_verified: false });

    const token = await verificationToken(email);
    const verified = await verifyRoute(jsonPost(ISSUER, '/api/auth/verify-email', { token }));
    expect(verified.status).toBe(200);
    expect(await verifiedAt(userId)).not.toBeNull();
    const after = await signIn(app, { id: userId }, { claims: { id_token: { email_verified: null } } });
    expect((await userinfo(after.access_token)).body).toMatchObject({ email, email_verified: true });
    const idToken = JSON.parse(Buffer.from(after.id_token!.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(idToken.email_verified).toBe(true);

    const again = await verifyRoute(jsonPost(ISSUER, '/api/auth/verify-email', { token }));
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: string }).error).toBe('invalid_token');
    const events = await database.sql<{ outcome: string }>(`SELECT outcome FROM audit_events WHERE type = 'user.email_verified' AND subject = $1 ORDER BY seq`, [userId]);
    expect(events.map((event) => event.outcome)).toEqual(['success']);
    const [failure] = await database.sql<{ details: Record<string, string> }>(
      `SELECT details FROM audit_events WHERE type = 'user.email_verified' AND outcome = 'failure' ORDER BY seq DESC LIMIT 1`,
    );
    expect(failure!.details).toEqual({ reason: 'invalid_token' });
  });

  it('refuses expired (after 24 hours), wrong and malformed tokens with 400 and verifies nothing', async () => {
    const user = await newUser();
    await sendVerificationEmail(user.id, testContext());
    const token = await verificationToken(user.email);
    expect(await verifyEmail({ token }, testContext(), new Date(Date.now() + 24 * 3600 * 1000 + 1000))).toEqual({ ok: false, error: 'invalid_token' });
    for (const bad of ['B'.repeat(43), token.slice(1), 'x'.repeat(5000), null, 7, ['a']]) {
      const response = await verifyRoute(jsonPost(ISSUER, '/api/auth/verify-email', { token: bad }));
      expect(response.status, JSON.stringify(bad)).toBe(400);
    }
    expect(await verifiedAt(user.id)).toBeNull();
    expect((await verifyEmail({ token }, testContext())).ok).toBe(true);
  });

  it("verifies only the account (and the address) the link was sent for", async () => {
    const ada = await newUser('Ada');
    const bob = await newUser('Bob');
    await sendVerificationEmail(ada.id, testContext());
    const token = await verificationToken(ada.email);
    expect(await verifyEmail({ token }, testContext())).toEqual({ ok: true, userId: ada.id });
    expect(await verifiedAt(bob.id)).toBeNull();
  });

  it('does not verify a new address with a link sent to the old one', async () => {
    const user = await newUser();
    await sendVerificationEmail(user.id, testContext());
    const stale = await verificationToken(user.email);
    await database.sql('UPDATE users SET email = $1 WHERE id = $2', [uniqueEmail('moved'), user.id]);
    expect(await verifyEmail({ token: stale }, testContext())).toEqual({ ok: false, error: 'invalid_token' });
    expect(await verifiedAt(user.id)).toBeNull();
  });

  it('resends with the same answer for every address', async () => {
    const user = await newUser();
    const known = await resendRoute(jsonPost(ISSUER, '/api/auth/verify-email/resend', { email: user.email }));
    const unknown = await resendRoute(jsonPost(ISSUER, '/api/auth/verify-email/resend', { email: uniqueEmail('ghost') }));
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(200);
    expect(await known.json()).toEqual(await unknown.json());
    expect(await mailTo(user.email)).toHaveLength(1);
  });
});

describe('OPTARE_EMAIL_VERIFICATION=required', () => {
  it('signs nobody in until the address is verified; a wrong password still gets the usual answer', async () => {
    useTestConfig({ OPTARE_ISSUER: ISSUER, OPTARE_EMAIL_VERIFICATION: 'required' });
    const email = uniqueEmail('required');
    const created = await signUp(email);
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual({ redirectTo: '/verify-email?sent=1' });
    expect(created.headers.get('set-cookie') ?? '').not.toMatch(/optare_session=[^;]/);

    const wrong = await signInRoute(jsonPost(ISSUER, '/api/auth/sign-in', { email, password: 'not the right passphrase' }));
    expect(wrong.status).toBe(401);
    const refused = await signInRoute(jsonPost(ISSUER, '/api/auth/sign-in', { email, password: GOOD_PASSWORD }));
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: string }).error).toBe('email_unverified');
    expect(refused.headers.get('set-cookie') ?? '').not.toMatch(/optare_session=[^;]/);

    expect((await verifyEmail({ token: await verificationToken(email) }, testContext())).ok).toBe(true);
    const allowed = await signInRoute(jsonPost(ISSUER, '/api/auth/sign-in', { email, password: GOOD_PASSWORD }));
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('set-cookie') ?? '').toMatch(/optare_session=[^;]/);
    useTestConfig({ OPTARE_ISSUER: ISSUER });
  });
});

describe('changing the address', () => {
  it('sends a link to the new address and a notice to the old one, and changes it only when the link is used', async () => {
    const user = await newUser();
    const next = uniqueEmail('new');
    expect(await requestEmailChange(user.id, { email: next, password: 'wrong password here' }, testContext())).toEqual({ ok: false, error: 'wrong_password' });
    expect(await requestEmailChange(user.id, { email: next, password: GOOD_PASSWORD }, testContext())).toEqual({ ok: true });
    const notice = await mailTo(user.email);
    expect(notice.map((message) => message.subject)).toEqual(['Your email address is about to change']);
    expect(notice[0]!.text).not.toMatch(/#token=/);
    const [confirmation] = await mailTo(next);
    const token = linkToken(confirmation);
    const [still] = await database.sql<{ email: string }>('SELECT email FROM users WHERE id = $1', [user.id]);
    expect(still!.email).toBe(user.email);

    expect(await confirmEmailChange({ token: 'C'.repeat(43) }, testContext())).toEqual({ ok: false, error: 'invalid_token' });
    expect(await confirmEmailChange({ token }, testContext())).toEqual({ ok: true, email: next });
    const [changed] = await database.sql<{ email: string; email_verified_at: Date | null }>('SELECT email, email_verified_at FROM users WHERE id = $1', [user.id]);
    expect(changed!.email).toBe(next);
    expect(changed!.email_verified_at).not.toBeNull();
    expect(await confirmEmailChange({ token }, testContext())).toEqual({ ok: false, error: 'invalid_token' });
    const events = await database.sql<{ type: string; outcome: string }>(
      `SELECT type, outcome FROM audit_events WHERE subject = $1 AND type LIKE 'user.email_change%' ORDER BY seq`,
      [user.id],
    );
    expect(events.filter((event) => event.outcome === 'success').map((event) => event.type)).toEqual(['user.email_change_requested', 'user.email_changed']);
  });

  it('refuses a link whose address another account took meanwhile, and changes nothing', async () => {
    const user = await newUser();
    const other = await newUser();
    expect(await requestEmailChange(user.id, { email: `x${other.email}`, password: GOOD_PASSWORD }, testContext())).toEqual({ ok: true });
    const token = linkToken((await mailTo(`x${other.email}`))[0]);
    await database.sql('UPDATE users SET email = $1 WHERE id = $2', [`x${other.email}`, other.id]);
    expect(await confirmEmailChange({ token }, testContext())).toEqual({ ok: false, error: 'email_taken' });
    const [row] = await database.sql<{ email: string }>('SELECT email FROM users WHERE id = $1', [user.id]);
    expect(row!.email).toBe(user.email);
  });
});
