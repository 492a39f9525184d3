import 'server-only';
import { getConfig } from '../config';

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

/** A random cookie token as Optare issues them (randomToken(32)): anything else is not looked up. */
export function isCookieToken(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{43}$/.test(value);
}

/** The WebAuthn ceremony in progress in this browser (lib/auth/webauthn.ts): 5 minutes, single use. */
export function webauthnCeremonyCookie(): BrowserCookie {
  return hostCookie('optare_webauthn', 5 * 60);
}
