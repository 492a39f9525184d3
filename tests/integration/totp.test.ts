import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../lib/auth/accounts';
import {
  confirmTotpEnrollment,
  hasConfirmedTotp,
  removeTotp,
  startTotpEnrollment,
  verifyTotpCode,
} from '../../lib/auth/totp';
import { decrypt, DecryptionError } from '../../lib/crypto/encryption';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { useTestConfig } from '../support/config';
import { GOOD_PASSWORD, testContext, uniqueEmail } from '../support/context';
import { base32Decode, hotp, totpAt, totpForStep, totpStep } from '../support/totp';

const ISSUER = 'Optare Test & Co';

let database: TestDatabase;
let config: ReturnType<typeof useTestConfig>;
beforeAll(async () => {
  config = useTestConfig({ OPTARE_TOTP_ISSUER: ISSUER });
  database = await openTestDatabase();
});
afterAll(() => database.close());

async function newUser(prefix = 'totp') {
  const result = await createUser({ email: uniqueEmail(prefix), password: GOOD_PASSWORD, name: 'T' }, testContext(), 'sign_up');
  if (!result.ok) throw new Error('sign-up failed');
  return result.user;
}

const STEP_MS = 30_000;
const at = (start: Date, steps: number) => new Date(start.getTime() + steps * STEP_MS);

/** A user with a confirmed authenticator; the enrollment used the step of `enrolledAt`. */
async function enrolledUser(enrolledAt = new Date()) {
  const user = await newUser();
  const started = await startTotpEnrollment(user, enrolledAt);
  if (!started.ok) throw new Error('enrollment did not start');
  const enrollmentCode = totpAt(started.secret, enrolledAt);
  expect(await confirmTotpEnrollment(user.id, enrollmentCode, testContext(), enrolledAt)).toEqual({ ok: true });
  return { user, secret: started.secret, enrolledAt, enrollmentCode };
}

async function factorEvents(userId: string) {
  return database.sql<{ type: string; outcome: string; details: Record<string, unknown> }>(
    `SELECT type, outcome, details FROM audit_events
      WHERE subject = $1 AND type IN ('auth.factor_verified', 'mfa.totp_enrolled', 'mfa.totp_removed') ORDER BY seq`,
    [userId],
  );
}

/** A six-digit code that is none of the codes of the window around `now`. */
function wrongCode(secret: string, now: Date): string {
  const valid = new Set([-1, 0, 1].map((offset) => totpAt(secret, now, offset)));
  for (let n = 0; ; n += 1) {
    const candidate = String(n).padStart(6, '0');
    if (!valid.has(candidate)) return candidate;
  }
}

describe('the test helper (tests/support/totp.ts)', () => {
  // RFC 6238 Appendix B, SHA-1 rows: 8 digits, secret "12345678901234567890".
  it.each([
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ])('gives the RFC 6238 test vector at T = %i', (seconds, expected) => {
    expect(hotp(Buffer.from('12345678901234567890'), totpStep(seconds * 1000), 8)).toBe(expected);
  });

  it('decodes RFC 4648 base32', () => {
    expect(base32Decode('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ').toString()).toBe('12345678901234567890');
    expect(base32Decode('mzxw6ytboi======').toString()).toBe('foobar');
  });
});

