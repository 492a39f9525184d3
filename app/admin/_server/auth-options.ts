import 'server-only';
import type { AuthOptions, CookiesOptions } from 'next-auth';
import { headers } from 'next/headers';
import { beginConsoleSession } from '@/lib/admin/console-access';
import { CONSOLE_AUTH_PATH, CONSOLE_CLIENT_ID, CONSOLE_PROVIDER_ID, consoleCookieSecret, consoleOrigin } from '@/lib/admin/console-client';
import { ACR_MULTI_FACTOR } from '@/lib/auth/authentication-methods';
import { getConfig } from '@/lib/config';
import { auditContextFrom } from '@/lib/http/audit-context';
import { logger } from '@/lib/log/logger';
import { ENDPOINT_PATHS } from '@/lib/oauth/metadata';
import { consoleCookieName, consoleCookiePrefix } from './console';

/** The console's cookie lives at most this long; the console's idle clock (DB) ends it much sooner. */
const CONSOLE_COOKIE_MAX_AGE_SECONDS = 12 * 3600;

interface OptareProfile {
  sub: string;
  sid?: string;
  email?: string;
  name?: string;
}

/**
 * next-auth, configured as an OpenID Connect relying party of this very Optare: authorization
 * code with PKCE, state and nonce, a fresh sign-in (prompt=login) asking for multi-factor
 * authentication (acr_values). The console's cookie carries only the Optare session id (`sid`);
 * every console request checks that session again (lib/admin/console-access.ts).
 */
export function consoleAuthOptions(): AuthOptions {
  const config = getConfig();
  // next-auth takes its base URL and path from NEXTAUTH_URL: the console's origin (its redirect
  // URI and cookies are there), while the endpoints below stay the issuer's.
  process.env.NEXTAUTH_URL = `${consoleOrigin(config)}${CONSOLE_AUTH_PATH}`;
  return {
    secret: consoleCookieSecret(),
    useSecureCookies: config.secureCookies,
    cookies: consoleCookies(config.secureCookies),
    session: { strategy: 'jwt', maxAge: CONSOLE_COOKIE_MAX_AGE_SECONDS },
    pages: { signIn: '/admin/sign-in', error: '/admin/sign-in' },
    providers: [
      {
        id: CONSOLE_PROVIDER_ID,
        name: 'Optare',
        type: 'oauth',
        // The provider's metadata is declared from OPTARE_ISSUER rather than discovered: the
        // console is Optare's own client, and a discovery document naming another issuer must
        // not be able to steer it (ASVS 10.5.3; next-auth 4 never compares a discovered issuer).
        issuer: config.issuer,
        authorization: {
          url: `${config.issuer}${ENDPOINT_PATHS.authorization}`,
          params: { scope: 'openid profile email', prompt: 'login', acr_values: ACR_MULTI_FACTOR },
        },
        token: `${config.issuer}${ENDPOINT_PATHS.token}`,
        userinfo: `${config.issuer}${ENDPOINT_PATHS.userinfo}`,
        jwks_endpoint: `${config.issuer}${ENDPOINT_PATHS.jwks}`,
        clientId: CONSOLE_CLIENT_ID,
        client: { token_endpoint_auth_method: 'none', id_token_signed_response_alg: config.defaultSigningAlg },
        checks: ['pkce', 'state', 'nonce'],
        idToken: true,
        profile: (profile: OptareProfile) => ({ id: profile.sub, email: profile.email ?? null, name: profile.name ?? null }),
      },
    ],
    callbacks: {
      async signIn({ profile }) {
        const sid = (profile as OptareProfile | undefined)?.sid;
        if (!sid) return '/admin/sign-in?error=no_session';
        const refusal = await beginConsoleSession(sid, auditContextFrom(await headers()));
        return refusal === null ? true : `/admin/sign-in?error=${refusal}`;
      },
      async jwt({ token, profile }) {
        const sid = (profile as OptareProfile | undefined)?.sid;
        if (sid) token.sid = sid;
        return token;
      },
    },
    logger: {
      // Only the code and the message: next-auth's metadata may hold tokens.
      error: (code, metadata) =>
        logger().warn({ code, reason: metadata instanceof Error ? metadata.message : undefined }, 'admin console sign-in failed'),
      warn: () => undefined,
      debug: () => undefined,
    },
  };
}

/**
 * Every cookie next-auth sets for the console, named `__Host-…` when Secure (its defaults are
 * `__Secure-…`, which a sibling subdomain could set): HttpOnly, SameSite=Lax, Path=/, no Domain.
 */
function consoleCookies(secure: boolean): CookiesOptions {
  const prefix = consoleCookiePrefix();
  const options = { httpOnly: true, sameSite: 'lax' as const, path: '/', secure };
  const shortLived = { ...options, maxAge: 15 * 60 };
  return {
    sessionToken: { name: consoleCookieName(), options },
    callbackUrl: { name: `${prefix}next-auth.callback-url`, options },
    csrfToken: { name: `${prefix}next-auth.csrf-token`, options },
    pkceCodeVerifier: { name: `${prefix}next-auth.pkce.code_verifier`, options: shortLived },
    state: { name: `${prefix}next-auth.state`, options: shortLived },
    nonce: { name: `${prefix}next-auth.nonce`, options },
  };
}
