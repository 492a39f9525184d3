import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { decrypt, DecryptionError, encrypt } from '../../lib/crypto/encryption';
import {
  activeSigningKey,
  ensureSigningKey,
  forgetCachedSigningKeys,
  publishedJwks,
  rotateSigningKey,
  verificationKey,
} from '../../lib/oauth/keys/signing-keys';
import { MAX_TOKEN_TTL_SECONDS } from '../../lib/oauth/tokens/lifetimes';
import { GET as jwksRoute, OPTIONS as jwksPreflight } from '../../app/oauth/jwks/route';
import { jwksRoute as jwksRouteHandler } from '../../lib/oauth/routes';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { useTestConfig } from '../support/config';

const DAY_MS = 86_400_000;

let database: TestDatabase;
let config: ReturnType<typeof useTestConfig>;
beforeAll(async () => {
  config = useTestConfig({ OPTARE_SIGNING_KEY_ROTATION: '30d' });
  database = await openTestDatabase();
});
afterAll(() => database.close());
beforeEach(async () => {
  // Every test starts with no key; audit_events refuses DELETE, so events are counted per kid.
  await database.sql('DELETE FROM signing_keys');
  forgetCachedSigningKeys();
});

interface KeyRow {
  kid: string;
  alg: string;
  public_jwk: Record<string, string>;
  private_key_encrypted: string;
  created_at: Date;
  retired_at: Date | null;
  publish_until: Date | null;
}
const keyRows = () => database.sql<KeyRow>('SELECT * FROM signing_keys ORDER BY created_at, kid');
const rotationEvents = (kid: string) =>
  database.sql("SELECT * FROM audit_events WHERE type = 'key.rotated' AND subject = $1", [kid]);

describe('the first signing key', () => {
  it('is generated exactly once when five instances start at the same moment', async () => {
    await Promise.all(Array.from({ length: 5 }, () => ensureSigningKey()));
    const rows = await keyRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ alg: 'RS256', retired_at: null, publish_until: null });
    const events = await rotationEvents(rows[0]!.kid);
    expect(events).toHaveLength(1);
    expect(events[0]!.details).toEqual({ kid: rows[0]!.kid, alg: 'RS256', retiredKid: null, reason: 'initial' });

    await ensureSigningKey(); // a restart: nothing changes
    expect(await keyRows()).toHaveLength(1);
  });

  it('is RSA-2048 with kid = its RFC 7638 thumbprint, and publishes only public members', async () => {
    await ensureSigningKey();
    const [row] = await keyRows();
    const { n, e } = row!.public_jwk;
    // RFC 7638 §3: SHA-256 over the required members in lexicographic order, no whitespace.
    const thumbprint = createHash('sha256').update(`{"e":"${e}","kty":"RSA","n":"${n}"}`).digest('base64url');
    expect(row!.kid).toBe(thumbprint);
    expect(row!.kid).toBe(await calculateJwkThumbprint({ kty: 'RSA', n: n!, e: e! }));
    expect(Buffer.from(n!, 'base64url')).toHaveLength(256);
    expect(e).toBe('AQAB');
    expect(row!.public_jwk).toEqual({ kty: 'RSA', kid: thumbprint, n, e, use: 'sig', alg: 'RS256' });

    const jwks = await publishedJwks();
    expect(jwks.keys).toEqual([{ kty: 'RSA', kid: thumbprint, n, e, use: 'sig', alg: 'RS256' }]);
  });

  it('keeps its private key only encrypted, bound to its kid', async () => {
    await ensureSigningKey();
    const [row] = await keyRows();
    const pem = decrypt(row!.private_key_encrypted, config.encryption, `signing-key:${row!.kid}`).toString('utf8');
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    // The decrypted private key belongs to the published public key.
    expect(createPublicKey(pem).export({ format: 'jwk' }).n).toBe(row!.public_jwk.n);

    const der = Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
    const stored = JSON.stringify(row);
    for (const encoding of ['base64', 'base64url', 'hex'] as const) {
      expect(stored).not.toContain(der.toString(encoding).slice(40, 120));
    }
    expect(stored).not.toContain('PRIVATE KEY');
    // Copied to another row (another context), the sealed key does not decrypt.
    expect(() => decrypt(row!.private_key_encrypted, config.encryption, 'signing-key:another-kid')).toThrow(DecryptionError);
    expect(() => decrypt(row!.private_key_encrypted, config.encryption)).toThrow(DecryptionError);
  });

  it('is created on demand when a process signs before any key exists', async () => {
    const active = await activeSigningKey();
    const [row] = await keyRows();
    expect(active).toMatchObject({ kid: row!.kid, alg: 'RS256' });
  });
});

