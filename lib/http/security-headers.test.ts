import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, securityHeaders } from './security-headers';

const directives = (policy: string) => new Map(policy.split('; ').map((d) => [d.split(' ')[0]!, d] as const));

describe('contentSecurityPolicy', () => {
  it('allows scripts and styles only from self and the nonce, and frames, objects and base URIs from nowhere', () => {
    const policy = directives(contentSecurityPolicy({ nonce: 'abc123', https: false }));
    expect(policy.get('default-src')).toBe("default-src 'self'");
    expect(policy.get('script-src')).toBe("script-src 'self' 'nonce-abc123' 'strict-dynamic'");
    expect(policy.get('style-src')).toBe("style-src 'self' 'nonce-abc123'");
    expect(policy.get('object-src')).toBe("object-src 'none'");
    expect(policy.get('base-uri')).toBe("base-uri 'none'");
    expect(policy.get('frame-ancestors')).toBe("frame-ancestors 'none'");
    expect(policy.get('form-action')).toBe("form-action 'self'");
    expect(policy.has('upgrade-insecure-requests')).toBe(false);
    expect(contentSecurityPolicy({ nonce: 'abc123', https: false })).not.toMatch(/unsafe-(inline|eval)/);
  });

  it('upgrades insecure requests only on HTTPS', () => {
    expect(directives(contentSecurityPolicy({ nonce: 'n', https: true })).has('upgrade-insecure-requests')).toBe(true);
  });

  it("adds 'unsafe-eval' to script-src only in development", () => {
    expect(directives(contentSecurityPolicy({ nonce: 'n', https: false, dev: true })).get('script-src')).toBe(
      "script-src 'self' 'nonce-n' 'strict-dynamic' 'unsafe-eval'",
    );
    expect(contentSecurityPolicy({ nonce: 'n', https: false, dev: false })).not.toContain('unsafe-eval');
  });

  it('appends extra form-action sources', () => {
    const policy = directives(contentSecurityPolicy({ nonce: 'n', https: true, formActions: ['https://app.example.com'] }));
    expect(policy.get('form-action')).toBe("form-action 'self' https://app.example.com");
  });

  it('uses a fresh nonce per call', () => {
    expect(contentSecurityPolicy({ nonce: 'one', https: false })).not.toContain('two');
    expect(contentSecurityPolicy({ nonce: 'two', https: false })).toContain("'nonce-two'");
  });
});

describe('securityHeaders', () => {
  it('denies framing and sniffing, sends no referrer and isolates the window', () => {
    const headers = securityHeaders({ nonce: 'n', https: false });
    expect(headers).toMatchObject({
      'Content-Security-Policy': contentSecurityPolicy({ nonce: 'n', https: false }),
      'X-Frame-Options': 'DENY',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'same-origin',
      'Cross-Origin-Opener-Policy': 'same-origin',
    });
    expect(headers['Permissions-Policy']).toMatch(/camera=\(\)/);
    expect(headers['Permissions-Policy']).toMatch(/publickey-credentials-get=\(self\)/);
  });

  it('sends HSTS only when the issuer is HTTPS', () => {
    expect(securityHeaders({ nonce: 'n', https: false })).not.toHaveProperty('Strict-Transport-Security');
    expect(securityHeaders({ nonce: 'n', https: true })['Strict-Transport-Security']).toBe('max-age=63072000; includeSubDomains');
  });
});
