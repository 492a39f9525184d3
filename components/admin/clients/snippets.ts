/**
 * Ready-to-paste configuration for common client libraries: the discovery URL, the client id and
 * a redirect URI, with the client's authentication method and scopes. Never the secret: an
 * environment variable stands in for it.
 */
export interface SnippetClient {
  issuer: string;
  clientId: string;
  tokenEndpointAuthMethod: string;
  redirectUris: readonly string[];
  grantTypes: readonly string[];
  scopes: readonly string[];
  requirePkce: boolean;
  /** The client's id_token_signed_response_alg; libraries expect RS256 unless told otherwise. */
  idTokenSignedResponseAlg?: string;
}

export interface Snippet {
  id: string;
  title: string;
  /** Where it goes, e.g. "auth.ts". */
  file: string;
  code: string;
}

/** The environment variable the snippets read the secret from. */
export const SECRET_VARIABLE = 'OPTARE_CLIENT_SECRET';
const PLACEHOLDER_REDIRECT = 'https://app.example.com/callback';

export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
}

export function integrationSnippets(client: SnippetClient): Snippet[] {
  const signsUsersIn = client.grantTypes.includes('authorization_code');
  return [openidClient(client, signsUsersIn), ...(signsUsersIn ? [authJs(client)] : []), springBoot(client, signsUsersIn)];
}

/** Quoted for JavaScript and YAML alike (JSON string syntax). */
const quote = (value: string) => JSON.stringify(value);

function userScopes(client: SnippetClient): string {
  const scopes = client.scopes.includes('openid') ? client.scopes : ['openid', ...client.scopes];
  return scopes.join(' ');
}

function serviceScopes(client: SnippetClient): string {
  return client.scopes.filter((scope) => scope !== 'openid' && scope !== 'offline_access').join(' ');
}

function redirectUri(client: SnippetClient): string {
  return client.redirectUris.find((uri) => /^https?:/i.test(uri)) ?? client.redirectUris[0] ?? PLACEHOLDER_REDIRECT;
}

/** The ID token alg when it is not RS256 (the one every library expects by default), else null. */
function otherIdTokenAlg(client: SnippetClient): string | null {
  return client.idTokenSignedResponseAlg && client.idTokenSignedResponseAlg !== 'RS256' ? client.idTokenSignedResponseAlg : null;
}

function openidClient(client: SnippetClient, signsUsersIn: boolean): Snippet {
  const alg = signsUsersIn ? otherIdTokenAlg(client) : null;
  const usesSecret = client.tokenEndpointAuthMethod === 'client_secret_basic' || client.tokenEndpointAuthMethod === 'client_secret_post';
  // openid-client takes the secret, or the client metadata, as its third argument.
  const metadata = alg
    ? `{ ${usesSecret ? `client_secret: process.env.${SECRET_VARIABLE}, ` : ''}id_token_signed_response_alg: ${quote(alg)} }`
    : usesSecret
      ? `process.env.${SECRET_VARIABLE}`
      : 'undefined';
  const auth =
    client.tokenEndpointAuthMethod === 'client_secret_post'
      ? `${metadata},\n  client.ClientSecretPost(process.env.${SECRET_VARIABLE}),`
      : client.tokenEndpointAuthMethod === 'none'
        ? `${metadata},\n  client.None(),`
        : client.tokenEndpointAuthMethod === 'private_key_jwt'
          ? `${metadata},\n  client.PrivateKeyJwt(privateKey), // the CryptoKey matching a key of the registered JWKS`
          : `${metadata},`;
  const lines = [
    `// npm install openid-client (v6)`,
    `import * as client from 'openid-client';`,
    ``,
    `const config = await client.discovery(`,
    `  new URL(${quote(discoveryUrl(client.issuer))}),`,
    `  ${quote(client.clientId)},`,
    `  ${auth}`,
    `);`,
    ``,
  ];
  if (signsUsersIn) {
    lines.push(
      `// Sign-in: keep codeVerifier, state and nonce in the user's session, then redirect.`,
      `const codeVerifier = client.randomPKCECodeVerifier();`,
      `const state = client.randomState();`,
      `const nonce = client.randomNonce();`,
      `const signInUrl = client.buildAuthorizationUrl(config, {`,
      `  redirect_uri: ${quote(redirectUri(client))},`,
      `  scope: ${quote(userScopes(client))},`,
      `  code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),`,
      `  code_challenge_method: 'S256',`,
      `  state,`,
      `  nonce,`,
      `});`,
      ``,
      `// Callback: exchange the code; the ID token is verified for you.`,
      `const tokens = await client.authorizationCodeGrant(config, callbackUrl, {`,
      `  pkceCodeVerifier: codeVerifier,`,
      `  expectedState: state,`,
      `  expectedNonce: nonce,`,
      `});`,
      `const claims = tokens.claims();`,
    );
  } else {
    const scope = serviceScopes(client);
    lines.push(`// A service's own token (client_credentials).`, `const tokens = await client.clientCredentialsGrant(config${scope ? `, { scope: ${quote(scope)} }` : ''});`);
  }
  return { id: 'openid-client', title: 'Node.js: openid-client', file: 'oidc.mjs', code: lines.join('\n') };
}

