import 'server-only';
import { getConfig } from '../config';
import type { HeaderReader } from '../http/protocol-message';

export interface BrowserCookie {
  name: string;
  options: { httpOnly: true; secure: boolean; sameSite: 'lax'; path: '/'; maxAge?: number };
}

/**
 * An HttpOnly cookie Optare sets for itself. `__Host-` binds it to this exact host over HTTPS;
 * browsers refuse that prefix without Secure, so on plain-HTTP localhost in development the
 * cookie is named without it. Without maxAge it lasts as long as the browser session.
 */
export function hostCookie(baseName: string, maxAgeSeconds?: number): BrowserCookie {
  const secure = getConfig().secureCookies;
  return {
    name: secure ? `__Host-${baseName}` : baseName,
    options: { httpOnly: true, secure, sameSite: 'lax', path: '/', ...(maxAgeSeconds === undefined ? {} : { maxAge: maxAgeSeconds }) },
  };
}

/**
 * The Set-Cookie value that gives the browser `cookie` with `value` (what Next.js's
 * `response.cookies.set` writes: Path, then Expires and Max-Age when the cookie has a lifetime,
 * Secure, HttpOnly, SameSite).
 */
export function setCookieHeader(cookie: BrowserCookie, value: string, now = Date.now()): string {
  const { path, maxAge, secure, httpOnly, sameSite } = cookie.options;
  return [
    `${cookie.name}=${encodeURIComponent(value)}`,
    `Path=${path}`,
    ...(maxAge ? [`Expires=${new Date(now + maxAge * 1000).toUTCString()}`] : []),
    ...(maxAge === undefined ? [] : [`Max-Age=${maxAge}`]),
    ...(secure ? ['Secure'] : []),
    ...(httpOnly ? ['HttpOnly'] : []),
    `SameSite=${sameSite}`,
  ].join('; ');
}

/** The Set-Cookie value that deletes `cookie` (empty, Max-Age=0). */
export function clearCookieHeader(cookie: BrowserCookie): string {
  return setCookieHeader({ name: cookie.name, options: { ...cookie.options, maxAge: 0 } }, '');
}

/** A random cookie token as Optare issues them (randomToken(32)): anything else is not looked up. */
export function isCookieToken(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{43}$/.test(value);
}

/** The WebAuthn ceremony in progress in this browser (lib/auth/webauthn.ts): 5 minutes, single use. */
export function webauthnCeremonyCookie(): BrowserCookie {
  return hostCookie('optare_webauthn', 5 * 60);
}

/** The value of one cookie from a request's Cookie header. */
export function readCookie(headers: HeaderReader, name: string): string | undefined {
  for (const part of (headers.get('cookie') ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return undefined;
}
