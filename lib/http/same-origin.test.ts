import { describe, expect, it } from 'vitest';
import { isCrossSiteWrite, type OriginCheckInput } from './same-origin';

const ISSUER = 'https://id.example.com';
const check = (input: Partial<OriginCheckInput>) =>
  isCrossSiteWrite({ method: 'POST', origin: null, secFetchSite: null, host: 'id.example.com', issuer: ISSUER, ...input });

describe('isCrossSiteWrite', () => {
  it('never refuses safe methods, whatever their origin', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'get', 'head', 'options']) {
      expect(check({ method, origin: 'https://evil.example', secFetchSite: 'cross-site' })).toBe(false);
    }
  });

  it('refuses writes from another origin, for every unsafe method', () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'post']) {
      expect(check({ method, origin: 'https://evil.example' })).toBe(true);
    }
  });

  it('refuses the opaque origin "null" (sandboxed frames, data: URLs) unless the browser says same-origin', () => {
    expect(check({ origin: 'null' })).toBe(true);
    expect(check({ origin: 'null', secFetchSite: 'cross-site' })).toBe(true);
    expect(check({ origin: 'null', secFetchSite: 'same-site' })).toBe(true);
    // Chromium sends Origin: null on a same-origin form POST under some referrer policies.
    expect(check({ origin: 'null', secFetchSite: 'same-origin' })).toBe(false);
  });

  it("accepts the issuer's own origin, even when Host differs (behind a proxy)", () => {
    expect(check({ origin: ISSUER, host: 'internal:3000' })).toBe(false);
    expect(check({ origin: ISSUER, host: null })).toBe(false);
  });

  it("accepts the Host header's origin only with the issuer's scheme", () => {
    // check() uses an https issuer
    expect(check({ origin: 'https://localhost:3100', host: 'localhost:3100' })).toBe(false);
    expect(check({ origin: 'http://localhost:3100', host: 'localhost:3100' })).toBe(true);
  });

  it('refuses lookalike origins: another port, scheme-less, a suffix or a subdomain', () => {
    for (const origin of ['https://id.example.com:8443', 'id.example.com', 'https://id.example.com.evil.example', 'https://evil.id.example.com']) {
      expect(check({ origin }), origin).toBe(true);
    }
    expect(check({ origin: 'http://localhost:3101', host: 'localhost:3100' })).toBe(true);
  });

  it('without a Host header, only the issuer origin is accepted', () => {
    expect(check({ origin: 'http://id.example.com', host: null })).toBe(true);
  });

  it('lets Origin decide when both headers are present', () => {
    expect(check({ origin: ISSUER, secFetchSite: 'cross-site' })).toBe(false);
    expect(check({ origin: 'https://evil.example', secFetchSite: 'same-origin' })).toBe(true);
  });

  it('without Origin, refuses Sec-Fetch-Site cross-site and same-site, and accepts same-origin and none', () => {
    expect(check({ secFetchSite: 'cross-site' })).toBe(true);
    expect(check({ secFetchSite: 'same-site' })).toBe(true);
    expect(check({ secFetchSite: 'same-origin' })).toBe(false);
    expect(check({ secFetchSite: 'none' })).toBe(false);
  });

  it('allows writes that carry neither header (non-browser clients)', () => {
    expect(check({})).toBe(false);
  });
});
