import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from './load';
import { SECRET_SETTINGS } from './secret-files';
import { configProblems, fileWithMode } from '../../tests/support/config-problems';

let cwd: string;
beforeEach(() => {
  cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'optare-secrets-'));
});
afterEach(() => {
  fs.rmSync(cwd, { recursive: true, force: true });
});

const PRODUCTION = { NODE_ENV: 'production', OPTARE_ISSUER: 'https://id.example.com', SMTP_URL: 'smtps://mail.example.com' };

/** Writes a secret file (mode 0600 unless told) and returns its path. */
const secretFile = (name: string, content: string, mode = 0o600) => fileWithMode(cwd, name, content, mode);

describe('secrets from files (<NAME>_FILE)', () => {
  it('offers a _FILE variant for the encryption keys and the database, Redis and SMTP URLs', () => {
    expect([...SECRET_SETTINGS].sort()).toEqual(
      ['DATABASE_URL', 'OPTARE_ENCRYPTION_KEY', 'OPTARE_ENCRYPTION_KEYS_OLD', 'REDIS_URL', 'SMTP_URL'].sort(),
    );
  });

  it('reads every secret from its file at start, without the trailing newline, in production', () => {
    const key = randomBytes(32);
    const oldKey = randomBytes(32);
    const config = loadConfig(
      {
        NODE_ENV: 'production',
        OPTARE_ISSUER: 'https://id.example.com',
        OPTARE_ENCRYPTION_KEY_FILE: secretFile('key', `${key.toString('base64')}\n`),
        OPTARE_ENCRYPTION_KEYS_OLD_FILE: secretFile('old-keys', `${oldKey.toString('hex')}\n`),
        DATABASE_URL_FILE: secretFile('database-url', 'postgresql://optare:s3cret@127.0.0.1:5432/optare\n'),
        REDIS_URL_FILE: secretFile('redis-url', 'rediss://:s3cret@cache.example.com:6380\n'),
        SMTP_URL_FILE: secretFile('smtp-url', 'smtps://id:s3cret@mail.example.com:465\r\n', 0o400),
      },
      { cwd },
    );
    expect(config.encryption.current.equals(key)).toBe(true);
    expect(config.encryption.old.map((k) => k.toString('hex'))).toEqual([oldKey.toString('hex')]);
    expect(config.database).toMatchObject({ kind: 'postgres', url: 'postgresql://optare:s3cret@127.0.0.1:5432/optare' });
    expect(config.rateLimits.redisUrl).toBe('rediss://:s3cret@cache.example.com:6380');
    expect(config.email.transport).toEqual({ kind: 'smtp', url: 'smtps://id:s3cret@mail.example.com:465' });
  });

  it('resolves a relative file against the working directory', () => {
    secretFile('key', randomBytes(32).toString('base64'));
    expect(loadConfig({ OPTARE_ENCRYPTION_KEY_FILE: 'key' }, { cwd }).encryption.source).toBe('environment');
  });

  it('validates a value read from a file like the variable itself', () => {
    const problems = configProblems(() => loadConfig({ DATABASE_URL_FILE: secretFile('database-url', 'mysql://x') }, { cwd }));
    expect(problems.join('\n')).toMatch(/^DATABASE_URL: must be a postgresql:\/\/ connection URL/m);
  });

  it('refuses NAME and NAME_FILE set together, naming both', () => {
    const problems = configProblems(() =>
      loadConfig({ SMTP_URL: 'smtps://mail.example.com', SMTP_URL_FILE: secretFile('smtp-url', 'smtps://other.example.com') }, { cwd }),
    );
    expect(problems).toEqual(['SMTP_URL and SMTP_URL_FILE: both are set; set one or the other']);
  });

  it('refuses a missing file, naming the variable and the file', () => {
    const missing = path.join(cwd, 'no-such-secret');
    const problems = configProblems(() => loadConfig({ OPTARE_ENCRYPTION_KEY_FILE: missing }, { cwd }));
    expect(problems).toEqual([`OPTARE_ENCRYPTION_KEY_FILE: ${missing} does not exist`]);
  });

  it('refuses an empty (or whitespace-only) file rather than running without the secret', () => {
    const file = secretFile('empty', '\n  \n');
    expect(configProblems(() => loadConfig({ REDIS_URL_FILE: file }, { cwd }))).toEqual([`REDIS_URL_FILE: ${file} is empty`]);
  });

  it('refuses a directory where a file belongs', () => {
    expect(configProblems(() => loadConfig({ DATABASE_URL_FILE: cwd }, { cwd }))).toEqual([`DATABASE_URL_FILE: ${cwd} is not a file`]);
  });

  it('secret file readable by other users: refused in production, naming the file and its mode', () => {
    const file = secretFile('key', randomBytes(32).toString('base64'), 0o644);
    const problems = configProblems(() => loadConfig({ ...PRODUCTION, OPTARE_ENCRYPTION_KEY_FILE: file }, { cwd }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`OPTARE_ENCRYPTION_KEY_FILE: ${file} may be read by group or others (mode 0644)`);
    expect(problems[0]).toContain('chmod 600');
  });

  it('secret file readable by its group: refused in production too', () => {
    const file = secretFile('database-url', 'postgresql://optare:s3cret@127.0.0.1/optare', 0o640);
    const key = secretFile('key', randomBytes(32).toString('base64'));
    const problems = configProblems(() => loadConfig({ ...PRODUCTION, OPTARE_ENCRYPTION_KEY_FILE: key, DATABASE_URL_FILE: file }, { cwd }));
    expect(problems).toEqual([expect.stringContaining(`DATABASE_URL_FILE: ${file} may be read by group or others (mode 0640)`)]);
  });

  it('accepts a loosely readable secret file outside production (a developer machine)', () => {
    const file = secretFile('key', randomBytes(32).toString('base64'), 0o644);
    expect(loadConfig({ OPTARE_ENCRYPTION_KEY_FILE: file }, { cwd }).encryption.source).toBe('environment');
  });

  it('never puts the secret itself in an error message', () => {
    const secret = 'postgresql://optare:hunter2-very-secret@db.example.com/optare';
    const file = secretFile('database-url', secret, 0o644);
    const key = secretFile('key', randomBytes(32).toString('base64'));
    const problems = configProblems(() => loadConfig({ ...PRODUCTION, OPTARE_ENCRYPTION_KEY_FILE: key, DATABASE_URL_FILE: file }, { cwd }));
    expect(problems.join('\n')).not.toContain('hunter2');
  });
});
