import { NextResponse } from 'next/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clearCookieHeader, readCookie, setCookieHeader, type BrowserCookie } from './cookies';

const session: BrowserCookie = { name: '__Host-optare_session', options: { httpOnly: true, secure: true, sameSite: 'lax', path: '/' } };
const ceremony: BrowserCookie = { name: 'optare_webauthn', options: { httpOnly: true, secure: false, sameSite: 'lax', path: '/', maxAge: 300 } };

/** What Next.js's response.cookies.set writes for the same cookie: the endpoints moved off Next.js must not change a byte. */
function nextSetCookie(cookie: BrowserCookie, value: string): string {
  const response = NextResponse.json({});
  response.cookies.set(cookie.name, value, cookie.options);
  return response.headers.getSetCookie()[0]!;
}

afterEach(() => vi.useRealTimers());

describe('Set-Cookie values', () => {
  it('are what Next.js writes: a session cookie and a cookie with a lifetime', () => {
    vi.useFakeTimers({ now: new Date('2026-12-01T10:00:00Z') });
    const token = 'Zm9vYmFyYmF6cXV4LXRva2VuLXZhbHVlLTAxMjM0NTY3';
    expect(setCookieHeader(session, token)).toBe(nextSetCookie(session, token));
    expect(setCookieHeader(session, token)).toBe(`__Host-optare_session=${token}; Path=/; Secure; HttpOnly; SameSite=lax`);
    expect(setCookieHeader(ceremony, token)).toBe(nextSetCookie(ceremony, token));
    expect(setCookieHeader(ceremony, token)).toBe(`optare_webauthn=${token}; Path=/; Expires=Tue, 01 Dec 2026 10:05:00 GMT; Max-Age=300; HttpOnly; SameSite=lax`);
  });

  it('delete with an empty value and Max-Age=0, keeping the attributes the browser matches on', () => {
    expect(clearCookieHeader(session)).toBe('__Host-optare_session=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=lax');
    const response = NextResponse.json({});
    response.cookies.set(session.name, '', { ...session.options, maxAge: 0 });
    expect(clearCookieHeader(session)).toBe(response.headers.getSetCookie()[0]);
  });

  it('encode a value that is not a plain token', () => {
    expect(setCookieHeader(session, 'a b;c')).toMatch(/^__Host-optare_session=a%20b%3Bc;/);
  });
});

describe('readCookie', () => {
  it('finds one cookie among several, by exact name', () => {
    const headers = new Headers({ cookie: 'a=1; __Host-optare_session=tok; optare_session_x=no' });
    expect(readCookie(headers, '__Host-optare_session')).toBe('tok');
    expect(readCookie(headers, 'optare_session')).toBeUndefined();
    expect(readCookie(new Headers(), 'a')).toBeUndefined();
  });
});
