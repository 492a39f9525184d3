import { expect, test } from '@playwright/test';
import { killAll, newAccount, removeTempDirs, signUp, startServer } from './server';

/**
 * Password guessing over HTTP, as an attacker would: 1,000 wrong passwords for one account from
 * one address are throttled once the limit is reached (429 with Retry-After, before any
 * password is checked), while the real user signing in from another address still gets in;
 * waiting the Retry-After time lets the address try again. Addresses come from X-Forwarded-For
 * through one trusted proxy (OPTARE_TRUST_PROXY=1), as behind a load balancer.
 */
test.afterEach(async () => {
  await killAll();
  removeTempDirs();
});

test('1,000 wrong passwords from one address are throttled; the real user from another address gets in; Retry-After is honoured', async () => {
  test.setTimeout(120_000);
  const server = await startServer({
    // The per-address limit over all accounts is raised: this test is about one account.
    env: { OPTARE_TRUST_PROXY: '1', OPTARE_RATE_LIMIT_SIGN_IN_IP: '100000/1h', OPTARE_RATE_LIMIT_SIGN_IN_ACCOUNT_IP: '10/30s', OPTARE_RATE_LIMIT_SIGN_IN_ACCOUNT: '50/1h' },
  });
  const account = newAccount('brute');
  expect((await signUp(server.url, account)).status).toBe(201);

  const attempt = (password: string, address: string) =>
    fetch(`${server.url}/api/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
      body: JSON.stringify({ email: account.email, password }),
    });

  const statuses: number[] = [];
  let retryAfter = 0;
  const started = Date.now();
  for (let i = 0; i < 1000; i += 50) {
    const batch = await Promise.all(Array.from({ length: 50 }, (_, j) => attempt(`wrong guess ${i + j}`, '203.0.113.66')));
    for (const response of batch) {
      statuses.push(response.status);
      if (response.status === 429) retryAfter = Math.max(retryAfter, Number(response.headers.get('retry-after')));
    }
  }
  const elapsed = Date.now() - started;
  const checked = statuses.filter((status) => status === 401).length;
  // Each attempt is counted before its password is checked: 50 at a time cannot slip past the 10
  // of the 30-second window.
  expect(elapsed).toBeLessThan(30_000);
  expect(checked).toBe(10);
  expect(statuses.filter((status) => status === 429).length).toBe(1000 - checked);
  expect(statuses.every((status) => status === 401 || status === 429)).toBe(true);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(30);
  // (Refused attempts cost no password hashing: 1,000 attempts take seconds, not argon2 minutes.)

  // The real user, from their own address, is not locked out by that one attacker address.
  expect((await attempt(account.password, '198.51.100.7')).status).toBe(200);
  // The attacker's address is refused even with the right password while the limit holds…
  expect((await attempt(account.password, '203.0.113.66')).status).toBe(429);
  // …and may try again once the Retry-After time has passed.
  await new Promise((resolve) => setTimeout(resolve, (retryAfter + 1) * 1000));
  expect((await attempt(account.password, '203.0.113.66')).status).toBe(200);
});
