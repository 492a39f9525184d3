import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as passkeySignIn } from '../../app/api/auth/passkey/route';
import { POST as passkeyOptions } from '../../app/api/auth/passkey/options/route';
import { webauthnCeremonyCookie } from '../../lib/auth/cookies';
import { flipByte } from '../support/software-authenticator';
import { useTestConfig } from '../support/config';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { ISSUER, newAuthenticator, newUser, registerPasskey } from './webauthn-support';

/**
 * POST /api/auth/passkey needs no account: without a limit, one address could make the server
 * check signatures (and look up credentials) as fast as it can send them (ASVS 2.4.1). Every
 * attempt counts against its address (OPTARE_RATE_LIMIT_PASSKEY_SIGN_IN), failed or not.
 */

const LIMIT = 3;
let database: TestDatabase;
beforeAll(async () => {
  useTestConfig({ OPTARE_ISSUER: ISSUER, OPTARE_RATE_LIMIT_PASSKEY_SIGN_IN: `${LIMIT}/1m` });
  database = await openTestDatabase();
});
afterAll(() => database.close());

function post(path: string, ip: string, body: string, ceremony?: string): NextRequest {
  return new NextRequest(`${ISSUER}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      origin: ISSUER,
      'x-optare-client-ip': ip,
      ...(ceremony ? { cookie: `${webauthnCeremonyCookie().name}=${ceremony}` } : {}),
    },
    body,
  });
}

/** A passwordless ceremony started from `ip`: its cookie value and the options to answer. */
async function ceremony(ip: string) {
  const response = await passkeyOptions(post('/api/auth/passkey/options', ip, '{}'));
  expect(response.status).toBe(200);
  const token = /optare_webauthn=([^;]+)/.exec(response.headers.get('set-cookie') ?? '')?.[1];
  const { options } = (await response.json()) as { options: never };
  return { token: token!, options };
}

const count = async (sql: string, values: unknown[] = []) => Number((await database.sql<{ n: string }>(sql, values))[0]!.n);

describe('passkey sign-in flood', () => {
  it('answers 429 with Retry-After past the per-address limit, before checking anything: no session, the ceremony kept; other addresses unaffected; audited once', async () => {
    const user = await newUser();
    const authenticator = newAuthenticator();
    await registerPasskey(user, authenticator);
    const attacker = '198.51.100.30';

    // The limit counts attempts, failed or not: two forged answers and one real sign-in use it up.
    for (let i = 0; i < LIMIT - 1; i++) {
      const { token, options } = await ceremony(attacker);
      const forged = authenticator.authenticate(options);
      forged.response.signature = flipByte(forged.response.signature, 10);
      expect((await passkeySignIn(post('/api/auth/passkey', attacker, JSON.stringify({ response: forged }), token))).status).toBe(401);
    }
    const allowed = await ceremony(attacker);
    const signedIn = await passkeySignIn(post('/api/auth/passkey', attacker, JSON.stringify({ response: authenticator.authenticate(allowed.options) }), allowed.token));
    expect(signedIn.status).toBe(200);

    const sessionsBefore = await count('SELECT count(*) AS n FROM sessions WHERE user_id = $1', [user.id]);
    const signInsBefore = await count("SELECT count(*) AS n FROM audit_events WHERE type = 'auth.sign_in' AND actor_user_id = $1", [user.id]);
    const { token, options } = await ceremony(attacker);
    const ceremoniesBefore = await count('SELECT count(*) AS n FROM webauthn_challenges');
    const answer = JSON.stringify({ response: authenticator.authenticate(options) });
    for (let i = 0; i < 2; i++) {
      const refused = await passkeySignIn(post('/api/auth/passkey', attacker, answer, token));
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      expect(refused.headers.get('set-cookie')).toBeNull();
      expect(await refused.json()).toMatchObject({ error: 'rate_limited', message: expect.stringContaining('Try again in') });
    }
    expect(await count('SELECT count(*) AS n FROM sessions WHERE user_id = $1', [user.id])).toBe(sessionsBefore);
    expect(await count("SELECT count(*) AS n FROM audit_events WHERE type = 'auth.sign_in' AND actor_user_id = $1", [user.id])).toBe(signInsBefore);
    expect(await count('SELECT count(*) AS n FROM webauthn_challenges')).toBe(ceremoniesBefore);
    expect(await count("SELECT count(*) AS n FROM audit_events WHERE type = 'security.rate_limited' AND details->>'limit' = 'passkeySignInIp'")).toBe(1);

    // The refused attempts left the ceremony as it was: the same answer from another address signs in.
    const elsewhere = await passkeySignIn(post('/api/auth/passkey', '198.51.100.31', answer, token));
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.headers.get('set-cookie')).toMatch(/optare_session=[A-Za-z0-9_-]{43}/);
  });
});
