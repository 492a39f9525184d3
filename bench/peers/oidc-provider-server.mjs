// The peer of bench/compare.mjs: node-oidc-provider (panva, v9) configured as close to Optare's
// defaults as it allows, persisting to PostgreSQL through bench/peers/postgres-adapter.mjs.
//
//   PORT=3411 DATABASE_URL=postgresql://… PEER_CLIENTS='[{"client_id":…}]' node bench/peers/oidc-provider-server.mjs
//
// What matches Optare: RS256 signing with one RSA-2048 key; JWT access tokens (RFC 9068, `typ
// at+jwt`) for client_credentials, with the issuer as their audience, and for a user's
// authorization asking for an API (RFC 8707 `resource`), with that API as audience; lifetimes (access token
// 3600 s, ID token 3600 s, code 60 s, refresh token 14 days idle, rotated at every use);
// client_secret_basic; scopes openid profile email offline_access; PKCE S256 required;
// introspection, revocation and userinfo on; accounts in a `users` table, passwords checked
// with argon2id at Optare's parameters (19 MiB, 2 passes, 1 lane).
//
// What it does not allow, and so differs: oidc-provider issues JWT access tokens only for a
// resource server, and such tokens are refused by its userinfo endpoint ("token audience
// prevents accessing the userinfo endpoint") and by its introspection endpoint (structured tokens
// are rejected). So a user's access token for userinfo (authorization_code, refresh_token
// without `resource`) is opaque and stored in the database; Optare's is a JWT (one more
// signature, one write fewer). Asked for an API, both issue an RS256 JWT.
//
// Interactions are browserless. The provider sends the browser to /interaction/:uid/:prompt
// (login or consent): GET there answers the pending prompt as JSON (what a page would show);
// POST to /interaction/:uid/login takes email and password (form-encoded), POST to
// /interaction/:uid/consent grants what the consent prompt asks for. Both answer 303 to the
// provider's resume URL, as oidc-provider's own interaction examples do.
import http from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import Provider from 'oidc-provider';
import { openPool, postgresAdapter } from './postgres-adapter.mjs';
import { ARGON2, USERS_SCHEMA } from './users.mjs';

/** A benchmark-only client field: the JWS alg of its JWT access tokens (stripped before the provider sees it). */
export const ACCESS_TOKEN_ALG_FIELD = 'bench_access_token_alg';

const HOUR = 3600;

function signingJwk(privateKey, alg) {
  return { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('base64url'), alg, use: 'sig' };
}
const DAY = 24 * HOUR;

