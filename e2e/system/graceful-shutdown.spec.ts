import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { jsonLines, killAll, newAccount, removeTempDirs, run, signUp, startServer } from './server';
import { withEmbeddedSql } from './embedded-sql';
import { ownPort } from './own-ports';

test.afterEach(async () => {
  await killAll();
  removeTempDirs();
});

interface InFlight {
  name: string;
  expected: number;
  /** Resolves once the server has read the request's headers and called its handler (100 Continue). */
  accepted: Promise<void>;
  /** Sends the body: the server can now answer. */
  send(): void;
  response: Promise<{ status: number; requestId: string; body: string }>;
}

/**
 * A POST whose headers go out now and whose body waits for `send()`. `Expect: 100-continue` makes
 * Node's server answer "100 Continue" when it hands the request to Optare's handler, so the test
 * knows for certain the request is in flight (accepted and being handled), not still queued.
 */
function inFlightPost(url: string, name: string, expected: number, headers: Record<string, string>, body: string, agent: http.Agent): InFlight {
  const request = http.request(url, {
    method: 'POST',
    agent,
    headers: { ...headers, 'content-length': String(Buffer.byteLength(body)), expect: '100-continue' },
  });
  const accepted = new Promise<void>((resolve, reject) => {
    request.once('continue', resolve);
    request.once('error', reject);
  });
  const response = new Promise<{ status: number; requestId: string; body: string }>((resolve, reject) => {
    request.once('response', (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, requestId: String(res.headers['x-request-id']), body: text }));
      res.on('error', reject);
    });
    request.once('error', reject);
  });
  response.catch(() => undefined); // awaited below; keep an early failure from being unhandled
  request.flushHeaders();
  return { name, expected, accepted, send: () => request.end(body), response };
}

function connectionRefused(port: number): Promise<string> {
  return new Promise((resolve) => {
    const request = http.get({ host: 'localhost', port, path: '/healthz', agent: false }, (res) => {
      res.resume();
      resolve(`answered ${res.statusCode}`);
    });
    request.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

test('on SIGTERM the server stops accepting, every in-flight request completes normally, the database closes and the exit code is 0', async () => {
  test.setTimeout(240_000);
  const server = await startServer({ port: await ownPort() });
  const created = await run(
    ['scripts/optare.mjs', 'client', 'create', '--name', 'Shutdown test', '--redirect-uri', 'https://app.example/cb', '--grant', 'client_credentials', '--scope', 'profile', '--json'],
    { OPTARE_DATA_DIR: server.dataDir },
  );
  expect(created.code, created.stderr).toBe(0);
  const { clientId, clientSecret } = JSON.parse(created.stdout.trim()) as { clientId: string; clientSecret: string };
  const existing = newAccount('shutdown');
  expect((await signUp(server.url, existing)).status).toBe(201);

  // Keep-alive connections, as real clients use: they must not hold the shutdown open either.
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const tokenRequest = (name: string) =>
    inFlightPost(
      `${server.url}/oauth/token`,
      name,
      200,
      { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}` },
      'grant_type=client_credentials&scope=profile',
      agent,
    );
  const newAccounts: Array<ReturnType<typeof newAccount>> = [];
  const signUpRequest = (name: string) => {
    const account = newAccount('shutdown');
    newAccounts.push(account);
    return inFlightPost(`${server.url}/api/auth/sign-up`, name, 201, { 'content-type': 'application/json' }, JSON.stringify(account), agent);
  };
  const signInRequest = (name: string) =>
    inFlightPost(`${server.url}/api/auth/sign-in`, name, 200, { 'content-type': 'application/json' }, JSON.stringify({ email: existing.email, password: existing.password }), agent);

  // Busy at SIGTERM: bodies sent just before it, so token signing and argon2 hashing are running.
  const busy = [
    ...Array.from({ length: 12 }, (_, i) => tokenRequest(`busy token ${i}`)),
    ...Array.from({ length: 4 }, (_, i) => signUpRequest(`busy sign-up ${i}`)),
    ...Array.from({ length: 2 }, (_, i) => signInRequest(`busy sign-in ${i}`)),
  ];
  // Waiting for their bodies at SIGTERM: they finish only after the shutdown has begun.
  const waiting = [
    ...Array.from({ length: 8 }, (_, i) => tokenRequest(`waiting token ${i}`)),
    ...Array.from({ length: 4 }, (_, i) => signUpRequest(`waiting sign-up ${i}`)),
    ...Array.from({ length: 2 }, (_, i) => signInRequest(`waiting sign-in ${i}`)),
  ];
  const all = [...busy, ...waiting];
  await Promise.all(all.map((request) => request.accepted));

  for (const request of busy) request.send();
  const sigtermAt = Date.now();
  server.child.kill('SIGTERM');
  await expect.poll(() => server.stdout(), { timeout: 10_000 }).toContain('shutting down: finishing in-flight requests');
  // No longer accepting: a new connection is refused while the old ones are still being served.
  expect(await connectionRefused(server.port)).toBe('ECONNREFUSED');
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(server.child.exitCode, 'the server must wait for the requests still in flight').toBeNull();
  for (const request of waiting) request.send();

  const results = await Promise.all(all.map(async (request) => ({ request, result: await request.response })));
  for (const { request, result } of results) {
    expect(result.status, `${request.name}: ${result.body}`).toBe(request.expected);
    if (request.name.includes('token')) expect(JSON.parse(result.body)).toHaveProperty('access_token');
  }

  const exit = await server.wait(30_000);
  agent.destroy();
  expect(exit.code, server.stderr()).toBe(0);
  expect(Date.now() - sigtermAt, 'done within the 10 s grace period, nothing cut off by force').toBeLessThan(10_000);

  // The server's own account: the waiting requests finished after the shutdown began, then it
  // closed the database (releasing the data directory) and said so last.
  const records = jsonLines(server.stdout());
  const shutdownAt = records.findIndex((line) => line.msg === 'shutting down: finishing in-flight requests');
  for (const { request, result } of results.filter(({ request }) => waiting.includes(request))) {
    const logged = records.findIndex((line) => line.requestId === result.requestId && 'status' in line);
    expect(logged, `${request.name} is logged after the shutdown began`).toBeGreaterThan(shutdownAt);
  }
  expect(records.at(-1)?.msg).toBe('stopped');
  expect(fs.existsSync(path.join(server.dataDir, 'optare.lock')), 'the embedded database was closed and its lock released').toBe(false);

  // Nothing was lost or half-written: after a restart every new account exists and the audit chain verifies.
  const restarted = await startServer({ dataDir: server.dataDir, port: await ownPort() });
  const emails = newAccounts.map((account) => account.email);
  const found = await withEmbeddedSql(restarted.dataDir, (sql) => sql.query<{ email: string }>('SELECT email FROM users WHERE email = ANY($1)', [emails]));
  expect(found.rows.map((row) => row.email).sort()).toEqual([...emails].sort());
  const verified = await run(['scripts/optare.mjs', 'audit', 'verify', '--json'], { OPTARE_DATA_DIR: restarted.dataDir });
  expect(verified.code, verified.stdout + verified.stderr).toBe(0);
  expect((await restarted.stop('SIGTERM')).code).toBe(0);
});
