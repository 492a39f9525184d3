import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from './load';
import { configProblems } from '../../tests/support/config-problems';

let cwd: string;
beforeEach(() => {
  cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'optare-config-tls-'));
});
afterEach(() => {
  fs.rmSync(cwd, { recursive: true, force: true });
});

const key = randomBytes(32).toString('base64');
const load = (vars: Record<string, string | undefined>) => loadConfig({ OPTARE_ENCRYPTION_KEY: key, ...vars }, { cwd });

const problemsOf = (vars: Record<string, string | undefined>) => configProblems(() => load(vars));

const TLS = { OPTARE_ISSUER: 'https://localhost:3443', OPTARE_TLS_CERT: 'tls/cert.pem', OPTARE_TLS_KEY: '/etc/optare/key.pem' };

describe('TLS settings', () => {
  it('are off by default', () => {
    expect(load({}).tls).toBeNull();
    expect(load({ OPTARE_TLS_CERT: '', OPTARE_TLS_KEY: '', OPTARE_HTTP_REDIRECT_PORT: '' }).tls).toBeNull();
  });

  it('take both files, resolving a relative path against the working directory', () => {
    expect(load(TLS).tls).toEqual({ certFile: path.join(cwd, 'tls/cert.pem'), keyFile: '/etc/optare/key.pem', redirectPort: null });
    expect(load({ ...TLS, OPTARE_HTTP_REDIRECT_PORT: '3080' }).tls?.redirectPort).toBe(3080);
  });

  it('refuse one file without the other, naming the missing variable', () => {
    expect(problemsOf({ ...TLS, OPTARE_TLS_KEY: undefined })).toEqual([expect.stringMatching(/^OPTARE_TLS_KEY: must be set with OPTARE_TLS_CERT/)]);
    expect(problemsOf({ ...TLS, OPTARE_TLS_CERT: '' })).toEqual([expect.stringMatching(/^OPTARE_TLS_CERT: must be set with OPTARE_TLS_KEY/)]);
  });

  it('need an https:// issuer, in development too (the default http://localhost is refused)', () => {
    expect(problemsOf({ ...TLS, OPTARE_ISSUER: 'http://localhost:3443' })).toEqual([
      expect.stringMatching(/^OPTARE_ISSUER: must be an https:\/\/ URL when OPTARE_TLS_CERT and OPTARE_TLS_KEY are set/),
    ]);
    expect(problemsOf({ ...TLS, OPTARE_ISSUER: undefined })).toEqual([expect.stringMatching(/^OPTARE_ISSUER: must be an https:\/\//)]);
  });

  it('refuse a redirect port without TLS, equal to PORT, or out of range', () => {
    expect(problemsOf({ OPTARE_HTTP_REDIRECT_PORT: '3080' })).toEqual([
      expect.stringMatching(/^OPTARE_HTTP_REDIRECT_PORT: needs OPTARE_TLS_CERT and OPTARE_TLS_KEY/),
    ]);
    expect(problemsOf({ ...TLS, PORT: '3443', OPTARE_HTTP_REDIRECT_PORT: '3443' })).toEqual(['OPTARE_HTTP_REDIRECT_PORT: must differ from PORT']);
    expect(problemsOf({ ...TLS, OPTARE_HTTP_REDIRECT_PORT: '70000' })[0]).toMatch(/^OPTARE_HTTP_REDIRECT_PORT: /);
    expect(problemsOf({ ...TLS, OPTARE_HTTP_REDIRECT_PORT: 'http' })[0]).toMatch(/^OPTARE_HTTP_REDIRECT_PORT: /);
  });
});

describe('OPTARE_TRUST_PROXY', () => {
  it('is 0 by default (X-Forwarded-For ignored)', () => {
    expect(load({}).trustProxy).toBe(0);
    expect(load({ OPTARE_TRUST_PROXY: '' }).trustProxy).toBe(0);
  });

  it('takes the number of proxies', () => {
    expect(load({ OPTARE_TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(load({ OPTARE_TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(load({ OPTARE_TRUST_PROXY: '10' }).trustProxy).toBe(10);
  });

  it('refuses anything else, naming the variable (a boolean "true" would trust any client-written address)', () => {
    for (const value of ['true', 'yes', '-1', '1.5', '11', ' 1', '0x1', 'loopback']) {
      expect(problemsOf({ OPTARE_TRUST_PROXY: value }), value).toEqual([
        'OPTARE_TRUST_PROXY: must be the number of reverse proxies in front of Optare, 0 to 10',
      ]);
    }
  });
});

describe('OPTARE_HTTP_KEEP_ALIVE_TIMEOUT', () => {
  it('is 5 s by default, and takes a duration such as 65s or 2m', () => {
    expect(load({}).httpKeepAliveSeconds).toBe(5);
    expect(load({ OPTARE_HTTP_KEEP_ALIVE_TIMEOUT: '' }).httpKeepAliveSeconds).toBe(5);
    expect(load({ OPTARE_HTTP_KEEP_ALIVE_TIMEOUT: '65s' }).httpKeepAliveSeconds).toBe(65);
    expect(load({ OPTARE_HTTP_KEEP_ALIVE_TIMEOUT: '2m' }).httpKeepAliveSeconds).toBe(120);
  });

  it('refuses zero, more than 10 minutes and anything not a duration, naming the variable', () => {
    for (const value of ['0', '11m', 'forever', '-5', '5.5']) {
      expect(problemsOf({ OPTARE_HTTP_KEEP_ALIVE_TIMEOUT: value }), value).toEqual([
        expect.stringMatching(/^OPTARE_HTTP_KEEP_ALIVE_TIMEOUT: must be a duration such as 900, 15m, 8h or 7d, between 1s and 600s/),
      ]);
    }
  });
});
