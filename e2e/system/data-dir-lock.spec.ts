import { expect, test } from '@playwright/test';
import { freePort, killAll, newAccount, removeTempDirs, signUp, spawnOptare, startServer } from './server';

test.afterEach(async () => {
  await killAll();
  removeTempDirs();
});

test('a second server on the same embedded data directory exits at once, naming the owner pid', async () => {
  test.setTimeout(120_000);
  const first = await startServer();

  const startedAt = Date.now();
  const second = spawnOptare(['scripts/start.mjs'], { PORT: String(await freePort()), OPTARE_DATA_DIR: first.dataDir });
  const exit = await second.wait(30_000);
  const elapsed = Date.now() - startedAt;

  expect(exit.code, second.stderr()).not.toBe(0);
  expect(exit.code).not.toBeNull();
  expect(second.stderr()).toContain(`is in use by process ${first.pid}`);
  expect(second.stderr()).toContain(first.dataDir);
  // It failed on the lock, before migrating or starting Next.js (the bound is loose: CI machines are busy).
  expect(second.stdout()).not.toContain('applied database migrations');
  expect(second.stdout()).not.toContain('Optare is ready');
  expect(elapsed).toBeLessThan(30_000);

  // The owner is unharmed: still ready, still writing to its database.
  expect((await fetch(`${first.url}/readyz`)).status).toBe(200);
  expect((await signUp(first.url, newAccount('lock'))).status).toBe(201);
});
