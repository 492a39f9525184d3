import { expect, test } from '@playwright/test';
import { jsonLines, killAll, newAccount, nonJsonLines, PASSWORD, removeTempDirs, signIn, signUp, startServer, type Exit, type OptareServer } from './server';

/**
 * One server, a handful of requests whose logs must not carry secrets, then a clean stop; the
 * tests below read what it wrote to stdout and stderr.
 */
test.describe.configure({ mode: 'serial' });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const WRONG_PASSWORD = 'Wrong-Horse-Battery-0';

let server: OptareServer;
let exit: Exit;
let responses: Record<string, Response>;

test.beforeAll(async () => {
  test.setTimeout(150_000);
  server = await startServer({ env: { LOG_LEVEL: 'info' } });
  const account = newAccount('logs');
  expect(account.password).toBe(PASSWORD);
  responses = {
    health: await fetch(`${server.url}/healthz`),
    oauthQuery: await fetch(`${server.url}/sign-in?code=SECRET123&state=xyz`),
    signUp: await signUp(server.url, account),
    signIn: await signIn(server.url, account),
    wrongPassword: await signIn(server.url, { email: account.email, password: WRONG_PASSWORD }),
    // A password typed into the email field, a common slip: refused, and not logged either.
    invalid: await signUp(server.url, { ...account, email: `not-an-email ${PASSWORD}` }),
  };
  expect(responses.signUp!.status).toBe(201);
  expect(responses.signIn!.status).toBe(200);
  expect(responses.wrongPassword!.status).toBe(401);
  expect(responses.invalid!.status).toBe(400);
  exit = await server.stop('SIGTERM');
});

test.afterAll(async () => {
  await killAll();
  removeTempDirs();
});

test('each request is logged once as JSON with method, path (no query), status, durationMs and its X-Request-Id', () => {
  expect(exit.code).toBe(0);
  const requests = jsonLines(server.stdout()).filter((line) => 'requestId' in line && 'status' in line);
  for (const [name, response] of Object.entries(responses)) {
    const requestId = response.headers.get('x-request-id');
    expect(requestId, name).toMatch(UUID);
    const logged = requests.filter((line) => line.requestId === requestId);
    expect(logged, name).toHaveLength(1);
    const line = logged[0]!;
    expect(line, name).toMatchObject({ method: expect.stringMatching(/^(GET|POST)$/), status: response.status, path: expect.stringMatching(/^\/[^?]*$/) });
    expect(typeof line.durationMs, name).toBe('number');
    expect(line.durationMs as number, name).toBeGreaterThanOrEqual(0);
  }
  const find = (name: string) => requests.find((line) => line.requestId === responses[name]!.headers.get('x-request-id'));
  expect(find('oauthQuery')).toMatchObject({ method: 'GET', path: '/sign-in', status: 200 });
  expect(find('signIn')).toMatchObject({ method: 'POST', path: '/api/auth/sign-in', status: 200 });
  expect(find('wrongPassword')).toMatchObject({ method: 'POST', path: '/api/auth/sign-in', status: 401 });
});

test('no authorization code, state, password or session token reaches stdout or stderr', () => {
  const everything = server.stdout() + server.stderr();
  expect(everything).toContain('/sign-in'); // the logs are there to be searched
  expect(everything).not.toContain('SECRET123');
  expect(everything).not.toContain('state=xyz');
  expect(everything).not.toContain(PASSWORD);
  expect(everything).not.toContain(WRONG_PASSWORD);
  const token = /optare_session=([^;]+)/.exec(responses.signIn!.headers.get('set-cookie') ?? '')?.[1];
  expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(everything).not.toContain(token!);
});

test('every line the server writes to stdout is a JSON log record', () => {
  expect(nonJsonLines(server.stdout())).toEqual([]);
});
