import 'server-only';
import type { AdminActor } from './actor';
import type { AuditContext } from '../audit/events';
import { recordAuditEvent } from '../audit/record';
import { isMultiFactor } from '../auth/authentication-methods';
import { getConfig } from '../config';
import { clearConsoleSeen, findConsoleSession, markConsoleSeen } from '../db/console-sessions';
import { deleteUserSession } from '../db/sessions';

/**
 * Who may use the admin console. The console is an OpenID Connect client of Optare (next-auth);
 * its cookie names the Optare session it signed in with (the ID token's `sid`). Every console
 * request checks that session again here, so that signing out of Optare, an administrator
 * revoking the session, losing the admin role or being disabled takes effect at the next click:
 *  - the session is live and its user is an enabled administrator;
 *  - the session passed a second factor (its `amr` holds two methods);
 *  - the console was used within OPTARE_ADMIN_IDLE_TIMEOUT (its own, shorter idle clock).
 */
export interface ConsoleAdmin {
  userId: string;
  email: string;
  name: string;
  sessionId: string;
  actor: AdminActor;
}

export type ConsoleRefusal = 'signed_out' | 'idle' | 'not_admin' | 'mfa_required';

export type ConsoleAccess = { ok: true; admin: ConsoleAdmin } | { ok: false; reason: ConsoleRefusal };

/** Activity is written at most this often, so that reading pages does not write on every click. */
const TOUCH_INTERVAL_MS = 30_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type ConsoleSessionRow = NonNullable<Awaited<ReturnType<typeof findConsoleSession>>>;
type Standing = { ok: true; endsAt: Date } | { ok: false; reason: ConsoleRefusal };

/**
 * Where a console session stands at `now`, without side effects: when it ends unless it is used
 * again (the earliest of the Optare session's idle and absolute expiry and the console's own idle
 * limit), or why it is not a console session (any more).
 */
function standing(session: ConsoleSessionRow | null, now: Date): Standing {
  if (!session || session.idleExpiresAt <= now || session.absoluteExpiresAt <= now || session.user.disabledAt || !session.consoleSeenAt) {
    return { ok: false, reason: 'signed_out' };
  }
  const consoleIdleEnd = session.consoleSeenAt.getTime() + getConfig().admin.idleTimeoutSeconds * 1000;
  if (now.getTime() > consoleIdleEnd) return { ok: false, reason: 'idle' };
  const refusal = refusalFor(session.user.isAdmin, session.amr);
  if (refusal) return { ok: false, reason: refusal };
  return { ok: true, endsAt: new Date(Math.min(session.idleExpiresAt.getTime(), session.absoluteExpiresAt.getTime(), consoleIdleEnd)) };
}

/** Checks a console request made with the Optare session `sessionId` (null: no console sign-in). */
export async function checkConsoleAccess(sessionId: string | null, context: AuditContext, now = new Date()): Promise<ConsoleAccess> {
  if (!sessionId || !UUID.test(sessionId)) return { ok: false, reason: 'signed_out' };
  const session = await findConsoleSession(sessionId);
  if (!session) return { ok: false, reason: 'signed_out' };
  const verdict = standing(session, now);
  if (!verdict.ok) {
    if (verdict.reason === 'idle') await clearConsoleSeen(session.id);
    else if (verdict.reason !== 'signed_out') await auditRefusal(session.userId, verdict.reason, context);
    return verdict;
  }
  const { id, user, consoleSeenAt } = session;
  if (now.getTime() - consoleSeenAt!.getTime() > TOUCH_INTERVAL_MS) await markConsoleSeen(id, now);
  return {
    ok: true,
    admin: { userId: user.id, email: user.email, name: user.name, sessionId: id, actor: { kind: 'user', userId: user.id, context } },
  };
}

/**
 * When the console session `sessionId` ends unless it is used again, or why it is not a console
 * session (any more). Asking changes nothing (no clock is moved, nothing is audited), so the
 * console's pages can ask at their deadline without keeping an unattended session alive
 * (ASVS 14.3.1).
 */
export async function consoleSessionEnd(sessionId: string | null, now = new Date()): Promise<Standing> {
  if (!sessionId || !UUID.test(sessionId)) return { ok: false, reason: 'signed_out' };
  return standing(await findConsoleSession(sessionId), now);
}

/**
 * The console's sign-in completed for session `sessionId` (the ID token's sid): the same checks
 * as every request, then the console's idle clock starts.
 */
export async function beginConsoleSession(sessionId: string, context: AuditContext, now = new Date()): Promise<ConsoleRefusal | null> {
  if (!UUID.test(sessionId)) return 'signed_out';
  const session = await findConsoleSession(sessionId);
  if (!session || session.idleExpiresAt <= now || session.absoluteExpiresAt <= now || session.user.disabledAt) return 'signed_out';
  const refusal = refusalFor(session.user.isAdmin, session.amr);
  if (refusal) {
    await auditRefusal(session.userId, refusal, context);
    return refusal;
  }
  return (await markConsoleSeen(session.id, now)) ? null : 'signed_out';
}

/** Signing out of the console stops its clock; the Optare session itself is ended by /sign-out. */
export async function endConsoleSession(sessionId: string | null): Promise<void> {
  if (sessionId && UUID.test(sessionId)) await clearConsoleSeen(sessionId);
}

/**
 * Ends the Optare session the console signed in with (the console's sign-out). Needed when the
 * console has its own hostname (OPTARE_ADMIN_ORIGIN): the browser then never sends it Optare's
 * session cookie, which belongs to the issuer's host.
 */
export async function endConsoleOptareSession(admin: Pick<ConsoleAdmin, 'userId' | 'sessionId'>, context: AuditContext): Promise<boolean> {
  if (!(await deleteUserSession(admin.userId, admin.sessionId))) return false;
  await recordAuditEvent({ type: 'auth.sign_out', outcome: 'success', actorUserId: admin.userId, subject: admin.sessionId, context });
  return true;
}

function refusalFor(isAdmin: boolean, amr: readonly string[]): ConsoleRefusal | null {
  if (!isAdmin) return 'not_admin';
  if (!isMultiFactor(amr)) return 'mfa_required';
  return null;
}

async function auditRefusal(userId: string, reason: ConsoleRefusal, context: AuditContext): Promise<void> {
  await recordAuditEvent({ type: 'admin.access_denied', outcome: 'failure', actorUserId: userId, details: { reason }, context });
}
