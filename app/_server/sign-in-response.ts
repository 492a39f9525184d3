import 'server-only';
import { NextResponse } from 'next/server';
import { createSession, endSession, sessionCookie } from '@/lib/auth/sessions';
import type { AuditContext } from '@/lib/audit/events';

/**
 * Starts a fresh session for a user who just authenticated, ending the session the browser
 * held before (a new token at every authentication prevents session fixation). `redirectTo` is
 * the same-origin path the form navigates to: home, or the pending authorization request's
 * continue route.
 */
export async function signedInResponse(
  request: Request & { cookies: { get(name: string): { value: string } | undefined } },
  userId: string,
  amr: string[],
  context: AuditContext,
  status = 200,
  redirectTo = '/',
): Promise<NextResponse> {
  const cookie = sessionCookie();
  await endSession(request.cookies.get(cookie.name)?.value, context);
  const { token } = await createSession(userId, amr, context);
  const response = NextResponse.json({ redirectTo }, { status, headers: { 'cache-control': 'no-store' } });
  response.cookies.set(cookie.name, token, cookie.options);
  return response;
}
