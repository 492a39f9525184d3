import 'server-only';
import { decode } from 'next-auth/jwt';
import type { NextResponse } from 'next/server';
import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { checkConsoleAccess, type ConsoleAdmin, type ConsoleRefusal } from '@/lib/admin/console-access';
import { consoleCookieSecret, consoleOrigin } from '@/lib/admin/console-client';
import type { AuditContext } from '@/lib/audit/events';
import { getConfig } from '@/lib/config';
import { auditContextFrom } from '@/lib/http/audit-context';
import { readJsonObject } from '@/lib/http/body';
import { CLEAR_SITE_DATA, crossSiteRefusal, jsonError } from '@/lib/http/responses';

export type { ConsoleAdmin } from '@/lib/admin/console-access';

/**
 * The prefix of the console's next-auth cookies: `__Host-` whenever they are Secure (ASVS 3.3.3:
 * the browser then keeps them to this exact host, Path=/, never set by a sibling domain). None on
 * plain-HTTP localhost in development, where browsers refuse the prefix.
 */
export function consoleCookiePrefix(): string {
  return getConfig().secureCookies ? '__Host-' : '';
}

/** next-auth's session cookie for the console. */
export function consoleCookieName(): string {
  return `${consoleCookiePrefix()}next-auth.session-token`;
}

/** The Optare session id the console signed in with, from its sealed cookie; null without one. */
async function consoleSessionId(cookieValue: string | undefined): Promise<string | null> {
  if (!cookieValue || cookieValue.length > 4096) return null;
  try {
    const token = await decode({ token: cookieValue, secret: consoleCookieSecret() });
    return typeof token?.sid === 'string' ? token.sid : null;
  } catch {
    return null; // sealed with another key, or not a token at all
  }
}

/** The console session a route request carries (from its sealed cookie), or null. */
export function consoleSessionIdOf(request: Request): Promise<string | null> {
  return consoleSessionId(cookieValue(request, consoleCookieName()));
}

/**
 * Deletes the console's cookie and asks the browser to clear what it cached and stored for this
 * origin: at sign-out, and when a browser presents the cookie of a console session that has ended.
 */
export function forgetConsoleCookie<T extends NextResponse>(response: T): T {
  response.cookies.set(consoleCookieName(), '', { path: '/', maxAge: 0, httpOnly: true, secure: getConfig().secureCookies, sameSite: 'lax' });
  response.headers.set('Clear-Site-Data', CLEAR_SITE_DATA['Clear-Site-Data']);
  response.headers.set('Cache-Control', 'no-store');
  return response;
}

/** Where a refused visitor goes: sign in (again), or learn why they cannot use the console. */
export function refusalPath(reason: ConsoleRefusal): string {
  return reason === 'signed_out' ? '/admin/sign-in' : `/admin/sign-in?error=${reason}`;
}

/**
 * The administrator using the console, for server components; anyone else is redirected to the
 * console's sign-in page (with the reason). Call it first in every admin page.
 */
export async function requireConsoleAdmin(): Promise<ConsoleAdmin> {
  const sessionId = await consoleSessionId((await cookies()).get(consoleCookieName())?.value);
  const access = await checkConsoleAccess(sessionId, auditContextFrom(await headers()));
  if (!access.ok) redirect(refusalPath(access.reason));
  return access.admin;
}

export type ConsoleRequestAdmin = { ok: true; admin: ConsoleAdmin } | { ok: false; response: Response };

/** The administrator behind a console route request (GET routes such as an export); else 401/403. */
export async function consoleAdminOf(request: Request, context: AuditContext = auditContextFrom(request.headers)): Promise<ConsoleRequestAdmin> {
  const sessionId = await consoleSessionId(cookieValue(request, consoleCookieName()));
  const access = await checkConsoleAccess(sessionId, context);
  if (access.ok) return access;
  const forbidden = access.reason === 'not_admin' || access.reason === 'mfa_required';
  const message = forbidden
    ? 'Only administrators who signed in with two-step verification can do this.'
    : 'Your admin session has ended. Sign in to the console again.';
  return {
    ok: false,
    response: Response.json(
      { error: forbidden ? 'forbidden' : 'not_signed_in', message, redirectTo: refusalPath(access.reason) },
      { status: forbidden ? 403 : 401, headers: { 'cache-control': 'no-store' } },
    ),
  };
}

export type ConsoleRequest =
  | { ok: true; body: Record<string, unknown>; admin: ConsoleAdmin; context: AuditContext }
  | { ok: false; response: Response };

/** The first steps of every console write route: cross-site refusal, the administrator, then a bounded JSON body. */
export async function readConsoleRequest(request: Request, { limit }: { limit?: number } = {}): Promise<ConsoleRequest> {
  const refused = crossSiteRefusal(request, consoleOrigin());
  if (refused) return { ok: false, response: refused };
  const context = auditContextFrom(request.headers);
  const admin = await consoleAdminOf(request, context);
  if (!admin.ok) return admin;
  const body = await readJsonObject(request, limit);
  if (!body.ok) return { ok: false, response: jsonError(body.status, body.error, body.message) };
  return { ok: true, body: body.value, admin: admin.admin, context };
}

function cookieValue(request: Request, name: string): string | undefined {
  const header = request.headers.get('cookie');
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return undefined;
}
