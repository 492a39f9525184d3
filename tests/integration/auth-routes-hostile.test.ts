import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as passkeySignIn } from '../../app/api/auth/passkey/route';
import { POST as passkeyOptions } from '../../app/api/auth/passkey/options/route';
import { POST as secondFactor } from '../../app/api/auth/second-factor/route';
import { POST as secondFactorPasskeyOptions } from '../../app/api/auth/second-factor/passkey-options/route';
import { webauthnCeremonyCookie } from '../../lib/auth/cookies';
import { pendingLoginCookie } from '../../lib/auth/pending-login';
import { afterFirstFactor } from '../../lib/auth/second-factor';
import { confirmTotpEnrollment, startTotpEnrollment } from '../../lib/auth/totp';
import { useTestConfig } from '../support/config';
import { testContext } from '../support/context';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { totpAt } from '../support/totp';
import { editClientData, flipByte } from '../support/software-authenticator';
import { ISSUER, newAuthenticator, newUser, registerPasskey } from './webauthn-support';

/**
 * The sign-in routes of the second step and of passkeys, called as Next.js calls them, with
 * missing, malformed, oversized, replayed and forged input: always a 4xx with Optare's error
 * shape, never a 500 and never a session cookie.
 */

let database: TestDatabase;
beforeAll(async () => {
  useTestConfig({ OPTARE_ISSUER: ISSUER });
  database = await openTestDatabase();
});
afterAll(() => database.close());


