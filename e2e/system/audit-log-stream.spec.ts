import { expect, test } from '@playwright/test';
import { jsonLines, killAll, newAccount, removeTempDirs, signIn, signUp, startServer } from './server';

/**
 * OPTARE_AUDIT_LOG_STREAM=stdout (ASVS 16.4.3): a started server writes each audit event it
 * records, once committed, as a JSON line of its request log (audit: true), at LOG_LEVEL=warn
 * too, so that the log shipper carries it to a separate system; never a password.
 */

test.afterAll(async () => {
  await killAll();
  removeTempDirs();
});

test('a sign-up and a failed sign-in appear on stdout as audit lines with the export’s fields, without the password', async () => {
  test.setTimeout(150_000);
  const server = await startServer({ env: { LOG_LEVEL: 'warn', OPTARE_AUDIT_LOG_STREAM: 'stdout' } });
  const account = newAccount('stream');
  expect((await signUp(server.url, account)).status).toBe(201);
  const refused = await signIn(server.url, { email: account.email, password: 'Wrong-Horse-Battery-0' });
  expect(refused.status).toBe(401);
  await expect
    .poll(() => jsonLines(server.stdout()).filter((line) => line.audit === true && line.outcome === 'failure').length, { timeout: 10_000 })
    .toBeGreaterThan(0);
  const exit = await server.stop('SIGTERM');
  expect(exit.code).toBe(0);

  const audit = jsonLines(server.stdout()).filter((line) => line.audit === true);
  const types = audit.map((line) => line.type);
  expect(types).toContain('user.created');
  const failed = audit.find((line) => line.outcome === 'failure' && String(line.type).startsWith('auth.'));
  expect(failed).toMatchObject({
    level: 30,
    msg: 'audit event',
    seq: expect.stringMatching(/^\d+$/),
    createdAt: expect.any(String),
    requestId: refused.headers.get('x-request-id'),
    prevHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    hash: expect.stringMatching(/^[0-9a-f]{64}$/),
  });
  // Each event once, in the order of the chain.
  const seqs = audit.map((line) => Number(line.seq));
  expect(new Set(seqs).size).toBe(seqs.length);
  expect(server.stdout()).not.toContain(account.password);
  expect(server.stdout()).not.toContain('Wrong-Horse-Battery-0');
});

test('without the setting, no audit lines are written', async () => {
  test.setTimeout(150_000);
  const server = await startServer({ env: { LOG_LEVEL: 'info' } });
  expect((await signUp(server.url, newAccount('nostream'))).status).toBe(201);
  expect((await server.stop('SIGTERM')).code).toBe(0);
  const records = jsonLines(server.stdout());
  expect(records.some((line) => 'requestId' in line && line.path === '/api/auth/sign-up')).toBe(true); // the request log is there
  expect(records.filter((line) => line.audit === true)).toEqual([]);
});