describe('TOTP enrollment', () => {
  it('shows the secret, an otpauth URI with the issuer and the email, and a QR code as a script-free SVG', async () => {
    const user = await newUser('ada+mfa');
    expect(user.email).toContain('+');
    const started = await startTotpEnrollment(user);
    if (!started.ok) throw new Error('enrollment did not start');
    expect(started.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Decode(started.secret)).toHaveLength(20);
    const encodedEmail = encodeURIComponent(user.email);
    expect(encodedEmail).toContain('%2B');
    expect(started.otpauthUri).toBe(
      `otpauth://totp/Optare%20Test%20%26%20Co:${encodedEmail}?secret=${started.secret}` +
        '&issuer=Optare%20Test%20%26%20Co&algorithm=SHA1&digits=6&period=30',
    );
    const uri = new URL(started.otpauthUri);
    expect(decodeURIComponent(uri.pathname.slice(1))).toBe(`${ISSUER}:${user.email}`);
    expect(uri.searchParams.get('issuer')).toBe(ISSUER);

    expect(started.qrSvg.trim()).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>.*<\/svg>$/s);
    expect(started.qrSvg).toMatch(/<path [^>]*d="M/);
    expect(started.qrSvg).not.toMatch(/<script|javascript:|\son[a-z]+=|<foreignObject|href=/i);
  });

  it('does not make a factor until a valid code is entered', async () => {
    const user = await newUser();
    const now = new Date();
    const started = await startTotpEnrollment(user, now);
    if (!started.ok) throw new Error('enrollment did not start');
    expect(await hasConfirmedTotp(user.id)).toBe(false);
    // A pending factor does not pass a sign-in, even with the right code.
    expect(await verifyTotpCode(user.id, totpAt(started.secret, now), testContext(), now)).toBe(false);

    expect(await confirmTotpEnrollment(user.id, wrongCode(started.secret, now), testContext(), now)).toEqual({ ok: false, error: 'invalid_code' });
    expect(await confirmTotpEnrollment(user.id, 'abcdef', testContext(), now)).toEqual({ ok: false, error: 'invalid_code' });
    expect(await confirmTotpEnrollment(user.id, totpAt(started.secret, now, -2), testContext(), now)).toEqual({ ok: false, error: 'invalid_code' });
    expect(await hasConfirmedTotp(user.id)).toBe(false);
    const [pending] = await database.sql('SELECT confirmed_at, last_used_step FROM totp_factors WHERE user_id = $1', [user.id]);
    expect(pending).toEqual({ confirmed_at: null, last_used_step: null });

    expect(await confirmTotpEnrollment(user.id, totpAt(started.secret, now), testContext(), now)).toEqual({ ok: true });
    expect(await hasConfirmedTotp(user.id)).toBe(true);
    const [row] = await database.sql('SELECT confirmed_at, last_used_step FROM totp_factors WHERE user_id = $1', [user.id]);
    expect(row!.confirmed_at.getTime()).toBe(now.getTime());
    expect(String(row!.last_used_step)).toBe(String(totpStep(now)));
    expect(await factorEvents(user.id)).toEqual([
      { type: 'auth.factor_verified', outcome: 'failure', details: { method: 'totp', reason: 'not_enrolled' } },
      { type: 'mfa.totp_enrolled', outcome: 'success', details: {} },
    ]);
  });

  it('says no_enrollment when nothing is pending, and refuses to start again while a factor is confirmed', async () => {
    const stranger = await newUser();
    expect(await confirmTotpEnrollment(stranger.id, '123456', testContext())).toEqual({ ok: false, error: 'no_enrollment' });

    const { user, secret, enrolledAt } = await enrolledUser();
    const later = at(enrolledAt, 1);
    expect(await confirmTotpEnrollment(user.id, totpAt(secret, later), testContext(), later)).toEqual({ ok: false, error: 'no_enrollment' });
    expect(await startTotpEnrollment(user)).toEqual({ ok: false, error: 'already_enrolled' });
    const [row] = await database.sql('SELECT confirmed_at FROM totp_factors WHERE user_id = $1', [user.id]);
    expect(row!.confirmed_at).not.toBeNull();
  });

  it('restarting replaces the pending secret: codes of the old one no longer confirm', async () => {
    const user = await newUser();
    const now = new Date();
    const first = await startTotpEnrollment(user, now);
    const second = await startTotpEnrollment(user, now);
    if (!first.ok || !second.ok) throw new Error('enrollment did not start');
    expect(second.secret).not.toBe(first.secret);
    const oldCode = totpAt(first.secret, now);
    if (oldCode !== totpAt(second.secret, now)) {
      expect(await confirmTotpEnrollment(user.id, oldCode, testContext(), now)).toEqual({ ok: false, error: 'invalid_code' });
    }
    expect(await confirmTotpEnrollment(user.id, totpAt(second.secret, now), testContext(), now)).toEqual({ ok: true });
    expect(await database.sql('SELECT 1 FROM totp_factors WHERE user_id = $1', [user.id])).toHaveLength(1);
  });

  it('seals the secret at rest, bound to the user: another context does not decrypt it', async () => {
    const { user, secret } = await enrolledUser();
    const other = await newUser();
    const [row] = await database.sql<{ secret_encrypted: string }>('SELECT secret_encrypted FROM totp_factors WHERE user_id = $1', [user.id]);
    const sealed = row!.secret_encrypted;
    expect(sealed).not.toContain(secret);
    expect(sealed.toUpperCase()).not.toContain(secret);
    expect(sealed).not.toContain(base32Decode(secret).toString('base64url'));
    expect(sealed).toMatch(/^v1\./);
    expect(decrypt(sealed, config.encryption, `totp:${user.id}`).toString('utf8')).toBe(secret);
    expect(() => decrypt(sealed, config.encryption, `totp:${other.id}`)).toThrow(DecryptionError);
    expect(() => decrypt(sealed, config.encryption)).toThrow(DecryptionError);
  });
});

