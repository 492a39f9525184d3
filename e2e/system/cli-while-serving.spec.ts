import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { killAll, newAccount, removeTempDirs, ROOT, run, signIn, startServer } from './server';

test.afterEach(async () => {
  await killAll();
  removeTempDirs();
});

const CLI = path.join(ROOT, 'scripts/optare.mjs');

test('`optare user create` works while the server owns the embedded database, and the user signs in through the server', async () => {
  test.setTimeout(120_000);
  expect(fs.existsSync(CLI), 'scripts/optare.mjs must exist').toBe(true);
  const server = await startServer();
  const account = newAccount('cli');

  const result = await run(
    ['scripts/optare.mjs', 'user', 'create', '--email', account.email.toUpperCase(), '--password', account.password, '--json'],
    { OPTARE_DATA_DIR: server.dataDir },
  );
  expect(result.code, result.stderr).toBe(0);
  const output = JSON.parse(result.stdout.trim()) as { ok: boolean; user?: { email?: string } };
  expect(output.ok).toBe(true);
  expect(output.user?.email).toBe(account.email);
  expect(result.stdout + result.stderr).not.toContain(account.password);

  const signedIn = await signIn(server.url, account);
  expect(signedIn.status).toBe(200);
  expect(signedIn.headers.get('set-cookie')).toMatch(/^optare_session=/);

  // The server kept its database: it is still the owner and still ready.
  expect(JSON.parse(fs.readFileSync(path.join(server.dataDir, 'optare.lock'), 'utf8')).pid).toBe(server.pid);
  expect((await fetch(`${server.url}/readyz`)).status).toBe(200);

  // A second create with the same address is refused by the CLI, through the same database.
  const again = await run(
    ['scripts/optare.mjs', 'user', 'create', '--email', account.email, '--password', account.password, '--json'],
    { OPTARE_DATA_DIR: server.dataDir },
  );
  expect(again.code).toBe(1);
  expect(JSON.parse(again.stdout.trim())).toMatchObject({ ok: false, error: 'email_taken' });
});