function post(path: string, body: string | undefined, cookies: Record<string, string> = {}, headers: Record<string, string> = {}): NextRequest {
  const cookie = Object.entries(cookies).map(([name, value]) => `${name}=${value}`).join('; ');
  return new NextRequest(`${ISSUER}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: ISSUER, ...(cookie ? { cookie } : {}), ...headers },
    body,
  });
}

async function expectRefused(response: Response, status?: number): Promise<Record<string, unknown>> {
  const text = await response.text();
  if (status !== undefined) expect(response.status, text).toBe(status);
  expect(response.status, text).toBeGreaterThanOrEqual(400);
  expect(response.status, text).toBeLessThan(500);
  expect(response.headers.get('set-cookie') ?? '').not.toMatch(/optare_session=[^;]/);
  const body = JSON.parse(text) as Record<string, unknown>;
  expect(typeof body.error).toBe('string');
  expect(text).not.toContain('<script>');
  return body;
}

const HOSTILE_BODIES: Array<[string, string | undefined]> = [
  ['no body', undefined],
  ['empty', ''],
  ['not JSON', 'method=totp&code=123456'],
  ['a JSON array', '[]'],
  ['a JSON string', '"totp"'],
  ['null', 'null'],
  ['20 kB', JSON.stringify({ method: 'totp', code: 'x'.repeat(20_000) })],
  ['a script as the method', JSON.stringify({ method: '<script>alert(1)</script>', code: '123456' })],
  ['a prototype-polluting key', '{"__proto__":{"admin":true},"method":"totp","code":"123456"}'],
];

describe('POST /api/auth/second-factor', () => {
  async function pendingLogin() {
    const now = new Date();
    const user = await newUser();
    const enrollment = await startTotpEnrollment(user, new Date(now.getTime() - 60_000));
    if (!enrollment.ok) throw new Error('enrollment refused');
    await confirmTotpEnrollment(user.id, totpAt(enrollment.secret, new Date(now.getTime() - 60_000)), testContext(), new Date(now.getTime() - 60_000));
    const outcome = await afterFirstFactor(user.id, ['pwd'], { trustedDeviceToken: undefined, mfaRequired: false });
    if (outcome.next !== 'second_factor') throw new Error('no second step');
    return { user, secret: enrollment.secret, cookies: { [pendingLoginCookie().name]: outcome.pendingLoginToken } };
  }

  it.each(HOSTILE_BODIES)('refuses %s with a 4xx', async (_label, body) => {
    const { cookies } = await pendingLogin();
    await expectRefused(await secondFactor(post('/api/auth/second-factor', body, cookies)));
  });

  it('refuses a cross-site request before reading anything', async () => {
    const { secret, cookies } = await pendingLogin();
    const body = JSON.stringify({ method: 'totp', code: totpAt(secret, new Date()) });
    const response = await secondFactor(post('/api/auth/second-factor', body, cookies, { origin: 'https://evil.example' }));
    expect((await expectRefused(response, 403)).error).toBe('cross_site_request');
  });

  it('without a pending login, or with a forged one, says the sign-in expired', async () => {
    for (const cookies of [{}, { [pendingLoginCookie().name]: 'A'.repeat(43) }, { [pendingLoginCookie().name]: '%00<script>' }]) {
      const response = await secondFactor(post('/api/auth/second-factor', JSON.stringify({ method: 'totp', code: '123456' }), cookies));
      expect((await expectRefused(response, 401)).error).toBe('sign_in_expired');
    }
  });

  it('wrong codes say how many tries are left; the right one signs in with a new session cookie', async () => {
    const { secret, cookies } = await pendingLogin();
    const wrong = await secondFactor(post('/api/auth/second-factor', JSON.stringify({ method: 'totp', code: '000000' }), cookies));
    expect(await expectRefused(wrong, 401)).toMatchObject({ error: 'invalid_code', remaining: 4 });
    const right = await secondFactor(post('/api/auth/second-factor', JSON.stringify({ method: 'totp', code: totpAt(secret, new Date()) }), cookies));
    expect(right.status).toBe(200);
    expect(await right.json()).toEqual({ redirectTo: '/' });
    expect(right.headers.get('set-cookie')).toMatch(/optare_session=[A-Za-z0-9_-]{43}/);
  });

  it('a passkey answer without a ceremony, or a forged one, counts as a wrong answer', async () => {
    const { cookies } = await pendingLogin();
    for (const response of [undefined, null, {}, { id: 'x', response: {} }, 'x'.repeat(15_000)]) {
      const answer = await secondFactor(post('/api/auth/second-factor', JSON.stringify({ method: 'passkey', response }), cookies));
      expect((await expectRefused(answer, 401)).error).toMatch(/^(invalid_code|sign_in_expired)$/);
    }
    const huge = await secondFactor(post('/api/auth/second-factor', JSON.stringify({ method: 'passkey', response: 'x'.repeat(70_000) }), cookies));
    expect((await expectRefused(huge, 413)).error).toBe('payload_too_large');
  });

  it('passkey options need a pending login', async () => {
    await expectRefused(await secondFactorPasskeyOptions(post('/api/auth/second-factor/passkey-options', '{}')), 401);
  });
});

describe('POST /api/auth/passkey (passwordless)', () => {
  async function ceremony() {
    const options = await passkeyOptions(post('/api/auth/passkey/options', '{}'));
    expect(options.status).toBe(200);
    const cookie = /optare_webauthn=([^;]+)/.exec(options.headers.get('set-cookie') ?? '')?.[1];
    expect(cookie).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const { options: json } = (await options.json()) as { options: { challenge: string; rpId: string; allowCredentials?: unknown[] } };
    expect(json.rpId).toBe('id.example.test');
    expect(json.allowCredentials ?? []).toEqual([]);
    return { cookies: { [webauthnCeremonyCookie().name]: cookie! }, options: json };
  }

  it.each(HOSTILE_BODIES)('refuses %s with a 4xx', async (_label, body) => {
    const { cookies } = await ceremony();
    await expectRefused(await passkeySignIn(post('/api/auth/passkey', body, cookies)));
  });

  it('signs in with a registered passkey once; the same answer again is refused and audited', async () => {
    const user = await newUser();
    const authenticator = newAuthenticator();
    await registerPasskey(user, authenticator);
    const { cookies, options } = await ceremony();
    const answer = JSON.stringify({ response: authenticator.authenticate(options as never) });
    const first = await passkeySignIn(post('/api/auth/passkey', answer, cookies));
    expect(first.status).toBe(200);
    expect(first.headers.get('set-cookie')).toMatch(/optare_session=[A-Za-z0-9_-]{43}/);
    const replay = await passkeySignIn(post('/api/auth/passkey', answer, cookies));
    expect((await expectRefused(replay, 401)).error).toBe('passkey_failed');
    const [event] = await database.sql(
      "SELECT details FROM audit_events WHERE type = 'auth.factor_verified' AND outcome = 'failure' AND actor_user_id IS NULL ORDER BY seq DESC LIMIT 1",
    );
    expect(event?.details).toMatchObject({ method: 'passkey' });
  });

  it.each([
    ['another origin', (authenticator: ReturnType<typeof newAuthenticator>, options: never) => authenticator.authenticate(options, { origin: 'https://evil.example' })],
    ['another RP ID', (authenticator: ReturnType<typeof newAuthenticator>, options: never) => authenticator.authenticate(options, { rpId: 'evil.example' })],
    ['a flipped signature byte', (authenticator: ReturnType<typeof newAuthenticator>, options: never) => {
      const answer = authenticator.authenticate(options);
      answer.response.signature = flipByte(answer.response.signature, 10);
      return answer;
    }],
    ['an edited challenge', (authenticator: ReturnType<typeof newAuthenticator>, options: never) => {
      const answer = authenticator.authenticate(options);
      answer.response.clientDataJSON = editClientData(answer.response.clientDataJSON, (data) => {
        data.challenge = 'AAAA';
      });
      return answer;
    }],
  ])('refuses an answer with %s (401, audited, no session)', async (_label, forge) => {
    const user = await newUser();
    const authenticator = newAuthenticator();
    await registerPasskey(user, authenticator);
    const { cookies, options } = await ceremony();
    const response = forge(authenticator, options as never);
    const answer = await passkeySignIn(post('/api/auth/passkey', JSON.stringify({ response }), cookies));
    expect((await expectRefused(answer, 401)).error).toBe('passkey_failed');
  });
});
