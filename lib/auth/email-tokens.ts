import 'server-only';
import { randomToken } from '../crypto/random';
import { sha256 } from '../crypto/hash';
import { getConfig } from '../config';
import { findLiveEmailToken, replaceEmailToken, type EmailTokenPurpose } from '../db/email-tokens';
import type { DbClient } from '../db/users';

/** How long each kind of link works. */
export const EMAIL_TOKEN_TTL_SECONDS: Record<EmailTokenPurpose, number> = {
  verify_email: 24 * 3600,
  reset_password: 30 * 60,
  change_email: 24 * 3600,
};

/** The page each link opens. The token goes in the fragment: never sent to a server, logged or leaked in a Referer. */
const LINK_PATH: Record<EmailTokenPurpose, string> = {
  verify_email: '/verify-email',
  reset_password: '/reset-password',
  change_email: '/confirm-email-change',
};

/** A token as it appears in links: 32 random bytes, base64url (43 characters). */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function isEmailTokenShape(value: unknown): value is string {
  return typeof value === 'string' && TOKEN_PATTERN.test(value);
}

/**
 * Issues a single-use link for `purpose` (256 random bits; only the SHA-256 is stored) and
 * returns its URL. Earlier unused links of the same purpose stop working.
 */
export async function issueEmailLink(
  userId: string,
  purpose: EmailTokenPurpose,
  email: string,
  now = new Date(),
  client?: DbClient,
): Promise<string> {
  const token = randomToken(32);
  await replaceEmailToken(
    { tokenHash: sha256(token), userId, purpose, email, createdAt: now, expiresAt: new Date(now.getTime() + EMAIL_TOKEN_TTL_SECONDS[purpose] * 1000) },
    client,
  );
  return `${getConfig().issuer}${LINK_PATH[purpose]}#token=${token}`;
}

/** The live token of `purpose` a link carries, or null (malformed, unknown, used, expired or another purpose). */
export async function lookUpEmailToken(token: unknown, purpose: EmailTokenPurpose, now = new Date()) {
  if (!isEmailTokenShape(token)) return null;
  const row = await findLiveEmailToken(sha256(token), purpose, now);
  if (!row || row.user.disabledAt) return null;
  return row;
}