describe('TOTP verification', () => {
  it.each([
    ['the current step', 0],
    ['the previous step', -1],
    ['the next step', 1],
  ])('accepts the code of %s', async (_label, offset) => {
    const { user, secret, enrolledAt } = await enrolledUser();
    const now = at(enrolledAt, 10);
    expect(await verifyTotpCode(user.id, totpAt(secret, now, offset), testContext(), now)).toBe(true);
    const [row] = await database.sql('SELECT last_used_step FROM totp_factors WHERE user_id = $1', [user.id]);
    expect(String(row!.last_used_step)).toBe(String(totpStep(now) + offset));
    expect((await factorEvents(user.id)).at(-1)).toEqual({ type: 'auth.factor_verified', outcome: 'success', details: { method: 'totp' } });
  });

  it.each([
    ['2 steps ago', -2],
    ['3 steps ago', -3],
    ['2 steps ahead', 2],
  ])('refuses the code of %s', async (_label, offset) => {
    const { user, secret, enrolledAt } = await enrolledUser();
    const now = at(enrolledAt, 10);
    const code = totpAt(secret, now, offset);
    // Unless, by a one-in-a-million chance, it is also the code of a step inside the window.
    if ([-1, 0, 1].some((inside) => totpAt(secret, now, inside) === code)) return;
    expect(await verifyTotpCode(user.id, code, testContext(), now)).toBe(false);
    expect((await factorEvents(user.id)).at(-1)).toEqual({
      type: 'auth.factor_verified',
      outcome: 'failure',
      details: { method: 'totp', reason: 'invalid_code' },
    });
  });

  it('accepts a code once: the same code, or one of an earlier step, is refused as a replay', async () => {
    const { user, secret, enrolledAt } = await enrolledUser();
    const now = at(enrolledAt, 10);
    const code = totpAt(secret, now);
    expect(await verifyTotpCode(user.id, code, testContext(), now)).toBe(true);
    expect(await verifyTotpCode(user.id, code, testContext(), now)).toBe(false);
    // Still inside its window 30 seconds later, still refused.
    expect(await verifyTotpCode(user.id, code, testContext(), at(now, 1))).toBe(false);
    expect(await verifyTotpCode(user.id, totpAt(secret, now, -1), testContext(), now)).toBe(false);
    // The next step's code is new.
    expect(await verifyTotpCode(user.id, totpAt(secret, now, 1), testContext(), at(now, 1))).toBe(true);
    const reasons = (await factorEvents(user.id))
      .filter((event) => event.type === 'auth.factor_verified')
      .map((event) => event.details.reason ?? 'ok');
    expect(reasons).toEqual(['ok', 'replayed', 'replayed', 'replayed', 'ok']);
  });

  it('of concurrent uses of one code, exactly one succeeds', async () => {
    const { user, secret, enrolledAt } = await enrolledUser();
    const now = at(enrolledAt, 10);
    const code = totpAt(secret, now);
    const results = await Promise.all(Array.from({ length: 5 }, () => verifyTotpCode(user.id, code, testContext(), now)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const events = await factorEvents(user.id);
    expect(events.filter((event) => event.type === 'auth.factor_verified' && event.outcome === 'success')).toHaveLength(1);
    expect(events.filter((event) => event.details.reason === 'replayed')).toHaveLength(4);
  });

  it('works at whatever moment is given as now (a fixed date in the past)', async () => {
    const { user, secret } = await enrolledUser(new Date('2026-11-30T10:00:00Z'));
    const now = new Date('2026-11-30T10:05:00Z');
    expect(await verifyTotpCode(user.id, totpForStep(secret, totpStep(now)), testContext(), now)).toBe(true);
  });

  it('the code that confirmed the enrollment cannot then sign in', async () => {
    const { user, enrolledAt, enrollmentCode } = await enrolledUser();
    expect(await verifyTotpCode(user.id, enrollmentCode, testContext(), enrolledAt)).toBe(false);
    expect(await verifyTotpCode(user.id, enrollmentCode, testContext(), at(enrolledAt, 1))).toBe(false);
    expect((await factorEvents(user.id)).at(-1)?.details).toEqual({ method: 'totp', reason: 'replayed' });
  });

  it.each([
    ['empty', ''],
    ['five digits', '12345'],
    ['seven digits', '1234567'],
    ['letters', 'abcdef'],
    ['10 kB', '7'.repeat(10_240)],
    ['NUL bytes', '\u0000\u0000\u0000\u0000\u0000\u0000'],
    ['a NUL byte inside', '123\u0000456'],
  ])('refuses a malformed code (%s) without throwing', async (_label, input) => {
    const { user, enrolledAt } = await enrolledUser();
    const now = at(enrolledAt, 10);
    await expect(verifyTotpCode(user.id, input, testContext(), now)).resolves.toBe(false);
    await expect(confirmTotpEnrollment(user.id, input, testContext(), now)).resolves.toEqual({ ok: false, error: 'invalid_code' });
    expect((await factorEvents(user.id)).at(-1)?.details).toEqual({ method: 'totp', reason: 'invalid_code' });
  });

  it('refuses a valid code followed by a NUL byte, and input that is not a string', async () => {
    const { user, secret, enrolledAt } = await enrolledUser();
    const now = at(enrolledAt, 10);
    const code = totpAt(secret, now);
    expect(await verifyTotpCode(user.id, `${code}\u0000`, testContext(), now)).toBe(false);
    for (const input of [undefined, null, Number(code), [code], { code }]) {
      expect(await verifyTotpCode(user.id, input, testContext(), now)).toBe(false);
    }
    // Spaces as the apps display the code are fine.
    expect(await verifyTotpCode(user.id, ` ${code.slice(0, 3)} ${code.slice(3)} `, testContext(), now)).toBe(true);
  });

  it('audits every attempt without the code or the secret', async () => {
    const { user, secret, enrolledAt, enrollmentCode } = await enrolledUser();
    const now = at(enrolledAt, 10);
    const good = totpAt(secret, now);
    const bad = wrongCode(secret, now);
    await verifyTotpCode(user.id, bad, testContext(), now);
    await verifyTotpCode(user.id, good, testContext(), now);
    await verifyTotpCode(user.id, good, testContext(), now);
    const rows = await database.sql('SELECT * FROM audit_events WHERE subject = $1 OR actor_user_id::text = $1', [user.id]);
    expect(rows.length).toBeGreaterThanOrEqual(4);
    const text = JSON.stringify(rows);
    for (const secretValue of [good, bad, enrollmentCode, secret, secret.toLowerCase()]) expect(text).not.toContain(secretValue);
  });
});

describe('TOTP removal', () => {
  it('removes the factor, audits it, and its codes stop working', async () => {
    const { user, secret, enrolledAt } = await enrolledUser();
    const now = at(enrolledAt, 10);
    expect(await removeTotp(user.id, testContext())).toBe(true);
    expect(await hasConfirmedTotp(user.id)).toBe(false);
    expect(await database.sql('SELECT 1 FROM totp_factors WHERE user_id = $1', [user.id])).toHaveLength(0);
    expect(await verifyTotpCode(user.id, totpAt(secret, now), testContext(), now)).toBe(false);
    expect(await removeTotp(user.id, testContext())).toBe(false);
    const events = await factorEvents(user.id);
    expect(events.filter((event) => event.type === 'mfa.totp_removed')).toEqual([{ type: 'mfa.totp_removed', outcome: 'success', details: {} }]);
    expect(events.at(-1)?.details).toEqual({ method: 'totp', reason: 'not_enrolled' });
    // And the user may enroll again.
    expect((await startTotpEnrollment(user)).ok).toBe(true);
  });

  it('discarding a pending enrollment is not the removal of a factor', async () => {
    const user = await newUser();
    expect((await startTotpEnrollment(user)).ok).toBe(true);
    expect(await removeTotp(user.id, testContext())).toBe(false);
    expect(await database.sql('SELECT 1 FROM totp_factors WHERE user_id = $1', [user.id])).toHaveLength(0);
    expect(await factorEvents(user.id)).toEqual([]);
  });
});
