import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as signUpRoute } from '../../app/api/auth/sign-up/route';
import { updateSettings } from '../../lib/admin/settings';
import { forgetCachedSettings } from '../../lib/settings/runtime';
import { useTestConfig } from '../support/config';
import { GOOD_PASSWORD, testContext, uniqueEmail } from '../support/context';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { jsonPost, mailTo } from './email-support';

/**
 * Account enumeration through sign-up (ASVS 6.3.8): while email verification is required, a
 * sign-up with a registered address answers exactly as one with a new address (status, body,
 * headers, and comparable time: the same argon2 work), creates nothing, and tells the owner by
 * email instead. With verification optional the new account is signed in at once, which cannot
 * be imitated: 409 email_taken remains (a documented residual risk, bounded by the sign-up limit).
 */

const ISSUER = 'https://id.example.test';
let database: TestDatabase;
beforeAll(async () => {
  useTestConfig({ OPTARE_ISSUER: ISSUER, OPTARE_EMAIL_VERIFICATION: 'required' });
  database = await openTestDatabase();
});
afterAll(() => database.close());

const signUp = (email: string) => signUpRoute(jsonPost(ISSUER, '/api/auth/sign-up', { email, password: GOOD_PASSWORD, name: 'Sam' }));
const accountsWith = async (email: string) => Number((await database.sql<{ n: string }>('SELECT count(*) AS n FROM users WHERE email = $1', [email]))[0]!.n);

/** Everything a caller can see of an answer, except the time it took. */
async function observable(response: Response) {
  return { status: response.status, headers: [...response.headers.entries()].sort(), body: await response.text() };
}

async function registered(): Promise<string> {
  const email = uniqueEmail('owner');
  expect((await signUp(email)).status).toBe(201);
  return email;
}

