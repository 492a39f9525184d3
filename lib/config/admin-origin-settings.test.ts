import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from './load';
import { configProblems } from '../../tests/support/config-problems';

let cwd: string;
beforeEach(() => {
  cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'optare-config-admin-origin-'));
});
afterEach(() => {
  fs.rmSync(cwd, { recursive: true, force: true });
});

const key = randomBytes(32).toString('base64');
const load = (vars: Record<string, string | undefined>) => loadConfig({ OPTARE_ENCRYPTION_KEY: key, ...vars }, { cwd });

const problemsOf = (vars: Record<string, string | undefined>) => configProblems(() => load(vars));

describe('OPTARE_ADMIN_ORIGIN', () => {
  it('is off by default: the console shares the issuer origin', () => {
    expect(load({}).adminOrigin).toBeNull();
    expect(load({ OPTARE_ADMIN_ORIGIN: '' }).adminOrigin).toBeNull();
  });

  it('takes an origin on another hostname with the issuer scheme, without a trailing slash, host lowercased', () => {
    const https = { OPTARE_ISSUER: 'https://id.example.com' };
    expect(load({ ...https, OPTARE_ADMIN_ORIGIN: 'https://Admin.ID.example.com/' }).adminOrigin).toBe('https://admin.id.example.com');
    expect(load({ ...https, OPTARE_ADMIN_ORIGIN: 'https://admin.id.example.com:8443' }).adminOrigin).toBe('https://admin.id.example.com:8443');
    expect(load({ OPTARE_ISSUER: 'http://localhost:3000', OPTARE_ADMIN_ORIGIN: 'http://127.0.0.1:3000' }).adminOrigin).toBe('http://127.0.0.1:3000');
  });

  it('refuses a path, a query, a fragment or credentials', () => {
    for (const value of ['https://admin.example.com/console', 'https://admin.example.com/?a=1', 'https://admin.example.com?', 'https://admin.example.com#x', 'https://u:p@admin.example.com']) {
      expect(problemsOf({ OPTARE_ISSUER: 'https://id.example.com', OPTARE_ADMIN_ORIGIN: value }).join('\n'), value).toMatch(
        /OPTARE_ADMIN_ORIGIN: must be an origin only/,
      );
    }
  });

  it('refuses what is not an http(s) URL', () => {
    for (const value of ['admin.example.com', 'ftp://admin.example.com', 'javascript:alert(1)']) {
      expect(problemsOf({ OPTARE_ADMIN_ORIGIN: value }).join('\n'), value).toMatch(/OPTARE_ADMIN_ORIGIN: must be the http\(s\):\/\/ origin/);
    }
  });

  it('refuses the issuer hostname, even on another port (cookies are not separated by port)', () => {
    expect(problemsOf({ OPTARE_ISSUER: 'https://id.example.com', OPTARE_ADMIN_ORIGIN: 'https://id.example.com' }).join('\n')).toMatch(
      /must be on another hostname than OPTARE_ISSUER/,
    );
    expect(problemsOf({ OPTARE_ISSUER: 'https://id.example.com', OPTARE_ADMIN_ORIGIN: 'https://ID.example.com:8443' }).join('\n')).toMatch(
      /must be on another hostname than OPTARE_ISSUER/,
    );
  });

  it('refuses plain HTTP where the issuer is HTTPS, so never in production', () => {
    expect(problemsOf({ OPTARE_ISSUER: 'https://id.example.com', OPTARE_ADMIN_ORIGIN: 'http://admin.example.com' }).join('\n')).toMatch(
      /OPTARE_ADMIN_ORIGIN: must use the same scheme as OPTARE_ISSUER \(https:\/\/;/,
    );
    const production = problemsOf({
      NODE_ENV: 'production',
      SMTP_URL: 'smtps://mail.example.com',
      OPTARE_ISSUER: 'https://id.example.com',
      OPTARE_ADMIN_ORIGIN: 'http://admin.example.com',
    });
    expect(production.join('\n')).toMatch(/OPTARE_ADMIN_ORIGIN: must use the same scheme/);
  });
});
