// A browser-free run through Optare's real flows: sign up, authorize (PKCE), exchange the code.
import { createHash, randomBytes } from 'node:crypto';

export const REDIRECT_URI = 'http://127.0.0.1:9/callback';
export const PASSWORD = 'bench passphrase that is long';

/** Signs a new user up and returns the session cookie header. */
export async function signUp(base, email) {
  const response = await fetch(`${base}/api/auth/sign-up`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base },
    body: JSON.stringify({ email, name: 'Bench', password: PASSWORD }),
  });
  if (response.status !== 201) throw new Error(`sign-up failed: ${response.status} ${await response.text()}`);
  return response.headers.get('set-cookie').split(';')[0];
}

/** Authorize with PKCE under a signed-in session; returns the code from the redirect. */
export async function authorize(base, clientId, cookie, scope = 'openid profile email offline_access') {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    scope,
    state: randomBytes(8).toString('hex'),
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  const response = await fetch(`${base}/oauth/authorize?${query}`, { headers: { cookie }, redirect: 'manual' });
  const location = response.headers.get('location') ?? '';
  const code = location.startsWith(REDIRECT_URI) ? new URL(location).searchParams.get('code') : null;
  if (!code) throw new Error(`authorize did not redirect with a code (status ${response.status}, location ${location})`);
  return { code, verifier };
}

export function basic(clientId, secret) {
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

export async function exchange(base, client, { code, verifier }) {
  const response = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client.id, client.secret) },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier }),
  });
  const body = await response.json();
  if (response.status !== 200) throw new Error(`code exchange failed: ${response.status} ${JSON.stringify(body)}`);
  return body;
}
