import 'server-only';
import { runtimeSettings } from '../settings/runtime';
import { randomToken } from '../crypto/random';
import { sha256 } from '../crypto/hash';
import { deleteSession, deleteSessionByTokenHash, findSessionByTokenHash, insertSession, rotateSessionToken, touchSession } from '../db/sessions';
import { recordAuditEvent } from '../audit/record';
import { hostCookie, isCookieToken, type BrowserCookie } from './cookies';
import type { AuditContext } from '../audit/events';

/** Sliding the idle expiry costs a write; do it at most once a minute per session. */
const TOUCH_INTERVAL_MS = 60_000;

export interface ActiveSession {
  id: string;
  userId: string;
  createdAt: Date;
  /** When the user last authenticated in this session (auth_time). */
  authenticatedAt: Date;
  amr: string[];
  user: { id: string; email: string; name: string; isAdmin: boolean };
  /** When the session ends unless it is used again: the earlier of its idle and absolute expiry. */
  expiresAt: Date;
}

export type SessionCookie = BrowserCookie;

/** The session cookie: `__Host-optare_session` (lib/auth/cookies.ts), for the browser session. */
export function sessionCookie(): SessionCookie {
  return hostCookie('optare_session');
}

/**
 * Starts a session: a new random 256-bit token for the browser; only its SHA-256 is stored. Its
 * lifetimes are the runtime settings' (lib/settings: the console's, else the environment's).
 */
export async function createSession(userId: string, amr: string[], context: AuditContext, now = new Date()) {
  const { sessionIdleTimeoutSeconds, sessionMaxAgeSeconds } = await runtimeSettings();
  const token = randomToken(32);
  const created = await insertSession({
    tokenHash: sha256(token),
    userId,
    createdAt: now,
    idleExpiresAt: new Date(now.getTime() + Math.min(sessionIdleTimeoutSeconds, sessionMaxAgeSeconds) * 1000),
    absoluteExpiresAt: new Date(now.getTime() + sessionMaxAgeSeconds * 1000),
    ip: context.ip,
    userAgent: context.userAgent?.slice(0, 512) ?? null,
    amr,
  });
  return { token, sessionId: created.id };
}

/**
 * The session a cookie token stands for, or null. Expired sessions and sessions of disabled
 * users are deleted on sight and audited; a live one has its idle expiry slid forward, unless
 * `slide` is false (asking whether a session is alive is not using it).
 */
export async function validateSessionToken(
  token: string | undefined,
  context: AuditContext,
  now = new Date(),
  { slide = true }: { slide?: boolean } = {},
): Promise<ActiveSession | null> {
  if (!isCookieToken(token)) return null;
  const session = await findSessionByTokenHash(sha256(token));
  if (!session) return null;

  const expired = session.idleExpiresAt <= now || session.absoluteExpiresAt <= now;
  if (expired || session.user.disabledAt) {
    if (await deleteSession(session.id)) {
      await recordAuditEvent({
        type: expired ? 'session.expired' : 'session.revoked',
        outcome: 'success',
        actorUserId: session.userId,
        subject: session.id,
        details: expired
          ? { reason: session.absoluteExpiresAt <= now ? 'absolute_timeout' : 'idle_timeout' }
          : { reason: 'user_disabled' },
        context,
      });
    }
    return null;
  }

  let expiresAt = session.idleExpiresAt < session.absoluteExpiresAt ? session.idleExpiresAt : session.absoluteExpiresAt;
  if (slide && now.getTime() - session.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) {
    const idle = (await runtimeSettings()).sessionIdleTimeoutSeconds * 1000;
    const next = new Date(Math.min(now.getTime() + idle, session.absoluteExpiresAt.getTime()));
    await touchSession(session.id, now, next);
    expiresAt = next;
  }
  const { user } = session;
  return {
    id: session.id,
    userId: session.userId,
    createdAt: session.createdAt,
    authenticatedAt: session.authenticatedAt,
    amr: session.amr,
    user: { id: user.id, email: user.email, name: user.name, isAdmin: user.isAdmin },
    expiresAt,
  };
}

/**
 * Step-up: the user of a live session passed another factor. The session keeps its id (the `sid`
 * relying parties hold) but gets a new token, the combined methods and a new authentication
 * time; the old token stops working at once (no session fixation across the step-up). Returns
 * the new token, or null when the session has ended meanwhile.
 */
export async function stepUpSession(sessionId: string, amr: string[], now = new Date()): Promise<string | null> {
  const token = randomToken(32);
  const updated = await rotateSessionToken(sessionId, { tokenHash: sha256(token), amr, authenticatedAt: now }, now);
  return updated ? token : null;
}

/** Ends the session a token stands for (sign-out). Returns whether there was one. */
export async function endSession(token: string | undefined, context: AuditContext): Promise<boolean> {
  if (!isCookieToken(token)) return false;
  const ended = await deleteSessionByTokenHash(sha256(token));
  if (!ended) return false;
  await recordAuditEvent({
    type: 'auth.sign_out',
    outcome: 'success',
    actorUserId: ended.userId,
    subject: ended.id,
    context,
  });
  return true;
}
