import { NextResponse } from 'next/server';
import { consoleOrigin } from '@/lib/admin/console-client';
import { getConfig } from '@/lib/config';

export const dynamic = 'force-dynamic';

/**
 * After the first-run setup, when the console has a hostname of its own (OPTARE_ADMIN_ORIGIN): on
 * to its sign-in there. The setup form follows only paths of its own site, so it comes here first.
 */
export function GET(): Response {
  const response = NextResponse.redirect(new URL('/admin/sign-in?setup=1', consoleOrigin(getConfig())), 303);
  response.headers.set('cache-control', 'no-store');
  return response;
}
