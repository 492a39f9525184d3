import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { corsHeaders, CORS_ORIGINS_CACHE_MS, isRegisteredCorsOrigin, preflightForRegisteredOrigins } from '../../lib/oauth/cors';
import { createClient, deleteClient, findEnabledClient } from '../../lib/oauth/clients/registration';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { useTestConfig } from '../support/config';
import { testContext } from '../support/context';

// CORS per client: only origins registered on an (enabled) client are answered.

let database: TestDatabase;
beforeAll(async () => {
  useTestConfig();
  database = await openTestDatabase();
});
afterAll(() => database.close());
afterEach(() => {
  vi.useRealTimers();
});

async function register(corsOrigins: string[], extra: Record<string, unknown> = {}) {
  const result = await createClient({ name: 'SPA', type: 'public', redirectUris: ['https://spa.example/cb'], corsOrigins, ...extra }, testContext());
  if (!result.ok) throw new Error(JSON.stringify(result.fieldErrors));
  return result.client;
}

function preflight(origin: string) {
  return new Request('http://localhost:3000/oauth/token', {
    method: 'OPTIONS',
    headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' },
  });
}

describe('isRegisteredCorsOrigin', () => {
  it('is true only for origins of enabled clients, and sees new clients at once', async () => {
    expect(await isRegisteredCorsOrigin('https://spa.example')).toBe(false);
    const client = await register(['https://spa.example', 'http://localhost:5173']);
    expect(await isRegisteredCorsOrigin('https://spa.example')).toBe(true);
    expect(await isRegisteredCorsOrigin('http://localhost:5173')).toBe(true);
    expect(await isRegisteredCorsOrigin('https://evil.example')).toBe(false);
    expect(await isRegisteredCorsOrigin(null)).toBe(false);
    await register(['https://disabled.example'], { enabled: false });
    expect(await isRegisteredCorsOrigin('https://disabled.example')).toBe(false);
    await deleteClient(client.id, testContext());
    expect(await isRegisteredCorsOrigin('https://spa.example')).toBe(false);
  });

  it('answers concurrent preflights from a cache that is re-read after its lifetime', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    await register(['https://cached.example']);
    const answers = await Promise.all(Array.from({ length: 20 }, () => preflightForRegisteredOrigins(preflight('https://cached.example'))));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(204));
    // Removed behind this process's back (another instance, the CLI): still cached for a while…
    await database.sql(`UPDATE oauth_clients SET cors_origins = '{}' WHERE 'https://cached.example' = ANY(cors_origins)`);
    expect(await isRegisteredCorsOrigin('https://cached.example')).toBe(true);
    // …and gone once the cache expires.
    vi.setSystemTime(Date.now() + CORS_ORIGINS_CACHE_MS + 1);
    expect(await isRegisteredCorsOrigin('https://cached.example')).toBe(false);
  });
});

describe('preflight and actual responses', () => {
  it('a preflight from a registered origin gets 204; others get 403', async () => {
    await register(['https://registered.example']);
    const ok = await preflightForRegisteredOrigins(preflight('https://registered.example'));
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://registered.example');
    const refused = await preflightForRegisteredOrigins(preflight('https://unregistered.example'));
    expect(refused.status).toBe(403);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });

  it("the actual response allows only the authenticated client's own origins", async () => {
    const mine = await register(['https://mine.example']);
    await register(['https://theirs.example']);
    const client = (await findEnabledClient(mine.id))!;
    expect(corsHeaders('https://mine.example', client.corsOrigins)['Access-Control-Allow-Origin']).toBe('https://mine.example');
    // Registered, but on another client: no CORS for this client's tokens.
    expect(corsHeaders('https://theirs.example', client.corsOrigins)).toEqual({ Vary: 'Origin' });
  });
});
