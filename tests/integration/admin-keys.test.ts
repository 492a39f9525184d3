import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as rotateRoute } from '../../app/api/admin/console/keys/rotate/route';
import {
  activeSigningKey,
  forgetCachedSigningKeys,
  publishedJwks,
  signingKeyStatus,
  signingKeySummaries,
} from '../../lib/oauth/keys/signing-keys';
import { useTestConfig } from '../support/config';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { callConsole, consoleSignIn, expectJson, expectRefused, newAccount, newAdmin } from './admin-users-support';

/** The signing keys page's data (status of each key) and the console's "Rotate now". */

const ISSUER = 'https://id.example.test';
const DAY_MS = 86_400_000;

let database: TestDatabase;
let admin: { id: string };
beforeAll(async () => {
  useTestConfig({ OPTARE_ISSUER: ISSUER, OPTARE_SIGNING_KEY_ROTATION: '30d' });
  database = await openTestDatabase();
  forgetCachedSigningKeys();
  admin = await newAdmin();
});
afterAll(() => database.close());

const keyCount = async () => Number((await database.sql<{ count: string }>('SELECT count(*) FROM signing_keys'))[0]!.count);

describe('signing key status', () => {
  it('is active while not retired, retiring while still published, then retired', () => {
    const now = new Date('2026-11-30T12:00:00Z');
    expect(signingKeyStatus({ retiredAt: null, publishUntil: null }, now)).toBe('active');
    expect(signingKeyStatus({ retiredAt: new Date(now.getTime() - 1000), publishUntil: new Date(now.getTime() + 1000) }, now)).toBe('retiring');
    expect(signingKeyStatus({ retiredAt: new Date(now.getTime() - 2000), publishUntil: new Date(now.getTime() - 1000) }, now)).toBe('retired');
    expect(signingKeyStatus({ retiredAt: new Date(now.getTime() - 2000), publishUntil: null }, now)).toBe('retired');
  });
});

describe('Rotate now (POST /api/admin/console/keys/rotate)', () => {
  it('puts a new key in use, keeps the old one published, and audits key.rotated with the administrator', async () => {
    const before = (await activeSigningKey()).kid;
    const { cookie } = await consoleSignIn(admin.id);
    const body = await expectJson(await callConsole(rotateRoute, '/keys/rotate', { cookie }));
    expect(body).toEqual({ kid: expect.any(String), retiredKid: before, rotated: [{ alg: 'RS256', kid: body.kid, retiredKid: before }] });
    expect(body.kid).not.toBe(before);

    expect((await activeSigningKey()).kid).toBe(body.kid);
    expect((await publishedJwks()).keys.map((key) => key.kid)).toEqual(expect.arrayContaining([body.kid, before]));
    const [event] = await database.sql<{ actor_user_id: string; subject: string; ip: string; details: Record<string, unknown> }>(
      `SELECT actor_user_id, subject, ip, details FROM audit_events WHERE type = 'key.rotated' ORDER BY seq DESC LIMIT 1`,
    );
    expect(event).toEqual({ actor_user_id: admin.id, subject: body.kid, ip: '192.0.2.50', details: { kid: body.kid, alg: 'RS256', retiredKid: before, reason: 'manual' } });

    const now = new Date();
    const summaries = await signingKeySummaries(now);
    const active = summaries.find((key) => key.kid === body.kid)!;
    const retiring = summaries.find((key) => key.kid === before)!;
    expect(summaries[0]!.kid).toBe(body.kid);
    expect(active).toMatchObject({ status: 'active', alg: 'RS256', retiredAt: null, publishUntil: null });
    expect(active.rotatesAt!.getTime() - active.createdAt.getTime()).toBe(30 * DAY_MS);
    expect(retiring).toMatchObject({ status: 'retiring', rotatesAt: null });
    expect(retiring.publishUntil!.getTime()).toBeGreaterThan(now.getTime());

    // Once past its publication, the old key is listed as retired.
    await database.sql('UPDATE signing_keys SET publish_until = $1 WHERE kid = $2', [new Date(now.getTime() - 1000), before]);
    expect((await signingKeySummaries(now)).find((key) => key.kid === before)!.status).toBe('retired');
    expect((await signingKeySummaries(now)).filter((key) => key.status === 'active')).toHaveLength(1);
  });

  it('rotates only the named algorithm with { alg }, and refuses an unknown alg with 400, rotating nothing', async () => {
    const { cookie } = await consoleSignIn(admin.id);
    const rs256 = (await activeSigningKey('RS256')).kid;
    const first = await expectJson(await callConsole(rotateRoute, '/keys/rotate', { cookie, body: JSON.stringify({ alg: 'EdDSA' }) }));
    expect(first.rotated).toEqual([{ alg: 'EdDSA', kid: first.kid, retiredKid: null }]);
    const second = await expectJson(await callConsole(rotateRoute, '/keys/rotate', { cookie, body: JSON.stringify({ alg: 'EdDSA' }) }));
    expect(second.rotated).toEqual([{ alg: 'EdDSA', kid: second.kid, retiredKid: first.kid }]);
    expect((await activeSigningKey('RS256')).kid).toBe(rs256);
    expect((await activeSigningKey('EdDSA')).kid).toBe(second.kid);
    const jwks = (await publishedJwks()).keys;
    expect(jwks.filter((key) => key.alg === 'EdDSA').map((key) => key.kid)).toEqual([second.kid, first.kid]);
    const summaries = await signingKeySummaries();
    expect(summaries.find((key) => key.kid === second.kid)).toMatchObject({ alg: 'EdDSA', keyType: 'Ed25519', status: 'active' });
    expect(summaries.find((key) => key.kid === rs256)).toMatchObject({ alg: 'RS256', keyType: 'RSA 2048', status: 'active' });

    const keys = await keyCount();
    for (const alg of ['HS256', 'none', 'rs256', 42, null]) {
      const refused = await expectRefused(await callConsole(rotateRoute, '/keys/rotate', { cookie, body: JSON.stringify({ alg }) }), 400);
      expect(refused.error).toBe('invalid_request');
    }
    expect(await keyCount()).toBe(keys);
  });

  it('refuses the signed-out, non-administrators and other sites, rotating nothing', async () => {
    const member = await newAccount('member');
    const memberCookie = (await consoleSignIn(member.id)).cookie;
    const { cookie } = await consoleSignIn(admin.id);
    const keys = await keyCount();
    await expectRefused(await callConsole(rotateRoute, '/keys/rotate'), 401);
    await expectRefused(await callConsole(rotateRoute, '/keys/rotate', { cookie: memberCookie }), 403);
    await expectRefused(await callConsole(rotateRoute, '/keys/rotate', { cookie, headers: { origin: 'https://evil.example' } }), 403);
    await expectRefused(await callConsole(rotateRoute, '/keys/rotate', { cookie, body: 'not json' }), 400);
    expect(await keyCount()).toBe(keys);
  });
});
