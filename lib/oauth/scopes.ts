/** The scopes Optare supports and the standard claims each one releases (OIDC Core §5.4). */
export const SCOPE_CLAIMS = {
  openid: ['sub'],
  profile: ['name', 'updated_at'],
  email: ['email', 'email_verified'],
  offline_access: [],
} as const satisfies Record<string, readonly string[]>;

export type Scope = keyof typeof SCOPE_CLAIMS;
export const SUPPORTED_SCOPES = Object.keys(SCOPE_CLAIMS) as Scope[];
export const SUPPORTED_CLAIMS = [...new Set(['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'acr', 'amr', 'sid', 'at_hash', ...Object.values(SCOPE_CLAIMS).flat()])];

/** Splits a space-delimited scope string (RFC 6749 §3.3) into unique scope tokens, in order. */
export function parseScope(value: string | undefined | null): string[] {
  if (!value) return [];
  return [...new Set(value.split(' ').filter(Boolean))];
}

export function formatScope(scopes: readonly string[]): string {
  return scopes.join(' ');
}

/** Plain words for the consent page. */
export const SCOPE_DESCRIPTIONS: Record<Scope, string> = {
  openid: 'Know who you are (your account identifier)',
  profile: 'See your name',
  email: 'See your email address',
  offline_access: 'Stay connected when you are not using it (keep access until you revoke it)',
};