describe('rotation', () => {
  it('retires the old key, signs with the new one, and publishes the old one until its tokens expire', async () => {
    await ensureSigningKey();
    const oldKid = (await activeSigningKey()).kid;
    const now = new Date();
    const { kid, retiredKid } = await rotateSigningKey(now);
    expect(retiredKid).toBe(oldKid);
    expect(kid).not.toBe(oldKid);

    const rows = await keyRows();
    const old = rows.find((row) => row.kid === oldKid)!;
    expect(old.retired_at?.getTime()).toBe(now.getTime());
    // At least the longest token lifetime (plus a margin for instances still signing from cache).
    const published = old.publish_until!.getTime() - now.getTime();
    expect(published).toBeGreaterThanOrEqual(MAX_TOKEN_TTL_SECONDS * 1000);
    expect(published).toBeLessThanOrEqual(MAX_TOKEN_TTL_SECONDS * 1000 + 600_000);
    expect(rows.find((row) => row.kid === kid)).toMatchObject({ retired_at: null, publish_until: null });

    expect((await activeSigningKey()).kid).toBe(kid);
    expect((await publishedJwks(now)).keys.map((key) => key.kid)).toEqual([kid, oldKid]);
    expect(await verificationKey(oldKid)).not.toBeNull();
    expect((await publishedJwks(new Date(old.publish_until!.getTime() - 1))).keys.map((key) => key.kid)).toEqual([kid, oldKid]);
    expect((await publishedJwks(old.publish_until!)).keys.map((key) => key.kid)).toEqual([kid]);
    expect((await publishedJwks(new Date(now.getTime() + 2 * DAY_MS))).keys.map((key) => key.kid)).toEqual([kid]);

    const [event] = await rotationEvents(kid);
    expect(event!.details).toEqual({ kid, alg: 'RS256', retiredKid: oldKid, reason: 'manual' });
    expect(JSON.stringify(event)).not.toContain((await keyRows())[0]!.private_key_encrypted.slice(0, 40));
  });

  it('happens automatically at start once the active key is older than the rotation period', async () => {
    const start = new Date(Date.now() - 10 * DAY_MS);
    await ensureSigningKey(start);
    const [first] = await keyRows();
    expect(first!.created_at.getTime()).toBe(start.getTime());

    await ensureSigningKey(new Date(start.getTime() + 30 * DAY_MS - 1000));
    expect(await keyRows()).toHaveLength(1);

    const due = new Date(start.getTime() + 30 * DAY_MS);
    await ensureSigningKey(due);
    const rows = await keyRows();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ kid: first!.kid, retired_at: due });
    expect(rows[1]).toMatchObject({ retired_at: null, created_at: due });
    const [event] = await rotationEvents(rows[1]!.kid);
    expect(event!.details).toEqual({ kid: rows[1]!.kid, alg: 'RS256', retiredKid: first!.kid, reason: 'scheduled' });

    await Promise.all(Array.from({ length: 3 }, () => ensureSigningKey(due)));
    expect(await keyRows()).toHaveLength(2);
  });

  it('happens in a running server when its cache refills after the key came of age', async () => {
    await ensureSigningKey(new Date(Date.now() - 31 * DAY_MS));
    const [old] = await keyRows();
    const active = await activeSigningKey();
    expect(active.kid).not.toBe(old!.kid);
    const rows = await keyRows();
    expect(rows.find((row) => row.kid === old!.kid)?.retired_at).not.toBeNull();
    expect(rows.filter((row) => row.retired_at === null).map((row) => row.kid)).toEqual([active.kid]);
  });

});

