import 'server-only';
import { recordAuditEvent } from '../audit/record';
import type { AuditContext } from '../audit/events';
import { sha256 } from '../crypto/hash';
import { randomToken } from '../crypto/random';
import {
  consumePendingLogin,
  countFailedAttempt,
  deletePendingLogin,
  findPendingLogin,
  insertPendingLogin,
  type StoredPendingLogin,
} from '../db/pending-logins';
import { hostCookie, isCookieToken, type BrowserCookie } from './cookies';

/**
 * A sign-in between its first step (password) and its second factor, or a step-up of a session
 * that needs another factor. Held server-side and found by the hash of a random token in an
 * HttpOnly cookie (so it is bound to the browser that passed the first step), it lives five
 * minutes and is discarded after five wrong codes.
 */

export const PENDING_LOGIN_TTL_SECONDS = 5 * 60;
export const MAX_WRONG_CODES = 5;

export type PendingLogin = StoredPendingLogin;

export function pendingLoginCookie(): BrowserCookie {
  return hostCookie('optare_pending_login', PENDING_LOGIN_TTL_SECONDS);
}

export async function startPendingLogin(
  login: { userId: string; purpose: 'sign_in' | 'step_up'; sessionId: string | null; amr: string[] },
  now = new Date(),
): Promise<string> {
  const token = randomToken(32);
  await insertPendingLogin({ ...login, idHash: sha256(token), expiresAt: new Date(now.getTime() + PENDING_LOGIN_TTL_SECONDS * 1000) });
  return token;
}

/** The live pending login a cookie token stands for, or null. Reading does not consume it. */
export function findPendingLoginByToken(token: unknown, now = new Date()): Promise<PendingLogin | null> {
  if (!isCookieToken(token)) return Promise.resolve(null);
  return findPendingLogin(sha256(token), now);
}

/** Single use: of two concurrent completions, one gets the login and the other null. */
export function completePendingLogin(token: string, now = new Date()): Promise<PendingLogin | null> {
  if (!isCookieToken(token)) return Promise.resolve(null);
  return consumePendingLogin(sha256(token), now);
}

/**
 * Counts a wrong code. The fifth discards the login (the user starts over from the password)
 * and is audited. Returns how many tries are left; 0 means the login is gone.
 */
export async function recordWrongCode(login: PendingLogin, token: string, context: AuditContext, now = new Date()): Promise<number> {
  const idHash = sha256(token);
  const failed = await countFailedAttempt(idHash, now);
  if (failed === null) return 0;
  if (failed < MAX_WRONG_CODES) return MAX_WRONG_CODES - failed;
  await deletePendingLogin(idHash);
  await recordAuditEvent({
    type: 'auth.pending_login_locked',
    outcome: 'failure',
    actorUserId: login.userId,
    subject: login.userId,
    details: { purpose: login.purpose, attempts: failed },
    context,
  });
  return 0;
}

export async function abandonPendingLogin(token: unknown): Promise<void> {
  if (isCookieToken(token)) await deletePendingLogin(sha256(token));
}
