import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from './load';
import { configProblems } from '../../tests/support/config-problems';

let cwd: string;
beforeEach(() => {
  cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'optare-config-'));
});
afterEach(() => {
  fs.rmSync(cwd, { recursive: true, force: true });
});

const load = (nodeEnv: string, vars: Record<string, string>) =>
  loadConfig(
    {
      NODE_ENV: nodeEnv,
      OPTARE_ISSUER: 'https://id.example.com',
      OPTARE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      SMTP_URL: 'smtps://mail.example.com',
      ...vars,
    },
    { cwd },
  );

const problemsOf = (vars: Record<string, string>) => configProblems(() => load('production', vars));

describe('plain-text backends in production', () => {
  it.each([
    ['SMTP_URL', 'smtp://mail.example.com:587', /SMTP_URL: must be encrypted in production: use smtps:\/\/.*requireTLS=true/],
    ['SMTP_URL', 'smtp://user:pw@mail.example.com:25?requireTLS=false', /SMTP_URL: must be encrypted/],
    ['SMTP_URL', 'smtp://mail.example.com:587?requireTLS=true&ignoreTLS=true', /SMTP_URL: must be encrypted/],
    ['SMTP_URL', 'smtp://127.0.0.1.evil.example:25', /SMTP_URL: must be encrypted/],
    ['REDIS_URL', 'redis://cache.internal:6379', /REDIS_URL: must be a rediss:\/\/ \(TLS\) URL in production/],
    ['REDIS_URL', 'redis://10.0.0.5:6379', /REDIS_URL: must be a rediss:\/\//],
    ['DATABASE_URL', 'postgresql://optare@db.internal:5432/optare', /DATABASE_URL: must ask for TLS in production: add \?sslmode=verify-full/],
    ['DATABASE_URL', 'postgresql://optare@db.internal/optare?sslmode=prefer', /DATABASE_URL: must ask for TLS/],
    ['DATABASE_URL', 'postgres://optare@db.internal/optare?sslmode=disable', /DATABASE_URL: must ask for TLS/],
    ['DATABASE_URL', 'postgresql://optare@127.0.0.1/optare?host=db.internal', /DATABASE_URL: must ask for TLS/],
  ])('refuses %s=%s, naming the setting and the fix', (name, value, message) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
    expect(problems[0]).not.toContain(value); // URLs may hold passwords: never echoed
  });

  it.each([
    ['SMTP_URL', 'smtps://user:pw@mail.example.com:465'],
    ['SMTP_URL', 'smtp://user:pw@mail.example.com:587?requireTLS=true'],
    ['SMTP_URL', 'smtp://mail.example.com:465?secure=true'],
    ['SMTP_URL', 'smtp://127.0.0.1:2525'],
    ['SMTP_URL', 'smtp://localhost:25'],
    ['REDIS_URL', 'rediss://cache.internal:6380'],
    ['REDIS_URL', 'redis://127.0.0.1:6379'],
    ['REDIS_URL', 'redis://[::1]:6379'],
    ['DATABASE_URL', 'postgresql://optare@db.internal/optare?sslmode=verify-full'],
    ['DATABASE_URL', 'postgresql://optare@db.internal/optare?sslmode=verify-ca'],
    ['DATABASE_URL', 'postgresql://optare@db.internal/optare?sslmode=require'],
    ['DATABASE_URL', 'postgresql://postgres@127.0.0.1:5432/postgres'],
    ['DATABASE_URL', 'postgresql://postgres@localhost/postgres'],
    ['DATABASE_URL', 'postgresql://postgres@[::1]:5432/postgres'],
    ['DATABASE_URL', 'postgresql://postgres@%2Fvar%2Frun%2Fpostgresql/optare'],
    ['DATABASE_URL', 'postgresql:///optare?host=/var/run/postgresql'],
  ])('accepts %s=%s (encrypted, or never leaving the machine)', (name, value) => {
    expect(() => load('production', { [name]: value })).not.toThrow();
  });

  it('reports every plain-text backend at once, and applies only in production', () => {
    const plain = { SMTP_URL: 'smtp://mail.example.com', REDIS_URL: 'redis://cache.internal', DATABASE_URL: 'postgresql://db.internal/optare' };
    expect(problemsOf(plain).map((problem) => problem.split(':')[0])).toEqual(['SMTP_URL', 'REDIS_URL', 'DATABASE_URL']);
    expect(() => load('development', plain)).not.toThrow();
    expect(() => load('test', plain)).not.toThrow();
  });
});