describe('several instances', () => {
  let offset = 0;
  const realNow = performance.now.bind(performance);
  const advance = (ms: number) => (offset += ms);
  beforeEach(() => {
    offset = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => realNow() + offset);
  });
  afterEach(() => vi.restoreAllMocks());

  /** What another instance's rotation leaves in the table, made behind this process's caches. */
  async function rotateElsewhere(oldKid: string): Promise<string> {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const { n, e } = publicKey.export({ format: 'jwk' });
    const kid = await calculateJwkThumbprint({ kty: 'RSA', n: n!, e: e! });
    const sealed = encrypt(privateKey.export({ format: 'pem', type: 'pkcs8' }), config.encryption, `signing-key:${kid}`);
    await database.sql("UPDATE signing_keys SET retired_at = now(), publish_until = now() + interval '1 day' WHERE kid = $1", [oldKid]);
    await database.sql('INSERT INTO signing_keys (kid, alg, public_jwk, private_key_encrypted) VALUES ($1, $2, $3, $4)', [
      kid,
      'RS256',
      JSON.stringify({ kty: 'RSA', kid, n, e, use: 'sig', alg: 'RS256' }),
      sealed,
    ]);
    return kid;
  }

  it('is served from memory: signing reads no row, and a kid made by another instance verifies within a second', async () => {
    await ensureSigningKey();
    const cached = await activeSigningKey();
    await publishedJwks();
    // No query per signature: with the table emptied behind its back, the cached key still signs.
    await database.sql('UPDATE signing_keys SET retired_at = now(), publish_until = now() + interval \'1 day\'');
    expect(await activeSigningKey()).toBe(cached);

    // Another instance rotates: its new key is unknown here until the cache refills, but a token
    // carrying that kid makes verification look again (at most once a second).
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const { n, e } = publicKey.export({ format: 'jwk' });
    const kid = await calculateJwkThumbprint({ kty: 'RSA', n: n!, e: e! });
    await database.sql(
      'INSERT INTO signing_keys (kid, alg, public_jwk, private_key_encrypted) VALUES ($1, $2, $3, $4)',
      [kid, 'RS256', JSON.stringify({ kty: 'RSA', kid, n, e, use: 'sig', alg: 'RS256' }), 'v1.unused'],
    );
    advance(1_100);
    expect(await verificationKey(kid)).not.toBeNull();
    expect(await verificationKey('no-such-kid')).toBeNull();
    expect((await publishedJwks()).keys.map((key) => key.kid)).toContain(kid);
  });

  it('pick up a rotation made elsewhere within 30 seconds, publishing the new key before signing with it', async () => {
    await ensureSigningKey();
    const old = await activeSigningKey();
    advance(20_000);
    expect((await publishedJwks()).keys.map((key) => key.kid)).toEqual([old.kid]);
    const kid = await rotateElsewhere(old.kid);

    // Some 20 s after the active key was cached: still signing with it, no query.
    expect(await activeSigningKey()).toBe(old);
    advance(11_000);
    const fresh = await activeSigningKey();
    expect(fresh.kid).toBe(kid);
    // The JWKS cache (some 11 s old) did not know the new key: it is refreshed, not served stale.
    expect((await publishedJwks()).keys.map((key) => key.kid)).toEqual([kid, old.kid]);
  });
});

describe('GET /oauth/jwks', () => {
  it('serves the published keys as public, cacheable JSON, and answers CORS preflight', async () => {
    await ensureSigningKey();
    const request = new Request('https://id.example.test/oauth/jwks');
    const response = await jwksRoute(request);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    const body = await response.json();
    expect(body).toEqual(await publishedJwks());
    for (const key of body.keys) expect(Object.keys(key).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);

    const preflight = await jwksPreflight(request);
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('GET');
  });

  it('is serialized once per set of published keys, and follows a rotation at once', async () => {
    await ensureSigningKey();
    const served = async () => (await jwksRoute(new Request('https://id.example.test/oauth/jwks'))).json();
    const kidsOf = (jwks: { keys: { kid: string }[] }) => jwks.keys.map((key) => key.kid);
    expect(await jwksRouteHandler.GET()).toBe(await jwksRouteHandler.GET());
    const before = await served();
    const { kid, retiredKid } = await rotateSigningKey(new Date());
    const after = await served();
    expect(kidsOf(after)[0]).toBe(kid);
    expect(kidsOf(after)).toContain(retiredKid);
    expect(kidsOf(before)).not.toContain(kid);
    expect(after).toEqual(await publishedJwks());
  });
});
