import { expect, test } from '../pages/fixtures';
import { askRuntimeProbe, RUNTIME_PROBE_NODE_OPTIONS } from './runtime-probe';
import { killAll, leavePage, newAccount, removeTempDirs, signUp, startServer, type OptareServer } from './server';

/**
 * Next.js's request contexts are switched off while it serves nothing (lib/server/async-context-gate.ts),
 * on a real server: a preloaded probe (runtime-probe.mjs) reports on SIGUSR2 whether the
 * process runs async hooks. They go off a second after the last page, stay off while the protocol
 * endpoints answer, and pages that read the request's cookies work again afterwards.
 */

test.afterEach(async () => {
  await killAll();
  removeTempDirs();
});

/** IDLE_MS of the gate, and some room for a loaded machine. */
const PAST_IDLE_MS = 2_500;

/** The probe's answer: 'on' or 'off'. */
const asyncHooks = (server: OptareServer) => askRuntimeProbe(server, 'async-hooks');

test("async hooks run only while Next.js serves a request, and its pages keep their request's context", async ({ page }) => {
  test.setTimeout(120_000);
  const server = await startServer({
    env: { LOG_LEVEL: 'warn', NODE_OPTIONS: RUNTIME_PROBE_NODE_OPTIONS },
  });
  const account = newAccount('contexts');
  expect((await signUp(server.url, account)).status).toBe(201);
  expect(await asyncHooks(server)).toBe('on');
  await page.waitForTimeout(PAST_IDLE_MS);
  expect(await asyncHooks(server)).toBe('off');

  // The protocol endpoints do not turn them on.
  expect((await fetch(`${server.url}/.well-known/openid-configuration`)).status).toBe(200);
  expect((await fetch(`${server.url}/oauth/jwks`)).status).toBe(200);
  expect(await asyncHooks(server)).toBe('off');

  // A page that reads the session cookie, after the contexts went off: it knows who is signed in.
  const signedIn = await page.request.post(`${server.url}/api/auth/sign-in`, { data: { email: account.email, password: account.password } });
  expect(signedIn.status()).toBe(200);
  await page.waitForTimeout(PAST_IDLE_MS);
  expect(await asyncHooks(server)).toBe('off');
  await page.goto(`${server.url}/account`);
  await expect(page.getByRole('heading', { name: 'Your account', level: 1 })).toBeVisible();
  await expect(page.getByText(account.email).first()).toBeVisible();
  expect(await asyncHooks(server)).toBe('on');
  await page.waitForTimeout(PAST_IDLE_MS);
  expect(await asyncHooks(server)).toBe('off');

  // And again: the next page works, and nothing went wrong on the server in between.
  await page.goto(`${server.url}/account/sessions`);
  await expect(page.getByRole('heading', { name: 'Where you are signed in', level: 1 })).toBeVisible();
  await expect(page.getByText('This device')).toBeVisible();
  expect(server.stderr()).not.toMatch(/error|outside a request scope/i);
  await leavePage(page);
});
