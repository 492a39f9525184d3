import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { expect, test } from '@playwright/test';
import { freePort, newAccount, run, signIn, signUp, startServer, strongKey, type OptareServer } from './server';

/**
 * Two Optare instances on one PostgreSQL behave as one server: a session made on one works on
 * the other, refresh-token reuse detection holds across them, a rate limit reached through one
 * applies on the other, and the audit chain stays linear. Runs in the postgres project only
 * (it needs a PostgreSQL server: E2E_DATABASE_URL, which `npm test` sets from TEST_DATABASE_URL).
 */

const serverUrl = process.env.E2E_DATABASE_URL;
const REDIRECT_URI = 'http://127.0.0.1:9/callback';

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** A code through the real authorization endpoint for a signed-in browser (first-party: no consent). */
async function authorize(base: string, clientId: string, cookie: string, scope: string) {
  const verifier = randomBytes(32).toString('base64url');
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    scope,
    state: 'st',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  });
  const response = await fetch(`${base}/oauth/authorize?${query}`, { headers: { cookie }, redirect: 'manual' });
  const code = new URL(response.headers.get('location') ?? 'http://x/').searchParams.get('code');
  if (!code) throw new Error(`no code: ${response.status} ${response.headers.get('location')}`);
  return { code, verifier };
}

async function exchange(base: string, app: { id: string; secret: string }, { code, verifier }: { code: string; verifier: string }) {
  const response = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(app.id, app.secret) },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { refresh_token: string };
}

test.describe('two instances on one PostgreSQL @postgres-only', () => {
  test.describe.configure({ mode: 'serial' });
  test.setTimeout(180_000);

  let admin: pg.Client;
  let database = '';
  let env: Record<string, string> = {};
  let a: OptareServer;
  let b: OptareServer;

  test.beforeAll(async () => {
    if (!serverUrl) throw new Error('E2E_DATABASE_URL (a PostgreSQL server) is needed: run `npm test` with TEST_DATABASE_URL set');
    admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    database = `optare_multi_${randomBytes(5).toString('hex')}`;
    await admin.query(`CREATE DATABASE "${database}"`);
    const url = new URL(serverUrl);
    url.pathname = `/${database}`;
    const [portA, portB] = [await freePort(), await freePort()];
    // One public issuer for both, as behind a load balancer; the same key on both.
    env = {
      DATABASE_URL: url.toString(),
      OPTARE_ISSUER: `http://localhost:${portA}`,
      OPTARE_ENCRYPTION_KEY: strongKey(),
      OPTARE_RATE_LIMIT_SIGN_IN_ACCOUNT_IP: '3/15m',
    };
    a = await startServer({ port: portA, env });
    b = await startServer({ port: portB, env });
  });

  test.afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await admin?.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin?.end();
  });

  test('a session made on one instance is valid on the other', async () => {
    const account = newAccount('multi');
    const created = await signUp(a.url, account);
    expect(created.status).toBe(201);
    const cookie = (created.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect(cookie).toMatch(/^optare_session=[A-Za-z0-9_-]{43}$/);
    const page = await fetch(`${b.url}/account`, { headers: { cookie }, redirect: 'manual' });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(account.email);
    const anonymous = await fetch(`${b.url}/account`, { redirect: 'manual' });
    expect(anonymous.status).toBeGreaterThanOrEqual(300);
    expect(anonymous.status).toBeLessThan(400);
  });

  test('of 20 concurrent refreshes of one token, split across both, exactly one succeeds, and the family dies', async () => {
    const client = await cli(['client', 'create', '--name', 'multi-app', '--redirect-uri', REDIRECT_URI, '--first-party',
      '--grant', 'authorization_code', '--grant', 'refresh_token', '--scope', 'openid', '--scope', 'offline_access']);
    const app = { id: client.clientId as string, secret: client.clientSecret as string };
    const account = newAccount('refresh');
    const cookie = ((await signUp(a.url, account)).headers.get('set-cookie') ?? '').split(';')[0]!;
    const tokens = await exchange(b.url, app, await authorize(a.url, app.id, cookie, 'openid offline_access'));
    expect(tokens.refresh_token).toBeTruthy();

    const refresh = (base: string, token: string) =>
      fetch(`${base}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(app.id, app.secret) },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token }),
      });
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => refresh(i % 2 === 0 ? a.url : b.url, tokens.refresh_token)));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 400)).toHaveLength(19);
    const winner = (await answers[statuses.indexOf(200)]!.json()) as { refresh_token: string };
    // The reuse revoked the whole family: the winner's new token is dead on both instances.
    for (const base of [a.url, b.url]) {
      const after = await refresh(base, winner.refresh_token);
      expect(after.status).toBe(400);
      expect(await after.json()).toMatchObject({ error: 'invalid_grant' });
    }
  });

  test('a rate limit reached through one instance applies on the other', async () => {
    const account = newAccount('limited');
    expect((await signUp(a.url, account)).status).toBe(201);
    for (let i = 0; i < 3; i++) expect((await signIn(a.url, { email: account.email, password: `wrong password ${i}` })).status).toBe(401);
    const limited = await signIn(b.url, { email: account.email, password: account.password });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  test('the audit chain written by both stays linear and verifies', async () => {
    const result = await run(['scripts/optare.mjs', 'audit', 'verify', '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true });
  });

  async function cli(args: string[]): Promise<Record<string, unknown>> {
    const result = await run(['scripts/optare.mjs', ...args, '--json'], env);
    if (result.code !== 0) throw new Error(`optare ${args.join(' ')} failed: ${result.stderr}`);
    return JSON.parse(result.stdout) as Record<string, unknown>;
  }
});
