// Browserless authorization-code flows for bench/compare.mjs, one per server: authorize (PKCE
// S256, prompt=consent), sign in with email and password when asked, approve consent, and come
// back with a code. Neither flow fetches an HTML page: each answers the server's JSON endpoints
// directly, as a form or a script would after the page was shown.
import { createHash, randomBytes } from 'node:crypto';
import { basic, REDIRECT_URI } from '../flow.mjs';

export const SCOPE = 'openid profile email offline_access';

/** The CLI arguments that register Optare's side of these flows: a confidential client with SCOPE, codes and refresh tokens. */
export function appClientArgs(name, extra = []) {
  return [
    'client', 'create', '--name', name, '--redirect-uri', REDIRECT_URI,
    '--grant', 'authorization_code', '--grant', 'refresh_token',
    ...SCOPE.split(' ').flatMap((scope) => ['--scope', scope]),
    ...extra,
  ];
}

/** A cookie jar for one browser: every cookie is sent to every path (enough for these flows). */
export class CookieJar {
  #cookies = new Map();

  store(response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((attribute) => {
        const [key, val = ''] = attribute.split('=').map((part) => part.trim());
        if (key.toLowerCase() === 'max-age') return Number(val) <= 0;
        if (key.toLowerCase() === 'expires') return Date.parse(val) <= Date.now();
        return false;
      });
      if (expired || value === '') this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  header() {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  get size() {
    return this.#cookies.size;
  }
}

export function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** The authorization request; with `resource` (RFC 8707) the access token is a JWT for that API on both servers. */
export function authorizeQuery(clientId, challenge, resource) {
  return new URLSearchParams({
    ...(resource ? { resource } : {}),
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    scope: SCOPE,
    prompt: 'consent',
    state: randomBytes(8).toString('hex'),
    nonce: randomBytes(8).toString('hex'),
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
}

/** One request from the browser `jar` holds, redirects not followed. */
export async function go(url, jar, init = {}) {
  const response = await fetch(url, { ...init, redirect: 'manual', headers: { ...init.headers, cookie: jar.header() } });
  jar.store(response);
  return response;
}

function codeFrom(location) {
  const url = new URL(location);
  const code = url.searchParams.get('code');
  if (!code) throw new Error(`the client was sent back without a code: ${location}`);
  return code;
}

const MAX_STEPS = 10;

/**
 * Optare: GET /oauth/authorize → /sign-in?request=H (POST /api/auth/sign-in with the handle) →
 * the continue route → /consent?request=H (POST /consent/decision) → the client with a code.
 * With a signed-in jar the sign-in step does not occur.
 */
export async function optareCode(base, { clientId, email, password, jar = new CookieJar(), resource }) {
  const { verifier, challenge } = pkce();
  const json = { 'content-type': 'application/json', origin: base };
  let response = await go(`${base}/oauth/authorize?${authorizeQuery(clientId, challenge, resource)}`, jar);
  for (let step = 0; step < MAX_STEPS; step++) {
    let location = response.headers.get('location');
    if (!location) throw new Error(`Optare's flow stopped at ${response.url}: ${response.status} ${await response.text()}`);
    await response.body?.cancel();
    const url = new URL(location, base);
    if (location.startsWith(REDIRECT_URI)) return { code: codeFrom(location), verifier, jar, resource };
    const handle = url.searchParams.get('request');
    if (url.pathname === '/sign-in') {
      response = await go(`${base}/api/auth/sign-in`, jar, { method: 'POST', headers: json, body: JSON.stringify({ email, password, request: handle }) });
    } else if (url.pathname === '/consent') {
      response = await go(`${base}/consent/decision`, jar, { method: 'POST', headers: json, body: JSON.stringify({ request: handle, decision: 'approve' }) });
    } else {
      response = await go(url.href, jar);
      continue;
    }
    if (response.status !== 200) throw new Error(`Optare's ${url.pathname} step failed: ${response.status} ${await response.text()}`);
    location = (await response.json()).redirectTo;
    response = { headers: new Headers({ location: new URL(location, base).href }), body: null };
  }
  throw new Error('Optare\'s flow did not end');
}

/**
 * oidc-provider: GET /auth → /interaction/:uid/login (POST email and password) → /auth/:uid →
 * /interaction/:uid/consent (POST) → /auth/:uid → the client with a code.
 */
export async function peerCode(base, { clientId, email, password, jar = new CookieJar(), resource }) {
  const { verifier, challenge } = pkce();
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  let response = await go(`${base}/auth?${authorizeQuery(clientId, challenge, resource)}`, jar);
  for (let step = 0; step < MAX_STEPS; step++) {
    const location = response.headers.get('location');
    if (!location) throw new Error(`the peer's flow stopped: ${response.status} ${await response.text()}`);
    await response.body?.cancel();
    if (location.startsWith(REDIRECT_URI)) return { code: codeFrom(location), verifier, jar, resource };
    const url = new URL(location, base);
    const prompt = /^\/interaction\/[\w-]+\/(login|consent)$/.exec(url.pathname)?.[1];
    if (prompt === 'login') {
      response = await go(url.href, jar, { method: 'POST', headers: form, body: new URLSearchParams({ email, password }).toString() });
    } else if (prompt === 'consent') {
      response = await go(url.href, jar, { method: 'POST', headers: form, body: '' });
    } else {
      response = await go(url.href, jar);
    }
  }
  throw new Error('the peer\'s flow did not end');
}

/** Exchanges a code at `tokenPath` (for the API it was asked for, if any); returns the token response. */
export async function exchangeCode(base, tokenPath, client, { code, verifier, resource }) {
  const response = await fetch(`${base}${tokenPath}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client.id, client.secret) },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier, ...(resource ? { resource } : {}) }),
  });
  const body = await response.json();
  if (response.status !== 200) throw new Error(`code exchange failed: ${response.status} ${JSON.stringify(body)}`);
  return body;
}
