import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser';
import { callJson } from './post-json';

/**
 * WebAuthn request options from one of Optare's options endpoints (passwordless sign-in, or
 * the second step); the server keeps the ceremony's challenge behind a cookie. Null when the
 * server refused (an expired sign-in) or could not be reached.
 */
export async function fetchPasskeyOptions(url: string): Promise<PublicKeyCredentialRequestOptionsJSON | null> {
  const result = await callJson(url);
  if (!result.ok) return null;
  const options = result.data.options;
  return typeof options === 'object' && options !== null ? (options as PublicKeyCredentialRequestOptionsJSON) : null;
}
