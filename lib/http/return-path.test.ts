import { describe, expect, it } from 'vitest';
import { accountReturnPath } from './return-path';

/** Open-redirect regression tests for the sign-in page's `next` parameter. */
describe('accountReturnPath (the sign-in `next` parameter)', () => {
  it.each(['/account', '/account/security', '/account/security/passkeys', '/account/two-step'])('allows %s', (path) => {
    expect(accountReturnPath(path)).toBe(path);
  });

  it.each([
    // Other sites, however spelled.
    '//evil.example',
    '//evil.example/account',
    '/\\evil.example',
    '/\\/evil.example',
    '\\\\evil.example',
    'https://evil.example',
    'https://evil.example/account/security',
    'http:evil.example',
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    '/account@evil.example',
    '/account/security@evil.example',
    // Paths outside the account area, or escaping it.
    '/',
    '',
    '/oauth/authorize',
    '/accounts',
    '/account-evil',
    '/account/../x',
    '/account/./security',
    '/account/..',
    '/account//security',
    '/account/',
    '/account/security/',
    // Encoded variants.
    '/account/%2e%2e/x',
    '/account/%2E%2E/x',
    '/account%2f..%2fx',
    '/%2f%2fevil.example',
    '/account%5c..%5cx',
    '%2faccount',
    '/account/security%00',
    // Queries, fragments, whitespace and control characters.
    '/account/security?x=1',
    '/account/security#x',
    ' /account/security',
    '/account/security ',
    '/account/security\n',
    '/account\t/security',
    '/account/Security',
    '/account/sécurité',
    `/account/${'a'.repeat(300)}`,
  ])('refuses %j', (value) => {
    expect(accountReturnPath(value)).toBeNull();
  });

  it.each([undefined, null, 42, true, ['/account'], { path: '/account' }])('refuses a value that is not a string: %j', (value) => {
    expect(accountReturnPath(value)).toBeNull();
  });
});
