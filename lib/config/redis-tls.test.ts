import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from './load';
import { configProblems, fileWithMode } from '../../tests/support/config-problems';

let cwd: string;
beforeEach(() => {
  cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'optare-redis-tls-'));
});
afterEach(() => {
  fs.rmSync(cwd, { recursive: true, force: true });
});

const production = (vars: Record<string, string>) =>
  loadConfig(
    {
      NODE_ENV: 'production',
      OPTARE_ISSUER: 'https://id.example.com',
      OPTARE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      SMTP_URL: 'smtps://mail.example.com',
      REDIS_URL: 'rediss://cache.example.com:6380',
      ...vars,
    },
    { cwd },
  );

const file = (name: string, mode = 0o600) => fileWithMode(cwd, name, '-----BEGIN PLACEHOLDER-----\n', mode);

describe('OPTARE_REDIS_TLS_* (Redis client certificates)', () => {
  it('is off unless set', () => {
    expect(production({}).rateLimits.redisTls).toBeNull();
  });

  it('takes the CA, certificate and key files, resolved against the working directory', () => {
    file('ca.crt', 0o644);
    file('client.crt', 0o644);
    file('client.key');
    const config = production({ OPTARE_REDIS_TLS_CA: 'ca.crt', OPTARE_REDIS_TLS_CERT: 'client.crt', OPTARE_REDIS_TLS_KEY: 'client.key' });
    expect(config.rateLimits.redisTls).toEqual({
      caFile: path.join(cwd, 'ca.crt'),
      certFile: path.join(cwd, 'client.crt'),
      keyFile: path.join(cwd, 'client.key'),
    });
  });

  it('needs a rediss:// REDIS_URL', () => {
    const problems = configProblems(() =>
      loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', OPTARE_REDIS_TLS_CA: file('ca.crt') }, { cwd }),
    );
    expect(problems).toEqual(['OPTARE_REDIS_TLS_CA, OPTARE_REDIS_TLS_CERT, OPTARE_REDIS_TLS_KEY: need a rediss:// (TLS) REDIS_URL']);
  });

  it('refuses a certificate without its key', () => {
    expect(configProblems(() => production({ OPTARE_REDIS_TLS_CERT: file('client.crt') }))).toEqual([
      'OPTARE_REDIS_TLS_CERT and OPTARE_REDIS_TLS_KEY: set both (the client certificate and its private key) or neither',
    ]);
  });

  it('refuses a file that does not exist, naming the variable and the file', () => {
    const missing = path.join(cwd, 'missing.crt');
    expect(configProblems(() => production({ OPTARE_REDIS_TLS_CA: missing }))).toEqual([`OPTARE_REDIS_TLS_CA: ${missing} does not exist`]);
  });

  it('Redis private key readable by other users: refused in production', () => {
    const key = file('client.key', 0o644);
    const problems = configProblems(() => production({ OPTARE_REDIS_TLS_CERT: file('client.crt'), OPTARE_REDIS_TLS_KEY: key }));
    expect(problems).toEqual([expect.stringContaining(`OPTARE_REDIS_TLS_KEY: ${key} may be read by group or others (mode 0644)`)]);
  });
});
