import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate, createUser } from '../../lib/auth/accounts';
import { consume, peek, reset } from '../../lib/rate-limit/limiter';
import { closeRedis } from '../../lib/rate-limit/redis';
import { SYNC_INTERVAL_MS } from '../../lib/rate-limit/batched';
// Renamed: it is not a React hook, whatever its name says.
import { useTestConfig as installTestConfig } from '../support/config';
import { GOOD_PASSWORD, testContext, uniqueEmail } from '../support/context';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { newClient, token } from './token-endpoint.helpers';

let database: TestDatabase;
beforeAll(async () => {
  installTestConfig();
  database = await openTestDatabase();
});
afterAll(async () => {
  await closeRedis();
  await database.close();
});

const ip = (n: number) => testContext({ ip: `198.51.100.${n}` });
const errorOf = (result: Awaited<ReturnType<typeof authenticate>>) => ('error' in result ? result.error : result.ok ? 'ok' : 'field_errors');
let keyCounter = 0;
const freshKey = () => `test-key-${process.pid}-${++keyCounter}-${Date.now()}`;

async function rateLimitEvents(limit: string) {
  return database.sql<{ subject: string; details: Record<string, unknown> }>(
    "SELECT subject, details FROM audit_events WHERE type = 'security.rate_limited' AND details->>'limit' = $1 ORDER BY seq",
    [limit],
  );
}

/** Each store the counters can live in. PostgreSQL runs against this test file's own database. */
const STORES: Array<[string, () => Record<string, string>]> = [
  ['memory', () => ({})],
  ['PostgreSQL', () => ({ DATABASE_URL: database.url })],
  ['Redis', () => ({ REDIS_URL: 'redis://127.0.0.1:6379' })],
];

describe.each(STORES)('limits counted in %s', (_store, storeSettings) => {
  beforeAll(async () => {
    if (_store !== 'Redis') return;
    const { Redis } = await import('ioredis');
    const probe = new Redis('redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000 });
    try {
      await probe.connect();
      expect(await probe.ping()).toBe('PONG');
    } catch (error) {
      throw new Error(`These tests need Redis on 127.0.0.1:6379 (the machine's service; see the env README): ${String(error)}`);
    } finally {
      probe.disconnect();
    }
  });

  it('allows the configured points per window, then refuses with the time left, and audits the first refusal only', async () => {
    installTestConfig({ ...storeSettings(), OPTARE_RATE_LIMIT_SIGN_IN_IP: '3/1m' });
    const key = freshKey();
    const verdicts = [];
    for (let i = 0; i < 6; i++) verdicts.push(await consume('signInIp', key, testContext()));
    expect(verdicts.slice(0, 3)).toEqual([{ allowed: true }, { allowed: true }, { allowed: true }]);
    for (const verdict of verdicts.slice(3)) {
      expect(verdict.allowed).toBe(false);
      const seconds = (verdict as { retryAfterSeconds: number }).retryAfterSeconds;
      expect(seconds).toBeGreaterThan(0);
      expect(seconds).toBeLessThanOrEqual(60);
    }
    expect((await peek('signInIp', key)).allowed).toBe(false);
    expect((await rateLimitEvents('signInIp')).filter((event) => event.subject === key)).toHaveLength(1);
    await reset('signInIp', key);
    expect(await peek('signInIp', key)).toEqual({ allowed: true });
  });

  it('request limits (token, introspection, revocation) refuse past their points too, audited once', async () => {
    installTestConfig({ ...storeSettings(), OPTARE_RATE_LIMIT_TOKEN: '3/1m' });
    const key = freshKey();
    const verdicts = [];
    for (let i = 0; i < 6; i++) verdicts.push((await consume('token', key, testContext())).allowed);
    expect(verdicts).toEqual([true, true, true, false, false, false]);
    expect((await rateLimitEvents('token')).filter((event) => event.subject === key)).toHaveLength(1);
  });

  it('is shared: a count made by one instance applies to another', async () => {
    const settings = { ...storeSettings(), OPTARE_RATE_LIMIT_TOKEN: '2/1m' };
    installTestConfig(settings);
    const key = freshKey();
    await consume('token', key, testContext());
    await consume('token', key, testContext());
    await new Promise((resolve) => setTimeout(resolve, SYNC_INTERVAL_MS + 100)); // request limits sync every interval
    installTestConfig(settings); // a new configuration builds new limiters, as another process would
    const verdict = await consume('token', key, testContext());
    if (_store === 'memory') expect(verdict.allowed).toBe(true); // memory is per process, by design
    else expect(verdict.allowed).toBe(false);
  });
});

describe('password sign-in brute force', () => {
  const limits = {
    OPTARE_RATE_LIMIT_SIGN_IN_IP: '30/1h',
    OPTARE_RATE_LIMIT_SIGN_IN_ACCOUNT_IP: '5/15m',
    OPTARE_RATE_LIMIT_SIGN_IN_ACCOUNT: '12/1h',
  };

  async function account() {
    installTestConfig(limits);
    const email = uniqueEmail('brute');
    const created = await createUser({ email, password: GOOD_PASSWORD, name: 'B' }, testContext(), 'cli');
    if (!created.ok) throw new Error('create failed');
    return email;
  }

  it('throttles one address guessing one account; the real user from another address still signs in', async () => {
    const email = await account();
    const results = [];
    for (let i = 0; i < 20; i++) results.push(await authenticate({ email, password: `wrong guess ${i}` }, ip(1)));
    expect(results.slice(0, 5).map(errorOf)).toEqual(Array(5).fill('invalid_credentials'));
    for (const result of results.slice(5)) expect(result).toMatchObject({ ok: false, error: 'rate_limited' });
    // Even the right password is refused from that address while the limit holds.
    expect(await authenticate({ email, password: GOOD_PASSWORD }, ip(1))).toMatchObject({ ok: false, error: 'rate_limited' });
    // The address added only 5 failures to the account's own count (limit 12): the user gets in.
    expect(await authenticate({ email, password: GOOD_PASSWORD }, ip(2))).toMatchObject({ ok: true });
    // One audit event for the throttled address in this window, however many attempts it made.
    const events = (await rateLimitEvents('signInAccountIp')).filter((event) => event.details.points === 5);
    expect(events.length).toBeGreaterThanOrEqual(1);
    expect(new Set(events.map((event) => event.subject)).size).toBe(events.length);
  });

  it('concurrent guesses cannot slip past the limit: of 20 at once, exactly the limit get their password checked', async () => {
    const email = await account();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => authenticate({ email, password: `parallel guess ${i}` }, ip(3))));
    const outcomes = results.map(errorOf);
    expect(outcomes.filter((outcome) => outcome === 'invalid_credentials')).toHaveLength(5);
    expect(outcomes.filter((outcome) => outcome === 'rate_limited')).toHaveLength(15);
  });

  it('locks the account for everyone only when many addresses fail against it', async () => {
    const email = await account();
    for (let address = 10; address < 13; address++) {
      for (let i = 0; i < 5; i++) await authenticate({ email, password: `wrong ${i}` }, ip(address));
    }
    // 3 addresses × 5 = 15 failures counted per account, over the limit of 12.
    expect(await authenticate({ email, password: GOOD_PASSWORD }, ip(20))).toMatchObject({ ok: false, error: 'rate_limited' });
  });

  it('throttles one address guessing many accounts', async () => {
    installTestConfig(limits);
    const results = [];
    for (let i = 0; i < 32; i++) results.push(await authenticate({ email: uniqueEmail('spray'), password: 'wrong password here' }, ip(30)));
    expect(results.slice(0, 30).map(errorOf)).toEqual(Array(30).fill('invalid_credentials'));
    expect(results.slice(30).map(errorOf)).toEqual(['rate_limited', 'rate_limited']);
  });

  it('a successful sign-in clears the failures of that account from that address', async () => {
    const email = await account();
    for (let i = 0; i < 4; i++) await authenticate({ email, password: `wrong ${i}` }, ip(40));
    expect(await authenticate({ email, password: GOOD_PASSWORD }, ip(40))).toMatchObject({ ok: true });
    for (let i = 0; i < 5; i++) {
      expect(await authenticate({ email, password: `wrong again ${i}` }, ip(40))).toMatchObject({ error: 'invalid_credentials' });
    }
  });
});

