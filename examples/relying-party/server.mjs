// A small web application that signs its users in with Optare, using openid-client (v6).
//
//   OPTARE_ISSUER=http://localhost:3000 CLIENT_ID=… CLIENT_SECRET=… node examples/relying-party/server.mjs
//
// It does what Optare's README recommends for a server-rendered app: authorization code flow
// with PKCE, state and nonce; tokens kept on the server, the browser holding only an opaque
// HttpOnly session cookie; the access token refreshed shortly before it expires; sign-out through
// Optare's end_session_endpoint (RP-initiated logout). Register it with:
//
//   npm run optare -- client create --name "Example app" \
//     --redirect-uri http://127.0.0.1:4000/callback --post-logout-uri http://127.0.0.1:4000/ \
//     --grant authorization_code --grant refresh_token \
//     --scope openid --scope profile --scope email --scope offline_access
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';

const ISSUER = required('OPTARE_ISSUER');
const CLIENT_ID = required('CLIENT_ID');
const CLIENT_SECRET = required('CLIENT_SECRET');
const PORT = Number(process.env.PORT ?? 4000);
const APP_URL = (process.env.APP_URL ?? `http://127.0.0.1:${PORT}`).replace(/\/$/, '');
const REDIRECT_URI = `${APP_URL}/callback`;
const REFRESH_MARGIN_SECONDS = 60;

const issuerUrl = new URL(ISSUER);
const config = await oidc.discovery(issuerUrl, CLIENT_ID, CLIENT_SECRET, oidc.ClientSecretBasic(CLIENT_SECRET), {
  // Plain HTTP only for a local Optare; production issuers are HTTPS.
  execute: issuerUrl.protocol === 'http:' ? [oidc.allowInsecureRequests] : [],
});

/** Server-side state: sign-ins in progress and signed-in sessions, keyed by random cookie values. */
const pending = new Map(); // id → { verifier, state, nonce, createdAt }
const sessions = new Map(); // id → { tokens, claims, expiresAt }

const server = http.createServer((req, res) => {
  route(req, res).catch((error) => {
    console.error(error);
    page(res, 500, 'Error', `<p>Something went wrong: ${escape(error.message ?? String(error))}</p><p><a href="/">Home</a></p>`);
  });
});
server.listen(PORT, '127.0.0.1', () => console.log(`Example app on ${APP_URL} (issuer ${ISSUER})`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));

async function route(req, res) {
  const url = new URL(req.url, APP_URL);
  if (req.method !== 'GET') return page(res, 405, 'Method not allowed', '');
  if (url.pathname === '/favicon.ico') return res.writeHead(204).end();
  switch (url.pathname) {
    case '/':
      return home(req, res);
    case '/login':
      return login(res);
    case '/callback':
      return callback(req, res, url);
    case '/logout':
      return logout(req, res);
    default:
      return page(res, 404, 'Not found', '<p><a href="/">Home</a></p>');
  }
}

async function home(req, res) {
  const session = await currentSession(req);
  if (!session) {
    return page(res, 200, 'Example app', '<p>You are not signed in.</p><p><a id="sign-in" href="/login">Sign in with Optare</a></p>');
  }
  const userinfo = await oidc.fetchUserInfo(config, session.tokens.access_token, session.claims.sub);
  const rows = Object.entries(session.claims)
    .map(([name, value]) => `<tr><th>${escape(name)}</th><td>${escape(JSON.stringify(value))}</td></tr>`)
    .join('');
  return page(
    res,
    200,
    'Example app',
    `<p id="greeting">Signed in as ${escape(userinfo.name ?? userinfo.sub)} (${escape(userinfo.email ?? 'no email')})</p>
     <h2>Verified ID token claims</h2><table id="claims">${rows}</table>
     <p>Access token expires at <span id="expires-at">${new Date(session.expiresAt * 1000).toISOString()}</span></p>
     <p><a id="sign-out" href="/logout">Sign out</a></p>`,
  );
}

function login(res) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const id = randomBytes(32).toString('base64url');
  pending.set(id, { verifier, state, nonce, createdAt: Date.now() });
  return oidc.calculatePKCECodeChallenge(verifier).then((challenge) => {
    const target = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid profile email offline_access',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    redirect(res, target.href, [cookie('rp_tx', id, 600)]);
  });
}

async function callback(req, res, url) {
  const id = readCookie(req, 'rp_tx');
  const tx = id && pending.get(id);
  if (!tx || Date.now() - tx.createdAt > 600_000) return page(res, 400, 'Sign-in expired', '<p><a href="/login">Try again</a></p>');
  pending.delete(id);
  if (url.searchParams.get('error')) {
    const error = url.searchParams.get('error');
    return page(res, 403, 'Not signed in', `<p id="error">Optare answered: ${escape(error)}</p><p><a href="/">Home</a></p>`);
  }
  const tokens = await oidc.authorizationCodeGrant(config, url, {
    pkceCodeVerifier: tx.verifier,
    expectedState: tx.state,
    expectedNonce: tx.nonce,
    idTokenExpected: true,
  });
  const sessionId = randomBytes(32).toString('base64url');
  sessions.set(sessionId, { tokens, claims: tokens.claims(), expiresAt: expiry(tokens) });
  redirect(res, '/', [cookie('rp_tx', '', 0), cookie('rp_session', sessionId, 8 * 3600)]);
}

function logout(req, res) {
  const id = readCookie(req, 'rp_session');
  const session = id && sessions.get(id);
  if (id) sessions.delete(id);
  if (!session) return redirect(res, '/', [cookie('rp_session', '', 0)]);
  const target = oidc.buildEndSessionUrl(config, {
    id_token_hint: session.tokens.id_token,
    post_logout_redirect_uri: `${APP_URL}/`,
    state: oidc.randomState(),
  });
  redirect(res, target.href, [cookie('rp_session', '', 0)]);
}

/** The signed-in session, with its access token refreshed when it expires within a minute. */
async function currentSession(req) {
  const id = readCookie(req, 'rp_session');
  const session = id && sessions.get(id);
  if (!session) return null;
  if (session.expiresAt - REFRESH_MARGIN_SECONDS <= Date.now() / 1000) {
    try {
      const refreshed = await oidc.refreshTokenGrant(config, session.tokens.refresh_token);
      session.tokens = { ...session.tokens, ...refreshed, id_token: refreshed.id_token ?? session.tokens.id_token };
      session.expiresAt = expiry(refreshed);
      session.refreshedAt = Date.now();
    } catch {
      sessions.delete(id); // revoked or expired at Optare: sign in again
      return null;
    }
  }
  return session;
}

function expiry(tokens) {
  return Math.floor(Date.now() / 1000) + (tokens.expires_in ?? 0);
}

function page(res, status, title, body) {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
  });
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>body{font:16px system-ui;margin:2rem auto;max-width:44rem}th{text-align:left;padding-right:1rem}</style></head>
<body><h1>${escape(title)}</h1>${body}</body></html>`);
}

function redirect(res, location, cookies = []) {
  res.writeHead(303, { location, 'set-cookie': cookies, 'cache-control': 'no-store' });
  res.end();
}

function cookie(name, value, maxAge) {
  const secure = APP_URL.startsWith('https://') ? '; Secure' : '';
  return `${name}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure}`;
}

function readCookie(req, name) {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return null;
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`Set ${name} (see the comment at the top of this file).`);
    process.exit(2);
  }
  return value;
}