/** Builds the provider and its HTTP server (not yet listening). */
export async function createPeer({ issuer, databaseUrl, clients, poolSize = 10 }) {
  const pool = await openPool(databaseUrl, poolSize);
  await pool.query(USERS_SCHEMA);
  // One key per JWS alg the benchmark's clients use (RS256 unless a client names another: see
  // ACCESS_TOKEN_ALG_FIELD), as Optare keeps one active key per alg.
  const signingKeys = [
    signingJwk(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, 'RS256'),
    signingJwk(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, 'ES256'),
    signingJwk(generateKeyPairSync('ed25519').privateKey, 'EdDSA'),
  ];
  const accessTokenAlgs = new Map(clients.map((client) => [client.client_id, client[ACCESS_TOKEN_ALG_FIELD] ?? 'RS256']));

  async function findAccount(_ctx, id) {
    const { rows } = await pool.query('SELECT id, email, name, email_verified FROM users WHERE id = $1', [id]);
    const user = rows[0];
    if (!user) return undefined;
    return {
      accountId: user.id,
      async claims() {
        return { sub: user.id, email: user.email, email_verified: user.email_verified, name: user.name ?? undefined };
      },
    };
  }

  const provider = new Provider(issuer, {
    adapter: postgresAdapter(pool),
    clients: clients.map(({ [ACCESS_TOKEN_ALG_FIELD]: _alg, ...client }) => ({ token_endpoint_auth_method: 'client_secret_basic', ...client })),
    clientDefaults: { id_token_signed_response_alg: 'RS256', token_endpoint_auth_method: 'client_secret_basic' },
    jwks: { keys: signingKeys },
    findAccount,
    claims: { openid: ['sub'], profile: ['name'], email: ['email', 'email_verified'] },
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    pkce: { required: () => true },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    rotateRefreshToken: true,
    ttl: {
      AccessToken: HOUR,
      ClientCredentials: HOUR,
      IdToken: HOUR,
      AuthorizationCode: 60,
      RefreshToken: 14 * DAY,
      Grant: 90 * DAY,
      Session: 7 * DAY,
      Interaction: 10 * 60,
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // As Optare: a client learns only about its own tokens.
      introspection: { enabled: true, allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // client_credentials tokens are for the issuer itself (aud = iss, as Optare's are), as JWTs;
        // a user's token is the provider's userinfo token unless the client names an API (see the
        // note at the top).
        defaultResource: (ctx, _client, oneOf) => oneOf ?? (ctx.oidc.params?.grant_type === 'client_credentials' ? issuer : undefined),
        useGrantedResource: () => false,
        getResourceServerInfo: (_ctx, resource, client) => ({
          scope: 'profile email',
          audience: resource,
          accessTokenTTL: HOUR,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: accessTokenAlgs.get(client.clientId) ?? 'RS256' } },
        }),
      },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}/${interaction.prompt.name}` },
    renderError(ctx, out) {
      ctx.type = 'json';
      ctx.body = out;
    },
  });
  provider.on('server_error', (_ctx, error) => console.error('server_error', error));

  const callback = provider.callback();
  const dummyHash = hash('dummy password for unknown accounts', ARGON2);

  async function interaction(req, res, uid, action) {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) return send(res, 400, { error: 'interaction mismatch' });
    if (req.method === 'GET') {
      return send(res, 200, { uid: details.uid, prompt: details.prompt, params: details.params });
    }
    if (req.method !== 'POST') return send(res, 405, { error: 'method not allowed' });
    const body = new URLSearchParams(await readBody(req));

    if (action === 'login' && details.prompt.name === 'login') {
      const email = (body.get('email') ?? '').toLowerCase();
      const { rows: [user] } = await pool.query('SELECT id, password_hash FROM users WHERE email = $1', [email]);
      // An unknown account costs the same argon2 work as a known one, as in Optare.
      const ok = await verify(user?.password_hash ?? (await dummyHash), body.get('password') ?? '').catch(() => false);
      if (!user || !ok) return send(res, 401, { error: 'invalid_credentials' });
      return provider.interactionFinished(req, res, { login: { accountId: user.id, amr: ['pwd'] } }, { mergeWithLastSubmission: false });
    }

    if (action === 'consent' && details.prompt.name === 'consent') {
      const { prompt: { details: asked }, params, session } = details;
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
      if (asked.missingOIDCScope) grant.addOIDCScope(asked.missingOIDCScope.join(' '));
      if (asked.missingOIDCClaims) grant.addOIDCClaims(asked.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(asked.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
      const grantId = await grant.save();
      return provider.interactionFinished(req, res, { consent: details.grantId ? {} : { grantId } }, { mergeWithLastSubmission: true });
    }
    return send(res, 400, { error: `nothing to ${action} in the ${details.prompt.name} prompt` });
  }

  const server = http.createServer((req, res) => {
    const match = /^\/interaction\/([\w-]+)\/(login|consent)$/.exec(req.url.split('?')[0]);
    if (!match) return callback(req, res);
    interaction(req, res, match[1], match[2]).catch((error) => {
      console.error('interaction failed', error);
      if (!res.headersSent) send(res, 500, { error: 'server_error' });
    });
  });
  return {
    provider,
    server,
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await pool.end();
    },
  };
}

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function readBody(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 16_384) throw new Error('body too large');
  }
  return body;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.env.PORT ?? 3411);
  const host = process.env.HOST ?? '127.0.0.1';
  const issuer = process.env.ISSUER ?? `http://${host}:${port}`;
  if (!process.env.DATABASE_URL) throw new Error('DATABASE_URL must name the peer\'s PostgreSQL database');
  const peer = await createPeer({
    issuer,
    databaseUrl: process.env.DATABASE_URL,
    clients: JSON.parse(process.env.PEER_CLIENTS ?? '[]'),
    poolSize: Number(process.env.PEER_POOL_SIZE ?? 10),
  });
  peer.server.listen(port, host, () => console.log(`oidc-provider peer listening at ${issuer}`));
  process.on('SIGTERM', () => peer.close().then(() => process.exit(0)));
}
