import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, loadConfig } from './load';
import { decodeKey } from './encryption-key';
import { configProblems } from '../../tests/support/config-problems';

let cwd: string;
beforeEach(() => {
  cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'optare-config-'));
});
afterEach(() => {
  fs.rmSync(cwd, { recursive: true, force: true });
});

/** Next.js types NODE_ENV as required; the loader must cope with it missing. */
const env = (vars: Record<string, string | undefined>) => vars as NodeJS.ProcessEnv;

const strongKey = () => randomBytes(32).toString('base64');
const production = (vars: Record<string, string | undefined> = {}) =>
  loadConfig(
    env({ NODE_ENV: 'production', OPTARE_ISSUER: 'https://id.example.com', OPTARE_ENCRYPTION_KEY: strongKey(), SMTP_URL: 'smtps://mail.example.com', ...vars }),
    { cwd },
  );

describe('loadConfig defaults', () => {
  it('runs in development on port 3000 with a localhost issuer, the embedded database and documented defaults', () => {
    const config = loadConfig(env({}), { cwd });
    expect(config).toMatchObject({
      production: false,
      port: 3000,
      host: undefined,
      issuer: 'http://localhost:3000',
      secureCookies: false,
      dataDir: path.join(cwd, '.data'),
      database: { kind: 'embedded', dataDir: path.join(cwd, '.data') },
      logLevel: 'info',
      securityContact: 'mailto:security@optare.one',
      session: { idleTimeoutSeconds: 8 * 3600, maxAgeSeconds: 7 * 86400 },
    });
    expect(config.encryption.source).toBe('data-dir');
    expect(config.encryption.old).toEqual([]);
  });

  it('derives the default issuer from PORT', () => {
    expect(loadConfig(env({ PORT: '4123' }), { cwd })).toMatchObject({ port: 4123, issuer: 'http://localhost:4123' });
  });

  it('treats empty variables as unset', () => {
    const config = loadConfig(env({ PORT: '', OPTARE_ISSUER: '', LOG_LEVEL: '', OPTARE_SECURITY_CONTACT: '' }), { cwd });
    expect(config).toMatchObject({ port: 3000, issuer: 'http://localhost:3000', logLevel: 'info' });
    expect(config.securityContact).toBe('mailto:security@optare.one');
  });

  it('strips trailing slashes from OPTARE_ISSUER', () => {
    expect(loadConfig(env({ OPTARE_ISSUER: 'http://localhost:3000///' }), { cwd }).issuer).toBe('http://localhost:3000');
  });

  it('resolves OPTARE_DATA_DIR against the working directory', () => {
    expect(loadConfig(env({ OPTARE_DATA_DIR: 'state/db' }), { cwd }).dataDir).toBe(path.join(cwd, 'state/db'));
  });

  it('uses PostgreSQL when DATABASE_URL is set, with the configured pool size', () => {
    const config = loadConfig(env({ DATABASE_URL: 'postgresql://u@db:5432/optare', OPTARE_DATABASE_POOL_SIZE: '7' }), { cwd });
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgresql://u@db:5432/optare', poolSize: 7, migrateOnStart: true, preparedStatements: true, statementTimeoutMs: 30_000 });
  });

  it('migrates at start unless OPTARE_MIGRATE_ON_START=false, and refuses other values', () => {
    const url = 'postgresql://u@db:5432/optare';
    expect(loadConfig(env({ DATABASE_URL: url, OPTARE_MIGRATE_ON_START: 'false' }), { cwd }).database).toMatchObject({ migrateOnStart: false });
    expect(loadConfig(env({ DATABASE_URL: url, OPTARE_MIGRATE_ON_START: '' }), { cwd }).database).toMatchObject({ migrateOnStart: true });
    expect(configProblems(() => loadConfig(env({ DATABASE_URL: url, OPTARE_MIGRATE_ON_START: 'no' }), { cwd }))).toEqual([
      'OPTARE_MIGRATE_ON_START: must be true or false',
    ]);
  });

  it('prepares statements unless OPTARE_DATABASE_PREPARED_STATEMENTS=false, and refuses other values', () => {
    const url = 'postgresql://u@db:5432/optare';
    expect(loadConfig(env({ DATABASE_URL: url, OPTARE_DATABASE_PREPARED_STATEMENTS: 'false' }), { cwd }).database).toMatchObject({ preparedStatements: false });
    expect(loadConfig(env({ DATABASE_URL: url, OPTARE_DATABASE_PREPARED_STATEMENTS: '' }), { cwd }).database).toMatchObject({ preparedStatements: true });
    expect(configProblems(() => loadConfig(env({ DATABASE_URL: url, OPTARE_DATABASE_PREPARED_STATEMENTS: 'yes' }), { cwd }))).toEqual([
      'OPTARE_DATABASE_PREPARED_STATEMENTS: must be true or false',
    ]);
  });

  it('limits SQL statements to OPTARE_DATABASE_STATEMENT_TIMEOUT (30 s unless set), or not at all with off, and refuses other values', () => {
    const url = 'postgresql://u@db:5432/optare';
    const timeout = (value: string) => loadConfig(env({ DATABASE_URL: url, OPTARE_DATABASE_STATEMENT_TIMEOUT: value }), { cwd }).database;
    expect(timeout('')).toMatchObject({ statementTimeoutMs: 30_000 });
    expect(timeout('2m')).toMatchObject({ statementTimeoutMs: 120_000 });
    expect(timeout('5')).toMatchObject({ statementTimeoutMs: 5_000 });
    expect(timeout('off')).toMatchObject({ statementTimeoutMs: null });
    for (const wrong of ['0', '2h', '30 seconds', 'none', '-5s']) {
      expect(configProblems(() => timeout(wrong))).toEqual([
        'OPTARE_DATABASE_STATEMENT_TIMEOUT: must be off or a duration such as 30s or 2m, between 1s and 3600s',
      ]);
    }
  });

  it('takes OPTARE_SECURITY_CONTACT as a mailto: or https: address and refuses anything else', () => {
    expect(loadConfig(env({ OPTARE_SECURITY_CONTACT: 'https://example.com/security' }), { cwd }).securityContact).toBe(
      'https://example.com/security',
    );
    expect(configProblems(() => loadConfig(env({ OPTARE_SECURITY_CONTACT: 'http://example.com' }), { cwd })).join('\n')).toMatch(
      /OPTARE_SECURITY_CONTACT/,
    );
  });

  it('refuses a port out of range, an unknown log level and a non-postgres DATABASE_URL, naming each variable', () => {
    const problems = configProblems(() =>
      loadConfig(env({ PORT: '70000', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x' }), { cwd }),
    ).join('\n');
    expect(problems).toMatch(/^PORT:/m);
    expect(problems).toMatch(/^LOG_LEVEL:/m);
    expect(problems).toMatch(/^DATABASE_URL:/m);
  });

  it('streams audit events to the request log only when OPTARE_AUDIT_LOG_STREAM=stdout, and refuses other values', () => {
    expect(loadConfig(env({}), { cwd }).auditLogStream).toBe('off');
    expect(loadConfig(env({ OPTARE_AUDIT_LOG_STREAM: '' }), { cwd }).auditLogStream).toBe('off');
    expect(loadConfig(env({ OPTARE_AUDIT_LOG_STREAM: 'stdout' }), { cwd }).auditLogStream).toBe('stdout');
    expect(configProblems(() => loadConfig(env({ OPTARE_AUDIT_LOG_STREAM: 'syslog' }), { cwd })).join('\n')).toMatch(/^OPTARE_AUDIT_LOG_STREAM: must be off or stdout/m);
  });

  it('refuses an issuer with a query, a fragment or credentials', () => {
    for (const issuer of ['http://localhost:3000/?a=1', 'http://localhost:3000/#x', 'http://u:p@localhost:3000']) {
      expect(configProblems(() => loadConfig(env({ OPTARE_ISSUER: issuer }), { cwd })).join('\n')).toMatch(/^OPTARE_ISSUER:/m);
    }
  });

  it('sends Secure cookies for any issuer but plain-HTTP localhost', () => {
    expect(loadConfig(env({ OPTARE_ISSUER: 'http://127.0.0.1:3000' }), { cwd }).secureCookies).toBe(false);
    expect(loadConfig(env({ OPTARE_ISSUER: 'http://id.lan:3000' }), { cwd }).secureCookies).toBe(true);
    expect(loadConfig(env({ OPTARE_ISSUER: 'https://localhost:3000' }), { cwd }).secureCookies).toBe(true);
  });
});

describe('loadConfig durations', () => {
  it('reads seconds and s/m/h/d units', () => {
    const config = loadConfig(env({ OPTARE_SESSION_IDLE_TIMEOUT: '15m', OPTARE_SESSION_MAX_AGE: '2d' }), { cwd });
    expect(config.session).toEqual({ idleTimeoutSeconds: 900, maxAgeSeconds: 172_800 });
    expect(loadConfig(env({ OPTARE_SESSION_IDLE_TIMEOUT: '3600' }), { cwd }).session.idleTimeoutSeconds).toBe(3600);
  });

  it('refuses malformed and out-of-range durations, naming the variable', () => {
    for (const value of ['soon', '5w', '-1h', '1.5h', '59s']) {
      expect(configProblems(() => loadConfig(env({ OPTARE_SESSION_IDLE_TIMEOUT: value }), { cwd })).join('\n')).toMatch(
        /^OPTARE_SESSION_IDLE_TIMEOUT: must be a duration/m,
      );
    }
    expect(configProblems(() => loadConfig(env({ OPTARE_SESSION_MAX_AGE: '91d' }), { cwd })).join('\n')).toMatch(
      /^OPTARE_SESSION_MAX_AGE:/m,
    );
  });

  it('refuses an idle timeout longer than the maximum session age', () => {
    const problems = configProblems(() =>
      loadConfig(env({ OPTARE_SESSION_IDLE_TIMEOUT: '2d', OPTARE_SESSION_MAX_AGE: '1d' }), { cwd }),
    );
    expect(problems).toEqual(['OPTARE_SESSION_IDLE_TIMEOUT: must not be longer than OPTARE_SESSION_MAX_AGE']);
  });
});

describe('loadConfig in production', () => {
  it('starts with a strong key and an https issuer, with Secure cookies and the key from the environment', () => {
    const key = randomBytes(32);
    const config = production({ OPTARE_ENCRYPTION_KEY: key.toString('hex') });
    expect(config.production).toBe(true);
    expect(config.secureCookies).toBe(true);
    expect(config.encryption.source).toBe('environment');
    expect(config.encryption.current.equals(key)).toBe(true);
    expect(fs.existsSync(path.join(cwd, '.data'))).toBe(false);
  });

  it('refuses a missing OPTARE_ENCRYPTION_KEY and does not generate one', () => {
    const problems = configProblems(() => production({ OPTARE_ENCRYPTION_KEY: undefined }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^OPTARE_ENCRYPTION_KEY: is required in production/);
    expect(fs.existsSync(path.join(cwd, '.data', 'encryption.key'))).toBe(false);
  });

  it('refuses an all-zero key', () => {
    const problems = configProblems(() => production({ OPTARE_ENCRYPTION_KEY: Buffer.alloc(32).toString('base64') }));
    expect(problems).toEqual([expect.stringMatching(/^OPTARE_ENCRYPTION_KEY: is weak/)]);
  });

  it('refuses the base64 of an ASCII phrase, and a repeated pattern in hex', () => {
    const phrase = Buffer.from('correct horse battery staple 123', 'ascii');
    expect(phrase).toHaveLength(32);
    expect(configProblems(() => production({ OPTARE_ENCRYPTION_KEY: phrase.toString('base64') }))[0]).toMatch(
      /^OPTARE_ENCRYPTION_KEY: is weak/,
    );
    expect(configProblems(() => production({ OPTARE_ENCRYPTION_KEY: '0123456789abcdef'.repeat(4) }))[0]).toMatch(
      /^OPTARE_ENCRYPTION_KEY: is weak/,
    );
  });

  it('refuses a key that is not 32 bytes of base64 or hex, and tells how to make one', () => {
    for (const key of ['secret', randomBytes(16).toString('base64'), randomBytes(33).toString('hex')]) {
      const [problem] = configProblems(() => production({ OPTARE_ENCRYPTION_KEY: key }));
      expect(problem).toMatch(/^OPTARE_ENCRYPTION_KEY: must be 32 random bytes/);
      expect(problem).toContain('randomBytes(32)');
    }
  });

  it('refuses a weak key outside production too', () => {
    expect(configProblems(() => loadConfig(env({ OPTARE_ENCRYPTION_KEY: Buffer.alloc(32).toString('hex') }), { cwd }))[0]).toMatch(
      /^OPTARE_ENCRYPTION_KEY: is weak/,
    );
  });

  it('refuses an http issuer, and the default localhost issuer', () => {
    expect(configProblems(() => production({ OPTARE_ISSUER: 'http://id.example.com' }))).toEqual([
      expect.stringMatching(/^OPTARE_ISSUER: must be an https:\/\/ URL in production \(got http:\/\/id\.example\.com\)/),
    ]);
    expect(configProblems(() => production({ OPTARE_ISSUER: undefined, PORT: '8080' }))[0]).toMatch(
      /^OPTARE_ISSUER: .*got http:\/\/localhost:8080/,
    );
  });

  it('reports every problem at once, in a message that names the variables', () => {
    let error: unknown;
    try {
      production({ OPTARE_ISSUER: 'http://id.example.com', OPTARE_ENCRYPTION_KEY: undefined });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toHaveLength(2);
    expect((error as Error).message).toMatch(/^Optare cannot start: invalid configuration\n {2}- OPTARE_ISSUER: .*\n {2}- OPTARE_ENCRYPTION_KEY: /);
  });
});

describe('loadConfig development key', () => {
  it('generates <dataDir>/encryption.key with mode 0600 and reports it once', () => {
    const onGeneratedKey = vi.fn();
    const first = loadConfig(env({ OPTARE_DATA_DIR: 'data' }), { cwd, onGeneratedKey });
    const file = path.join(cwd, 'data', 'encryption.key');
    expect(onGeneratedKey).toHaveBeenCalledTimes(1);
    expect(onGeneratedKey).toHaveBeenCalledWith(file);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(cwd, 'data')).mode & 0o077).toBe(0);
    expect(decodeKey(fs.readFileSync(file, 'utf8'))?.equals(first.encryption.current)).toBe(true);

    const second = loadConfig(env({ OPTARE_DATA_DIR: 'data' }), { cwd, onGeneratedKey });
    expect(onGeneratedKey).toHaveBeenCalledTimes(1);
    expect(second.encryption.current.equals(first.encryption.current)).toBe(true);
    expect(second.encryption.source).toBe('data-dir');
  });

  it('prefers OPTARE_ENCRYPTION_KEY over the data directory and writes no file', () => {
    const onGeneratedKey = vi.fn();
    const key = randomBytes(32);
    const config = loadConfig(env({ OPTARE_ENCRYPTION_KEY: key.toString('base64url') }), { cwd, onGeneratedKey });
    expect(config.encryption).toMatchObject({ source: 'environment' });
    expect(config.encryption.current.equals(key)).toBe(true);
    expect(onGeneratedKey).not.toHaveBeenCalled();
    expect(fs.existsSync(path.join(cwd, '.data', 'encryption.key'))).toBe(false);
  });

  it('refuses an unreadable development key file instead of replacing it', () => {
    fs.mkdirSync(path.join(cwd, '.data'));
    fs.writeFileSync(path.join(cwd, '.data', 'encryption.key'), 'garbage\n');
    expect(configProblems(() => loadConfig(env({}), { cwd }))[0]).toMatch(/^OPTARE_ENCRYPTION_KEY: the development key in .*encryption\.key is unreadable/);
    expect(fs.readFileSync(path.join(cwd, '.data', 'encryption.key'), 'utf8')).toBe('garbage\n');
  });
});

describe('loadConfig old keys', () => {
  it('parses a comma-separated list of hex and base64 keys, ignoring blanks', () => {
    const a = randomBytes(32);
    const b = randomBytes(32);
    const config = production({ OPTARE_ENCRYPTION_KEYS_OLD: ` ${a.toString('hex')} ,, ${b.toString('base64')} ,` });
    expect(config.encryption.old.map((key) => key.toString('hex'))).toEqual([a.toString('hex'), b.toString('hex')]);
  });

  it('names the entry that is not a key', () => {
    const problems = configProblems(() =>
      production({ OPTARE_ENCRYPTION_KEYS_OLD: `${randomBytes(32).toString('hex')},not-a-key` }),
    );
    expect(problems).toEqual(['OPTARE_ENCRYPTION_KEYS_OLD: entry 2 is not 32 bytes in base64 or hex']);
  });
});

describe('email settings', () => {
  it('writes to the development outbox without SMTP_URL, with optional verification and a From on the issuer host', () => {
    const config = loadConfig(env({}), { cwd });
    expect(config.email).toEqual({
      transport: { kind: 'outbox', dir: path.join(cwd, '.data', 'outbox') },
      from: 'Optare <no-reply@localhost>',
      verification: 'optional',
    });
  });

  it('uses SMTP_URL and SMTP_FROM when set', () => {
    const config = production({ SMTP_URL: 'smtp://user:pw@mail.example.com:587?requireTLS=true', SMTP_FROM: 'Example ID <id@example.com>', OPTARE_EMAIL_VERIFICATION: 'required' });
    expect(config.email).toEqual({
      transport: { kind: 'smtp', url: 'smtp://user:pw@mail.example.com:587?requireTLS=true' },
      from: 'Example ID <id@example.com>',
      verification: 'required',
    });
  });

  it('refuses to start in production without SMTP_URL, naming it', () => {
    const problems = configProblems(() => production({ SMTP_URL: undefined }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^SMTP_URL: is required in production/);
  });

  it('refuses an SMTP_URL that is not smtp:// or smtps://, a From without an address, and an unknown verification mode', () => {
    expect(configProblems(() => loadConfig(env({ SMTP_URL: 'http://mail.example.com' }), { cwd }))[0]).toMatch(/^SMTP_URL: must be an smtp:\/\/ or smtps:\/\//);
    expect(configProblems(() => loadConfig(env({ SMTP_FROM: 'Optare' }), { cwd }))[0]).toMatch(/^SMTP_FROM:/);
    expect(configProblems(() => loadConfig(env({ OPTARE_EMAIL_VERIFICATION: 'sometimes' }), { cwd }))[0]).toMatch(/^OPTARE_EMAIL_VERIFICATION:/);
  });
});
