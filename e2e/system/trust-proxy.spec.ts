import http from 'node:http';
import { expect, test } from '@playwright/test';
import { killAll, newAccount, removeTempDirs, run, signUp, startServer, type OptareServer } from './server';
import { withEmbeddedSql } from './embedded-sql';
import { ownPort } from './own-ports';

/**
 * Which client address Optare records, seen where it lands: the audit events of a failed
 * sign-in (served by Next.js) and of a token revocation (served by the protocol fast path).
 */
test.afterEach(async () => {
  await killAll();
  removeTempDirs();
});

const LOOPBACK = /^(127\.0\.0\.1|::1)$/;
const WRONG_PASSWORD = 'Wrong-Horse-Battery-0';

/** POST with raw headers: an array value is sent as repeated header lines. */
function post(url: string, body: string, headers: Record<string, string | string[]>) {
  return new Promise<{ status: number; requestId: string; body: string }>((resolve, reject) => {
    const request = http.request(url, { method: 'POST', headers: { 'content-length': String(Buffer.byteLength(body)), ...headers }, agent: false }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, requestId: String(response.headers['x-request-id']), body: text }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

function failedSignIn(server: OptareServer, email: string, forwardedFor: string | string[]) {
  return post(`${server.url}/api/auth/sign-in`, JSON.stringify({ email, password: WRONG_PASSWORD }), {
    'content-type': 'application/json',
    'x-forwarded-for': forwardedFor,
  });
}

/** Creates a client_credentials client, gets a token and revokes it with the given header. */
async function revokeToken(server: OptareServer, forwardedFor: string) {
  const created = await run(
    ['scripts/optare.mjs', 'client', 'create', '--name', 'Proxy test', '--redirect-uri', 'https://app.example/cb', '--grant', 'client_credentials', '--scope', 'profile', '--json'],
    { OPTARE_DATA_DIR: server.dataDir },
  );
  expect(created.code, created.stderr).toBe(0);
  const { clientId, clientSecret } = JSON.parse(created.stdout.trim()) as { clientId: string; clientSecret: string };
  const form = { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}` };
  const token = await post(`${server.url}/oauth/token`, 'grant_type=client_credentials&scope=profile', { ...form, 'x-forwarded-for': forwardedFor });
  expect(token.status, token.body).toBe(200);
  const accessToken = (JSON.parse(token.body) as { access_token: string }).access_token;
  const revoked = await post(`${server.url}/oauth/revoke`, `token=${accessToken}&token_type_hint=access_token`, { ...form, 'x-forwarded-for': forwardedFor });
  expect(revoked.status).toBe(200);
  return revoked.requestId;
}

/** The audit event a request wrote: its type and recorded IP. */
function auditedIp(server: OptareServer, requestId: string) {
  return withEmbeddedSql(server.dataDir, async (sql) => {
    const { rows } = await sql.query<{ type: string; outcome: string; ip: string }>('SELECT type, outcome, ip FROM audit_events WHERE request_id = $1', [requestId]);
    expect(rows, `audit events of request ${requestId}`).toHaveLength(1);
    return rows[0]!;
  });
}

test('with OPTARE_TRUST_PROXY=1 the address the proxy appended to X-Forwarded-For is recorded, never a client-written one', async () => {
  test.setTimeout(120_000);
  // Deployed behind a TLS-terminating proxy: a public https:// issuer, plain HTTP to Optare.
  const server = await startServer({ port: await ownPort(), env: { OPTARE_TRUST_PROXY: '1', OPTARE_ISSUER: 'https://id.example.test' } });
  // Browsers reach it over HTTPS (through the proxy), so HSTS is right even on this plain-HTTP hop.
  const discovery = await fetch(`${server.url}/.well-known/openid-configuration`);
  expect(discovery.headers.get('strict-transport-security')).toBe('max-age=63072000; includeSubDomains');
  expect(((await discovery.json()) as { issuer: string }).issuer).toBe('https://id.example.test');
  const account = newAccount('proxy');
  expect((await signUp(server.url, account)).status).toBe(201);

  // The client wrote 6.6.6.6; the proxy appended the address it saw.
  const signIn = await failedSignIn(server, account.email, '6.6.6.6, 203.0.113.7');
  expect(signIn.status).toBe(401);
  expect(await auditedIp(server, signIn.requestId)).toEqual({ type: 'auth.sign_in', outcome: 'failure', ip: '203.0.113.7' });

  // A client-sent header line first, the proxy's own line last: the lines are read in order.
  const repeated = await failedSignIn(server, account.email, ['6.6.6.6', '2001:DB8::7']);
  expect((await auditedIp(server, repeated.requestId)).ip).toBe('2001:db8::7');

  // Garbage where the proxy's entry should be: the socket's address, not the client's choice.
  const garbage = await failedSignIn(server, account.email, '6.6.6.6, not-an-ip');
  expect((await auditedIp(server, garbage.requestId)).ip).toMatch(LOOPBACK);

  // The protocol fast path reads the same stamped address.
  const revoke = await revokeToken(server, '6.6.6.6, 198.51.100.10:4711');
  expect(await auditedIp(server, revoke)).toEqual({ type: 'token.revoked', outcome: 'success', ip: '198.51.100.10' });
});

test('with OPTARE_TRUST_PROXY unset (0) a spoofed X-Forwarded-For changes nothing: the socket address is recorded', async () => {
  test.setTimeout(120_000);
  const server = await startServer({ port: await ownPort() });
  // A plain-HTTP issuer (development): no HSTS on anything it serves.
  expect((await fetch(`${server.url}/.well-known/openid-configuration`)).headers.get('strict-transport-security')).toBeNull();
  expect((await fetch(`${server.url}/sign-in`)).headers.get('strict-transport-security')).toBeNull();
  const account = newAccount('noproxy');
  expect((await signUp(server.url, account)).status).toBe(201);

  const signIn = await failedSignIn(server, account.email, '203.0.113.7');
  expect(signIn.status).toBe(401);
  const event = await auditedIp(server, signIn.requestId);
  expect(event).toMatchObject({ type: 'auth.sign_in', outcome: 'failure' });
  expect(event.ip).toMatch(LOOPBACK);

  const revoke = await revokeToken(server, '198.51.100.10');
  expect((await auditedIp(server, revoke)).ip).toMatch(LOOPBACK);
});
