import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { freePort, freshPostgresDatabase, jsonLines, killAll, newAccount, removeTempDirs, run, signIn, signUp, startServer, strongKey, tempDir } from './server';

test.afterEach(async () => {
  await killAll();
  removeTempDirs();
});

/** SIGTERM must end the process cleanly: exit code 0 and a final "stopped" log line. */
async function stopCleanly(server: Awaited<ReturnType<typeof startServer>>) {
  const exit = await server.stop('SIGTERM');
  expect(exit, server.stderr()).toEqual({ code: 0, signal: null });
  const messages = jsonLines(server.stdout()).map((line) => line.msg);
  expect(messages).toContain('stopped');
  expect(messages.at(-1)).toBe('stopped');
}

test('an account created before a restart signs in after it, on the same embedded data directory', async () => {
  test.setTimeout(180_000);
  const dataDir = tempDir();
  const account = newAccount('restart');

  const first = await startServer({ dataDir });
  expect((await signUp(first.url, account)).status).toBe(201);
  await stopCleanly(first);
  // A clean stop releases the data directory for the next owner.
  expect(fs.existsSync(path.join(dataDir, 'optare.lock'))).toBe(false);
  const key = fs.readFileSync(path.join(dataDir, 'encryption.key'), 'utf8');

  const second = await startServer({ dataDir });
  const signedIn = await signIn(second.url, account);
  expect(signedIn.status).toBe(200);
  expect(signedIn.headers.get('set-cookie')).toMatch(/^optare_session=[A-Za-z0-9_-]{43};/);
  expect((await signIn(second.url, { ...account, password: 'Wrong-Horse-Battery-9' })).status).toBe(401);
  expect((await signUp(second.url, account)).status).toBe(409);
  // The development key generated at first start is reused, not replaced.
  expect(fs.readFileSync(path.join(dataDir, 'encryption.key'), 'utf8')).toBe(key);
  // Migrations ran once: the second start found nothing to apply.
  expect(jsonLines(second.stdout()).some((line) => line.msg === 'applied database migrations')).toBe(false);
  expect(jsonLines(first.stdout()).some((line) => line.msg === 'applied database migrations')).toBe(true);
  await stopCleanly(second);
});

test('a restart with another OPTARE_ENCRYPTION_KEY refuses to start, naming the setting, instead of failing every token request', async () => {
  test.setTimeout(180_000);
  const dataDir = tempDir();
  const first = await startServer({ dataDir, env: { OPTARE_ENCRYPTION_KEY: strongKey() } });
  await stopCleanly(first);

  const otherKey = strongKey();
  const result = await run(['scripts/start.mjs'], { PORT: String(await freePort()), OPTARE_DATA_DIR: dataDir, OPTARE_ENCRYPTION_KEY: otherKey }, 90_000);
  expect(result.code, result.stderr).toBe(1);
  expect(result.stderr).toMatch(/Optare cannot start: OPTARE_ENCRYPTION_KEY does not open the signing keys in the database: no configured key has id [0-9a-f]{8} \(add it to OPTARE_ENCRYPTION_KEYS_OLD\)/);
  expect(result.stderr + result.stdout).not.toContain(otherKey);
});

// Defined only when a PostgreSQL server is configured, so that no run reports it as passed without
// having talked to PostgreSQL.
if (process.env.E2E_DATABASE_URL) {
  const serverUrl = process.env.E2E_DATABASE_URL;
  test.describe('on PostgreSQL', () => {
    test('an account created before a restart signs in after it, on a fresh PostgreSQL database', async () => {
      test.setTimeout(180_000);
      const database = await freshPostgresDatabase(serverUrl);
      try {
        const account = newAccount('restart-pg');
        const env = { DATABASE_URL: database.url, OPTARE_ENCRYPTION_KEY: strongKey() };

        const first = await startServer({ env });
        expect(jsonLines(first.stdout()).map((line) => line.msg)).toContain('using PostgreSQL');
        expect((await signUp(first.url, account)).status).toBe(201);
        await stopCleanly(first);
        // The embedded database was never opened: PostgreSQL holds everything.
        expect(fs.existsSync(path.join(first.dataDir, 'pgdata'))).toBe(false);

        const users = await database.sql.query<{ email: string }>('SELECT email FROM users');
        expect(users.rows).toEqual([{ email: account.email }]);
        const created = await database.sql.query<{ type: string }>("SELECT type FROM audit_events WHERE type = 'user.created'");
        expect(created.rowCount).toBe(1);

        const second = await startServer({ env });
        expect((await signIn(second.url, account)).status).toBe(200);
        expect((await signUp(second.url, account)).status).toBe(409);
        await stopCleanly(second);
      } finally {
        await killAll();
        await database.drop();
      }
    });
  });
}
