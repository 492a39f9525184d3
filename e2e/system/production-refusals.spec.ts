import fs from 'node:fs';
import { expect, test } from '@playwright/test';
import { freePort, killAll, removeTempDirs, run, strongKey, tempDir } from './server';

test.afterEach(async () => {
  await killAll();
  removeTempDirs();
});

const refusals = [
  {
    title: 'without OPTARE_ENCRYPTION_KEY',
    env: { OPTARE_ISSUER: 'https://id.example.com' },
    variable: 'OPTARE_ENCRYPTION_KEY',
    message: /OPTARE_ENCRYPTION_KEY: is required in production/,
  },
  {
    title: 'with an all-zero OPTARE_ENCRYPTION_KEY',
    env: { OPTARE_ISSUER: 'https://id.example.com', OPTARE_ENCRYPTION_KEY: Buffer.alloc(32).toString('base64') },
    variable: 'OPTARE_ENCRYPTION_KEY',
    message: /OPTARE_ENCRYPTION_KEY: is weak/,
  },
  {
    title: 'with an OPTARE_ENCRYPTION_KEY that is an ASCII phrase',
    env: { OPTARE_ISSUER: 'https://id.example.com', OPTARE_ENCRYPTION_KEY: Buffer.from('my super secret production key!!').toString('base64') },
    variable: 'OPTARE_ENCRYPTION_KEY',
    message: /OPTARE_ENCRYPTION_KEY: is weak/,
  },
  {
    title: 'with an http:// OPTARE_ISSUER',
    env: { OPTARE_ISSUER: 'http://id.example.com', OPTARE_ENCRYPTION_KEY: strongKey() },
    variable: 'OPTARE_ISSUER',
    message: /OPTARE_ISSUER: must be an https:\/\/ URL in production \(got http:\/\/id\.example\.com\)/,
  },
  {
    title: 'without SMTP_URL (password reset needs email)',
    env: { OPTARE_ISSUER: 'https://id.example.com', OPTARE_ENCRYPTION_KEY: strongKey() },
    variable: 'SMTP_URL',
    message: /SMTP_URL: is required in production/,
  },
  {
    title: 'with a plain smtp:// SMTP_URL to another host (no STARTTLS required)',
    env: { OPTARE_ISSUER: 'https://id.example.com', OPTARE_ENCRYPTION_KEY: strongKey(), SMTP_URL: 'smtp://mail.example.com:587' },
    variable: 'SMTP_URL',
    message: /SMTP_URL: must be encrypted in production/,
  },
  {
    title: 'with a plain redis:// REDIS_URL to another host',
    env: { OPTARE_ISSUER: 'https://id.example.com', OPTARE_ENCRYPTION_KEY: strongKey(), SMTP_URL: 'smtps://mail.example.com', REDIS_URL: 'redis://cache.example.com:6379' },
    variable: 'REDIS_URL',
    message: /REDIS_URL: must be a rediss:\/\/ \(TLS\) URL in production/,
  },
  {
    title: 'with a DATABASE_URL to another host without sslmode',
    env: { OPTARE_ISSUER: 'https://id.example.com', OPTARE_ENCRYPTION_KEY: strongKey(), SMTP_URL: 'smtps://mail.example.com', DATABASE_URL: 'postgresql://optare@db.example.com/optare' },
    variable: 'DATABASE_URL',
    message: /DATABASE_URL: must ask for TLS in production/,
  },
  {
    title: 'without OPTARE_ISSUER (the default is http://localhost)',
    env: { OPTARE_ENCRYPTION_KEY: strongKey() },
    variable: 'OPTARE_ISSUER',
    message: /OPTARE_ISSUER: must be an https:\/\/ URL in production/,
  },
];

for (const refusal of refusals) {
  test(`NODE_ENV=production refuses to start ${refusal.title}, naming ${refusal.variable}`, async () => {
    const dataDir = tempDir();
    const port = await freePort();
    const startedAt = Date.now();
    const result = await run(['scripts/start.mjs'], { NODE_ENV: 'production', PORT: String(port), OPTARE_DATA_DIR: dataDir, ...refusal.env }, 30_000);

    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain('Optare cannot start: invalid configuration');
    expect(result.stderr).toMatch(refusal.message);
    expect(result.stderr).toContain(refusal.variable);
    // Refused before anything was opened or written: no key file, no database, no listener.
    expect(fs.readdirSync(dataDir)).toEqual([]);
    expect(result.stdout).not.toContain('Optare is ready');
    expect(Date.now() - startedAt).toBeLessThan(30_000); // loose: CI machines are busy
    // The key itself is never echoed back.
    if (refusal.env.OPTARE_ENCRYPTION_KEY) expect(result.stderr + result.stdout).not.toContain(refusal.env.OPTARE_ENCRYPTION_KEY);
  });
}