describe('sign-up', () => {
  it('limits sign-ups from one address, and only sign-ups (the CLI is not limited)', async () => {
    installTestConfig({ OPTARE_RATE_LIMIT_SIGN_UP_IP: '2/1h' });
    const signUp = () => createUser({ email: uniqueEmail('su'), password: GOOD_PASSWORD, name: 'S' }, ip(50), 'sign_up');
    expect((await signUp()).ok).toBe(true);
    expect((await signUp()).ok).toBe(true);
    const third = await signUp();
    expect(third).toMatchObject({ ok: false, error: 'rate_limited' });
    expect((await createUser({ email: uniqueEmail('cli'), password: GOOD_PASSWORD, name: 'C' }, ip(50), 'cli')).ok).toBe(true);
    expect((await createUser({ email: uniqueEmail('su'), password: GOOD_PASSWORD, name: 'S' }, ip(51), 'sign_up')).ok).toBe(true);
  });
});

describe('client endpoints', () => {
  it('the token endpoint answers 429 with Retry-After and an OAuth error body past the client’s limit', async () => {
    installTestConfig({ OPTARE_ISSUER: 'https://id.example.test', OPTARE_RATE_LIMIT_TOKEN: '2/1m' });
    const machine = await newClient({ grantTypes: ['client_credentials'], scopes: ['profile'] });
    const other = await newClient({ grantTypes: ['client_credentials'], scopes: ['profile'] });
    expect((await token(machine, { grant_type: 'client_credentials' })).status).toBe(200);
    expect((await token(machine, { grant_type: 'client_credentials' })).status).toBe(200);
    const limited = await token(machine, { grant_type: 'client_credentials' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('cache-control')).toBe('no-store');
    expect(limited.body).toMatchObject({ error: 'temporarily_unavailable' });
    expect((await token(other, { grant_type: 'client_credentials' })).status).toBe(200);
  });
});
