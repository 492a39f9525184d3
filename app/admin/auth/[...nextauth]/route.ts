import NextAuth from 'next-auth';
import type { NextRequest } from 'next/server';
import { consoleAuthOptions } from '../../_server/auth-options';

type Context = { params: Promise<{ nextauth: string[] }> };

/** next-auth's endpoints for the admin console's own OpenID Connect sign-in (csrf, signin, callback). */
async function handler(request: NextRequest, context: Context): Promise<Response> {
  const response: Response = await NextAuth(request, context, consoleAuthOptions());
  response.headers.set('cache-control', 'no-store');
  return response;
}

export { handler as GET, handler as POST };
