import 'server-only';
import { recordAuditEvent } from '../audit/record';
import type { AuditContext } from '../audit/events';
import { deleteUserSession, deleteUserSessions, listUserSessions } from '../db/sessions';
import { methodsInWords } from './methods-in-words';
import { describeUserAgent } from './user-agent';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The session asking: the user's own, never listed as revocable through these functions. */
export interface SessionHolder {
  id: string;
  userId: string;
}

export interface SessionSummary {
  id: string;
  browser: string;
  os: string;
  ip: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  methods: string;
  current: boolean;
}

/** Every live session of the user, this one first, then by sign-in time, newest first. */
export async function sessionsOf(holder: SessionHolder, now = new Date()): Promise<SessionSummary[]> {
  const rows = await listUserSessions(holder.userId, now);
  const summaries = rows.map((row) => ({
    id: row.id,
    ...describeUserAgent(row.userAgent),
    ip: row.ip,
    createdAt: row.createdAt,
    lastSeenAt: row.lastSeenAt,
    methods: methodsInWords(row.amr),
    current: row.id === holder.id,
  }));
  return [...summaries.filter((s) => s.current), ...summaries.filter((s) => !s.current)];
}

export type RevokeSessionResult = { ok: true } | { ok: false; error: 'session_not_found' | 'current_session' };

/**
 * Signs out one of the user's other sessions: its row goes, so its very next request finds no
 * session. An id that is not a UUID, or another user's session, is not found; this session is
 * refused (that is what sign-out is for).
 */
export async function revokeSession(holder: SessionHolder, id: unknown, context: AuditContext): Promise<RevokeSessionResult> {
  if (typeof id !== 'string' || !UUID.test(id)) return { ok: false, error: 'session_not_found' };
  const sessionId = id.toLowerCase();
  if (sessionId === holder.id) return { ok: false, error: 'current_session' };
  if (!(await deleteUserSession(holder.userId, sessionId))) return { ok: false, error: 'session_not_found' };
  await recordAuditEvent({
    type: 'session.revoked',
    outcome: 'success',
    actorUserId: holder.userId,
    subject: sessionId,
    details: { reason: 'signed_out_by_user' },
    context,
  });
  return { ok: true };
}

/** Signs out every other session of the user; returns how many ended. */
export async function revokeOtherSessions(holder: SessionHolder, context: AuditContext): Promise<number> {
  const count = await deleteUserSessions(holder.userId, holder.id);
  if (count > 0) {
    await recordAuditEvent({
      type: 'session.revoked',
      outcome: 'success',
      actorUserId: holder.userId,
      subject: holder.userId,
      details: { reason: 'other_sessions_signed_out_by_user', count },
      context,
    });
  }
  return count;
}
