import { describe, expect, it } from 'vitest';
import { hostnameOf, hostRouter, normalizePath } from './console-host';

const ADMIN_ORIGIN = 'https://admin.id.example.com';
const ISSUER_HOST = 'id.example.com';
const ADMIN_HOST = 'admin.id.example.com';
const router = hostRouter(ADMIN_ORIGIN)!;

describe('console host routing (OPTARE_ADMIN_ORIGIN)', () => {
  it('is off without OPTARE_ADMIN_ORIGIN: one origin serves everything', () => {
    expect(hostRouter(null)).toBeNull();
  });

  it('serves the console, its routes, assets, icons, probes and CSP reports on the console host', () => {
    for (const path of [
      '/admin',
      '/admin/',
      '/admin/users?q=a',
      '/admin/auth/csrf',
      '/admin/auth/callback/optare?code=x&state=y',
      '/admin/sign-out',
      '/api/admin/console/clients/abc/disable',
      '/_next/static/chunks/app.js',
      '/favicon.ico',
      '/icon.svg?abc123',
      '/healthz',
      '/readyz',
      '/csp-report',
    ]) {
      expect(router.route(ADMIN_HOST, path), path).toBe('serve');
    }
  });

  it('sends the console host root to the console', () => {
    expect(router.route(ADMIN_HOST, '/')).toBe('console_home');
    expect(router.route(ADMIN_HOST, '/?x=1')).toBe('console_home');
  });

  it('answers 404 on the console host for every login page, OAuth endpoint, account page and the admin API', () => {
    for (const path of [
      '/sign-in',
      '/sign-up',
      '/consent',
      '/account',
      '/account/security',
      '/setup',
      '/oauth/authorize?client_id=a',
      '/oauth/token',
      '/oauth/userinfo',
      '/.well-known/openid-configuration',
      '/api/auth/sign-in',
      '/api/admin/v1/users',
      '/api/admin/consoles',
      '/administrator',
    ]) {
      expect(router.route(ADMIN_HOST, path), path).toBe('not_found');
    }
  });

  it('a path that only looks like the console on its host resolves before it is judged (dot segments, escapes, slashes)', () => {
    for (const path of ['/admin/../sign-in', '/admin/%2e%2e/oauth/token', '/admin%2f..%2fsign-in', '/admin/..%5csign-in', '//sign-in', '/_next/../account']) {
      expect(router.route(ADMIN_HOST, path), path).toBe('not_found');
    }
    expect(router.route(ADMIN_HOST, '/admin/%zz'), 'undecodable').toBe('not_found');
  });

  it('answers 404 for the console on the issuer host, however the path is spelled', () => {
    for (const path of [
      '/admin',
      '/admin/',
      '/admin/sign-in',
      '/admin/auth/signin/optare',
      '/api/admin/console/settings',
      '/ADMIN',
      '/Admin/Users',
      '//admin',
      '/%61dmin',
      '/account/../admin',
      '/x/%2e%2e/admin/keys',
      '/api/admin/console%2fsettings',
    ]) {
      expect(router.route(ISSUER_HOST, path), path).toBe('not_found');
    }
  });

  it('serves everything else on the issuer host, the admin API included', () => {
    for (const path of ['/', '/sign-in', '/oauth/token', '/account', '/api/admin/v1/users', '/api/admin/v1/openapi.json', '/administrators-guide', '/_next/static/a.js']) {
      expect(router.route(ISSUER_HOST, path), path).toBe('serve');
    }
  });

  it('recognizes the console host in any case, with any port, or a final dot', () => {
    for (const host of ['admin.id.example.com', 'ADMIN.ID.EXAMPLE.COM', 'admin.id.example.com:443', 'admin.id.example.com:8443', 'admin.id.example.com.', ' admin.id.example.com ']) {
      expect(router.isConsoleHost(host), host).toBe(true);
      expect(router.route(host, '/sign-in'), host).toBe('not_found');
    }
  });

  it('a spoofed or missing Host never gets the console and the login pages on one host', () => {
    for (const host of [undefined, null, '', 'id.example.com', 'evil.example', 'admin.id.example.com.evil.example', 'xadmin.id.example.com', 'admin.id.example.co', '[::1]:3000']) {
      expect(router.isConsoleHost(host), String(host)).toBe(false);
      expect(router.route(host, '/admin'), String(host)).toBe('not_found');
      expect(router.route(host, '/sign-in'), String(host)).toBe('serve');
    }
  });
});

describe('hostnameOf', () => {
  it('cuts the port of names and IPv6 literals, lowercases, and drops a final dot', () => {
    expect(hostnameOf('LocalHost:3000')).toBe('localhost');
    expect(hostnameOf('127.0.0.1:3141')).toBe('127.0.0.1');
    expect(hostnameOf('[::1]:3000')).toBe('[::1]');
    expect(hostnameOf('example.com.')).toBe('example.com');
  });
});

describe('normalizePath', () => {
  it('cuts the query, resolves dot segments and escapes, folds slashes and case', () => {
    expect(normalizePath('/Admin//Users/?q=1')).toBe('/admin/users');
    expect(normalizePath('/a/b/../../admin')).toBe('/admin');
    expect(normalizePath('/%41dmin%2Fkeys')).toBe('/admin/keys');
    expect(normalizePath('/')).toBe('/');
    expect(normalizePath('/%E0%A4%A')).toBeNull();
  });
});
