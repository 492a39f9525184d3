import { afterAll, describe, expect, it } from 'vitest';
import { consoleAuthOptions } from '../../app/admin/_server/auth-options';
import { consoleCookieName } from '../../app/admin/_server/console';
import { useTestConfig } from '../support/config';

/**
 * Console cookies planted by a sibling host (ASVS 3.3.3): a `__Secure-` cookie may be set by any
 * subdomain of the parent domain, a `__Host-` one only by this exact host, Secure, with Path=/ and
 * no Domain. Every cookie next-auth sets for the admin console is `__Host-` over HTTPS.
 */

afterAll(() => {
  useTestConfig();
});

describe('admin console cookies planted by a sibling host', () => {
  it('names every next-auth cookie __Host- over HTTPS: Secure, HttpOnly, SameSite=Lax, Path=/, no Domain', () => {
    useTestConfig({ OPTARE_ISSUER: 'https://id.example.test' });
    const cookies = consoleAuthOptions().cookies!;
    const names = Object.values(cookies).map((cookie) => cookie!.name);
    expect(names).toHaveLength(6);
    expect(names.every((name) => name.startsWith('__Host-next-auth.'))).toBe(true);
    expect(cookies.sessionToken!.name).toBe(consoleCookieName());
    expect(consoleCookieName()).toBe('__Host-next-auth.session-token');
    for (const cookie of Object.values(cookies)) {
      expect(cookie!.options).toMatchObject({ secure: true, httpOnly: true, sameSite: 'lax', path: '/' });
      expect(cookie!.options).not.toHaveProperty('domain');
    }
  });

  it('drops the prefix (which browsers refuse without Secure) only on plain-HTTP localhost outside production', () => {
    useTestConfig({ OPTARE_ISSUER: 'http://localhost:3000' });
    const cookies = consoleAuthOptions().cookies!;
    expect(consoleCookieName()).toBe('next-auth.session-token');
    for (const cookie of Object.values(cookies)) {
      expect(cookie!.name.startsWith('next-auth.')).toBe(true);
      expect(cookie!.options.secure).toBe(false);
    }
  });
});