function authJs(client: SnippetClient): Snippet {
  const method = client.tokenEndpointAuthMethod;
  const lines = [
    `// Auth.js (next-auth v5). It sends users back to <your app>/api/auth/callback/optare:`,
    `// register that exact URL as a redirect URI of this client (registered now: ${redirectUri(client)}).`,
    `import NextAuth from 'next-auth';`,
    ``,
    `export const { handlers, auth, signIn, signOut } = NextAuth({`,
    `  providers: [`,
    `    {`,
    `      id: 'optare',`,
    `      name: 'Optare',`,
    `      type: 'oidc',`,
    `      issuer: ${quote(client.issuer)},`,
    `      clientId: ${quote(client.clientId)},`,
    ...(method === 'client_secret_basic' || method === 'client_secret_post' ? [`      clientSecret: process.env.${SECRET_VARIABLE},`] : []),
    ...clientMetadataLine(client),
    `      checks: ['pkce', 'state', 'nonce'],`,
    `      authorization: { params: { scope: ${quote(userScopes(client))} } },`,
    `    },`,
    `  ],`,
    `});`,
  ];
  return { id: 'authjs', title: 'Next.js: Auth.js', file: 'auth.ts', code: lines.join('\n') };
}

/** Auth.js's `client` option: the auth method when not the default, the ID token alg when not RS256. */
function clientMetadataLine(client: SnippetClient): string[] {
  const members = [
    ...(client.tokenEndpointAuthMethod !== 'client_secret_basic' ? [`token_endpoint_auth_method: ${quote(client.tokenEndpointAuthMethod)}`] : []),
    ...(otherIdTokenAlg(client) ? [`id_token_signed_response_alg: ${quote(otherIdTokenAlg(client)!)}`] : []),
  ];
  return members.length > 0 ? [`      client: { ${members.join(', ')} },`] : [];
}

function springBoot(client: SnippetClient, signsUsersIn: boolean): Snippet {
  const method = client.tokenEndpointAuthMethod;
  const scopes = signsUsersIn ? userScopes(client).split(' ') : serviceScopes(client).split(' ').filter(Boolean);
  const lines = [
    `# Spring Boot with spring-boot-starter-oauth2-client: application.yml`,
    `spring:`,
    `  security:`,
    `    oauth2:`,
    `      client:`,
    `        registration:`,
    `          optare:`,
    `            provider: optare`,
    `            client-id: ${quote(client.clientId)}`,
    ...(method === 'client_secret_basic' || method === 'client_secret_post' ? [`            client-secret: \${${SECRET_VARIABLE}}`] : []),
    `            client-authentication-method: ${method}`,
    `            authorization-grant-type: ${signsUsersIn ? 'authorization_code' : 'client_credentials'}`,
    ...(signsUsersIn
      ? [
          ...(client.requirePkce && method !== 'none'
            ? [
                `            # Optare requires PKCE from this client. Spring sends it for public clients only: for this one, add`,
                `            # OAuth2AuthorizationRequestCustomizers.withPkce() to the authorization request resolver.`,
              ]
            : []),
          `            # Spring handles /login/oauth2/code/optare unless configured otherwise: register the URL it uses.`,
          `            redirect-uri: ${quote(redirectUri(client))}`,
          ...(otherIdTokenAlg(client) === 'EdDSA'
            ? [`            # ID tokens are signed with EdDSA, which Spring Security's SignatureAlgorithm lacks: use RS256, PS256 or ES256 for Spring.`]
            : otherIdTokenAlg(client)
              ? [
                  `            # ID tokens are signed with ${otherIdTokenAlg(client)}: Spring expects RS256 unless an OidcIdTokenDecoderFactory bean`,
                  `            # sets setJwsAlgorithmResolver(registration -> SignatureAlgorithm.${otherIdTokenAlg(client)}).`,
                ]
              : []),
        ]
      : []),
    ...(scopes.length > 0 ? [`            scope: ${scopes.join(', ')}`] : []),
    `        provider:`,
    `          optare:`,
    `            # Spring reads ${discoveryUrl(client.issuer)}`,
    `            issuer-uri: ${quote(client.issuer)}`,
  ];
  return { id: 'spring', title: 'Java: Spring Security', file: 'application.yml', code: lines.join('\n') };
}