describe('sign-up enumeration with email verification required', () => {
  it('answers a taken address exactly as a new one: same status, body and headers; no second account', async () => {
    const taken = await registered();
    const fresh = uniqueEmail('new');
    const forNew = await observable(await signUp(fresh));
    const forTaken = await observable(await signUp(taken.toUpperCase()));
    expect(forTaken).toEqual(forNew);
    expect(forNew).toMatchObject({ status: 201, body: JSON.stringify({ redirectTo: '/verify-email?sent=1' }) });
    expect(forNew.headers.map(([name]) => name)).not.toContain('set-cookie');
    expect(await accountsWith(taken)).toBe(1);
    expect(await accountsWith(fresh)).toBe(1);
  });

  it('emails the existing owner a notice (no link to act on, nothing the caller typed but the address) and audits the attempt', async () => {
    const taken = await registered();
    const [owner] = await database.sql<{ id: string }>('SELECT id FROM users WHERE email = $1', [taken]);
    await signUp(taken);
    const mail = await mailTo(taken);
    expect(mail.map((message) => message.subject)).toEqual(['Confirm your email address', 'Someone tried to create an account with your address']);
    expect(mail[1]!.text).toContain(`${ISSUER}/sign-in`);
    expect(mail[1]!.text).toContain(`${ISSUER}/forgot-password`);
    expect(mail[1]!.text).not.toContain('#token=');
    expect(mail[1]!.text).not.toContain(GOOD_PASSWORD);
    const events = await database.sql<{ outcome: string; details: Record<string, unknown> }>(
      "SELECT outcome, details FROM audit_events WHERE type = 'user.created' AND subject = $1 ORDER BY seq",
      [owner!.id],
    );
    expect(events).toEqual([
      { outcome: 'success', details: { via: 'sign_up', admin: false } },
      { outcome: 'failure', details: { via: 'sign_up', reason: 'email_taken', ownerNotified: true } },
    ]);
  });

  it('notices count against the per-account email limit: repeated attempts cannot flood the owner, and still answer the same', async () => {
    useTestConfig({ OPTARE_ISSUER: ISSUER, OPTARE_EMAIL_VERIFICATION: 'required', OPTARE_RATE_LIMIT_EMAIL_VERIFICATION: '2/1h' });
    try {
      const taken = await registered(); // its verification email is the first of the two
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await observable(await signUp(taken)));
      expect(new Set(answers.map((answer) => JSON.stringify(answer))).size).toBe(1);
      expect(answers[0]!.status).toBe(201);
      expect((await mailTo(taken)).filter((message) => message.subject.startsWith('Someone tried'))).toHaveLength(1);
    } finally {
      useTestConfig({ OPTARE_ISSUER: ISSUER, OPTARE_EMAIL_VERIFICATION: 'required' });
    }
  });

  it('takes comparable time for a taken and a new address (the same argon2 work); the times are recorded', async () => {
    const taken = await registered();
    /** Ten sign-ups of each kind, interleaved; the fastest of each kind, taken / new. */
    async function fastestRatio(): Promise<number> {
      const timings: { fresh: number[]; taken: number[] } = { fresh: [], taken: [] };
      for (let i = 0; i < 10; i++) {
        for (const kind of i % 2 ? (['fresh', 'taken'] as const) : (['taken', 'fresh'] as const)) {
          const started = performance.now();
          const response = await signUp(kind === 'taken' ? taken : uniqueEmail('timing'));
          timings[kind].push(performance.now() - started);
          expect(response.status).toBe(201);
        }
      }
      const [fresh, took] = [Math.min(...timings.fresh), Math.min(...timings.taken)];
      console.info(`sign-up, fastest of ten: new address ${fresh.toFixed(1)} ms, taken address ${took.toFixed(1)} ms`);
      return took / fresh;
    }
    // The fastest of each kind is the work itself, since a busy machine only adds time; yet with
    // CI's test files side by side (and PGlite's queries on the same CPU) one round can still
    // drift, so up to three rounds are measured and one must match. Without the argon2 hash a
    // taken address answers in a fraction of the time (0.1 to 0.2 here) in every round.
    const inBounds = (ratio: number) => ratio > 0.5 && ratio < 2;
    const ratios = [await fastestRatio()];
    while (!inBounds(ratios.at(-1)!) && ratios.length < 3) ratios.push(await fastestRatio());
    expect(ratios.some(inBounds), `taken / new, fastest of ten, per round: ${ratios.map((ratio) => ratio.toFixed(2)).join(', ')}`).toBe(true);
  });

  it('follows the console’s setting too: required there hides the taken address even when the environment says optional', async () => {
    useTestConfig({ OPTARE_ISSUER: ISSUER, OPTARE_EMAIL_VERIFICATION: 'optional' });
    try {
      const taken = await registered();
      expect((await signUp(taken)).status).toBe(409);
      const [admin] = await database.sql<{ id: string }>('SELECT id FROM users WHERE email = $1', [taken]);
      const changed = await updateSettings({ emailVerificationRequired: true }, { kind: 'user', userId: admin!.id, context: testContext() });
      expect(changed.ok).toBe(true);
      const forTaken = await observable(await signUp(taken));
      const forNew = await observable(await signUp(uniqueEmail('new')));
      expect(forTaken).toEqual(forNew);
      expect(await accountsWith(taken)).toBe(1);
      expect((await updateSettings({ emailVerificationRequired: null }, { kind: 'user', userId: admin!.id, context: testContext() })).ok).toBe(true);
    } finally {
      forgetCachedSettings();
      useTestConfig({ OPTARE_ISSUER: ISSUER, OPTARE_EMAIL_VERIFICATION: 'required' });
    }
  });
});

describe('sign-up enumeration with email verification optional (residual risk)', () => {
  it('still answers 409 email_taken, since a new account is signed in at once; nothing is created', async () => {
    useTestConfig({ OPTARE_ISSUER: ISSUER, OPTARE_EMAIL_VERIFICATION: 'optional' });
    try {
      forgetCachedSettings();
      const taken = await registered();
      const response = await signUp(taken);
      expect(response.status).toBe(409);
      expect(await response.json()).toMatchObject({ error: 'email_taken' });
      expect(await accountsWith(taken)).toBe(1);
      expect((await mailTo(taken)).filter((message) => message.subject.startsWith('Someone tried'))).toHaveLength(0);
    } finally {
      useTestConfig({ OPTARE_ISSUER: ISSUER, OPTARE_EMAIL_VERIFICATION: 'required' });
    }
  });
});
