import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from './load';
import { configProblems, fileWithMode } from '../../tests/support/config-problems';

let cwd: string;
beforeEach(() => {
  cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'optare-dbcert-'));
});
afterEach(() => {
  fs.rmSync(cwd, { recursive: true, force: true });
});

const production = (DATABASE_URL: string) =>
  loadConfig(
    {
      NODE_ENV: 'production',
      OPTARE_ISSUER: 'https://id.example.com',
      OPTARE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      SMTP_URL: 'smtps://mail.example.com',
      DATABASE_URL,
    },
    { cwd },
  );

const file = (name: string, mode = 0o600) => fileWithMode(cwd, name, '-----BEGIN PLACEHOLDER-----\n', mode);

const certificateUrl = (params: Record<string, string>) =>
  `postgresql://optare_app@db.example.com:5432/optare?${new URLSearchParams({ sslmode: 'verify-full', ...params })}`;

describe('DATABASE_URL with a client certificate instead of a password', () => {
  it('is accepted in production with sslmode=verify-full and no password', () => {
    const url = certificateUrl({ sslrootcert: file('ca.crt'), sslcert: file('client.crt'), sslkey: file('client.key') });
    expect(production(url).database).toMatchObject({ kind: 'postgres', url });
  });

  it('refuses a certificate, key or CA file that does not exist, naming the parameter and the file', () => {
    const missing = path.join(cwd, 'nope.key');
    const problems = configProblems(() => production(certificateUrl({ sslrootcert: file('ca.crt'), sslcert: file('client.crt'), sslkey: missing })));
    expect(problems).toEqual([`DATABASE_URL: the sslkey file ${missing} does not exist`]);
  });

  it('refuses a certificate without its key', () => {
    const problems = configProblems(() => production(certificateUrl({ sslrootcert: file('ca.crt'), sslcert: file('client.crt') })));
    expect(problems.join('\n')).toMatch(/sslcert and sslkey go together/);
  });

  it('database private key readable by other users: refused in production, as libpq refuses it', () => {
    const key = file('client.key', 0o644);
    const problems = configProblems(() => production(certificateUrl({ sslrootcert: file('ca.crt'), sslcert: file('client.crt'), sslkey: key })));
    expect(problems).toEqual([expect.stringContaining(`DATABASE_URL: the sslkey file ${key} may be read by group or others (mode 0644)`)]);
  });

  it('lets the certificate and CA be world-readable (they are public)', () => {
    const url = certificateUrl({ sslrootcert: file('ca.crt', 0o644), sslcert: file('client.crt', 0o644), sslkey: file('client.key', 0o600) });
    expect(production(url).database).toMatchObject({ url });
  });
});
