/**
 * The client page's "Connect your app" snippets (components/admin/clients/snippets.ts): they name
 * the discovery URL, the client id and a registered redirect URI for each library, follow the
 * client's authentication method, quote what they embed, and never hold a secret.
 */
import { describe, expect, it } from 'vitest';
import { discoveryUrl, integrationSnippets, SECRET_VARIABLE, type SnippetClient } from '../../components/admin/clients/snippets';

const CLIENT: SnippetClient = {
  issuer: 'https://id.example.com',
  clientId: 'oc_abcdefghijklmnopqrstuv',
  tokenEndpointAuthMethod: 'client_secret_basic',
  redirectUris: ['com.example.app:/cb', 'https://app.example.com/callback'],
  grantTypes: ['authorization_code', 'refresh_token'],
  scopes: ['openid', 'profile', 'email', 'offline_access'],
  requirePkce: true,
};

describe('integration snippets', () => {
  it('give openid-client, Auth.js and Spring the discovery URL (or issuer), client id and an http(s) redirect URI', () => {
    const snippets = integrationSnippets(CLIENT);
    expect(snippets.map((snippet) => snippet.id)).toEqual(['openid-client', 'authjs', 'spring']);
    expect(discoveryUrl('https://id.example.com/')).toBe('https://id.example.com/.well-known/openid-configuration');
    for (const snippet of snippets) {
      expect(snippet.code).toContain(CLIENT.clientId);
      expect(snippet.code).toContain('https://app.example.com/callback');
      expect(snippet.code).toContain(snippet.id === 'authjs' ? '"https://id.example.com"' : 'https://id.example.com/.well-known/openid-configuration');
    }
    const [openid, authjs, spring] = snippets;
    expect(openid!.code).toContain(`process.env.${SECRET_VARIABLE},`);
    expect(openid!.code).toContain("code_challenge_method: 'S256'");
    expect(openid!.code).toContain('scope: "openid profile email offline_access"');
    expect(authjs!.code).toContain(`clientSecret: process.env.${SECRET_VARIABLE},`);
    expect(authjs!.code).not.toContain('token_endpoint_auth_method');
    expect(spring!.code).toContain(`client-secret: \${${SECRET_VARIABLE}}`);
    expect(spring!.code).toContain('client-authentication-method: client_secret_basic');
    expect(spring!.code).toContain('withPkce()');
  });

  it('follow the authentication method: client_secret_post, none (public) and private_key_jwt', () => {
    const post = integrationSnippets({ ...CLIENT, tokenEndpointAuthMethod: 'client_secret_post' });
    expect(post[0]!.code).toContain(`client.ClientSecretPost(process.env.${SECRET_VARIABLE})`);
    expect(post[1]!.code).toContain('token_endpoint_auth_method: "client_secret_post"');

    const pub = integrationSnippets({ ...CLIENT, tokenEndpointAuthMethod: 'none' });
    expect(pub[0]!.code).toContain('client.None()');
    for (const snippet of pub) expect(snippet.code).not.toContain(SECRET_VARIABLE);
    expect(pub[2]!.code).not.toContain('withPkce');

    const jwt = integrationSnippets({ ...CLIENT, tokenEndpointAuthMethod: 'private_key_jwt' });
    expect(jwt[0]!.code).toContain('client.PrivateKeyJwt(privateKey)');
    for (const snippet of jwt) expect(snippet.code).not.toContain(SECRET_VARIABLE);
  });

  it('show a service (client_credentials only) its own grant, without Auth.js', () => {
    const service = integrationSnippets({ ...CLIENT, grantTypes: ['client_credentials'], redirectUris: [], scopes: ['openid', 'profile'] });
    expect(service.map((snippet) => snippet.id)).toEqual(['openid-client', 'spring']);
    expect(service[0]!.code).toContain('client.clientCredentialsGrant(config, { scope: "profile" })');
    expect(service[1]!.code).toContain('authorization-grant-type: client_credentials');
    expect(service[1]!.code).not.toContain('redirect-uri');
  });

  it('quote what they embed, so a registered URI cannot break out of its string', () => {
    const hostile = integrationSnippets({ ...CLIENT, redirectUris: [`https://app.example.com/cb?x="'};alert(1)//`] });
    expect(hostile[0]!.code).toContain(`redirect_uri: "https://app.example.com/cb?x=\\"'};alert(1)//",`);
    expect(hostile[2]!.code).toContain(`redirect-uri: "https://app.example.com/cb?x=\\"'};alert(1)//"`);
  });

  it('use a placeholder when the client has no redirect URI yet', () => {
    expect(integrationSnippets({ ...CLIENT, redirectUris: [] })[0]!.code).toContain('redirect_uri: "https://app.example.com/callback"');
  });
});
