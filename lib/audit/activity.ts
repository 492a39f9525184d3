import 'server-only';
import { readUserAuditEvents } from '../db/audit';
import { describeUserAgent } from '../auth/user-agent';
import { methodsInWords } from '../auth/methods-in-words';

/**
 * The account's "Security activity": the user's own audit events (actor_user_id), newest first,
 * in plain words, one page at a time with a seq cursor. Only ever the caller's own events: the
 * user id comes from their session, the cursor only moves within that user's events.
 */

export const ACTIVITY_PAGE_SIZE = 20;

export interface ActivityItem {
  seq: string;
  at: Date;
  title: string;
  detail: string | null;
  failed: boolean;
  ip: string | null;
  device: string | null;
}

export interface ActivityPage {
  items: ActivityItem[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/** A cursor is a positive seq in decimal; anything else starts from the newest event. */
export function parseActivityCursor(value: unknown): bigint | null {
  if (typeof value !== 'string' || !/^[1-9][0-9]{0,18}$/.test(value)) return null;
  const seq = BigInt(value);
  return seq <= 9_223_372_036_854_775_807n ? seq : null;
}

export async function securityActivity(userId: string, cursor: unknown, limit = ACTIVITY_PAGE_SIZE): Promise<ActivityPage> {
  const rows = await readUserAuditEvents(userId, parseActivityCursor(cursor), limit + 1);
  const page = rows.slice(0, limit);
  return {
    items: page.map((row) => {
      const details = row.details && typeof row.details === 'object' && !Array.isArray(row.details) ? (row.details as Record<string, unknown>) : {};
      const words = describeEvent(row.type, row.outcome === 'failure', details);
      const agent = row.userAgent ? describeUserAgent(row.userAgent) : null;
      return {
        seq: row.seq.toString(),
        at: row.createdAt,
        title: words.title,
        detail: words.detail ?? null,
        failed: row.outcome === 'failure',
        ip: row.ip,
        device: agent && (agent.browser !== 'Unknown' || agent.os !== 'Unknown') ? `${agent.browser} on ${agent.os}` : null,
      };
    }),
    nextCursor: rows.length > limit ? (page.at(-1)?.seq.toString() ?? null) : null,
  };
}

const REASONS: Record<string, string> = {
  wrong_password: 'wrong password',
  account_disabled: 'the account is disabled',
  idle_timeout: 'no activity for too long',
  absolute_timeout: 'it reached its maximum age',
  user_disabled: 'the account was disabled',
  signed_out_by_user: 'you signed it out from the sessions page',
  other_sessions_signed_out_by_user: 'you signed out all other sessions',
  password_changed: 'your password changed',
  revoked_by_user: 'you disconnected the app',
  consent_narrowed: 'you removed permissions from the app',
  refresh_token_reused: 'an old refresh token was used again',
  authorization_code_reused: 'an authorization code was used twice',
  revoked_by_client: 'the app signed out',
  revoked_by_admin: 'an administrator revoked it',
};

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;
}

function reasonOf(details: Record<string, unknown>): string | null {
  const reason = text(details.reason);
  return reason ? (REASONS[reason] ?? reason.replaceAll('_', ' ')) : null;
}

function methodOf(details: Record<string, unknown>): string | null {
  const method = text(details.method);
  return method ? methodsInWords([method === 'totp' || method === 'recovery_code' ? 'otp' : method === 'passkey' ? 'hwk' : method]).toLowerCase() : null;
}

/** One event in words: a title, and what matters about it. */
export function describeEvent(type: string, failed: boolean, details: Record<string, unknown>): { title: string; detail?: string | null } {
  const reason = reasonOf(details);
  const method = methodOf(details);
  switch (type) {
    case 'auth.sign_in':
      return failed
        ? { title: 'Failed sign-in attempt', detail: reason ? `Reason: ${reason}.` : null }
        : { title: 'Signed in', detail: method ? `With your ${method}.` : null };
    case 'auth.sign_out':
      return { title: 'Signed out' };
    case 'auth.factor_verified':
      return failed
        ? { title: 'Wrong second step', detail: method ? `A ${method} was refused.` : null }
        : { title: 'Second step passed', detail: method ? `With a ${method}.` : null };
    case 'auth.pending_login_locked':
      return { title: 'Sign-in stopped after too many wrong codes' };
    case 'auth.step_up':
      return { title: 'Confirmed it was you with another factor' };
    case 'session.expired':
      return { title: 'Session expired', detail: reason ? `Because ${reason}.` : null };
    case 'session.revoked': {
      const count = text(details.count);
      return { title: count ? `Signed out ${count} ${count === '1' ? 'session' : 'sessions'}` : 'Signed out a session', detail: reason ? `Because ${reason}.` : null };
    }
    case 'user.created':
      return { title: 'Account created' };
    case 'user.disabled':
      return { title: 'Account disabled' };
    case 'user.enabled':
      return { title: 'Account enabled' };
    case 'user.profile_updated':
      return { title: 'Name changed' };
    case 'user.exported':
      return { title: 'Your data was downloaded' };
    case 'user.password_changed': {
      if (failed) return { title: 'Password change refused', detail: reason ? `Reason: ${reason}.` : null };
      const ended = text(details.sessionsEnded) ?? '0';
      return { title: 'Password changed', detail: `${ended} other ${ended === '1' ? 'session was' : 'sessions were'} signed out, and apps must sign in again.` };
    }
    case 'consent.granted':
      return { title: 'Allowed an app to access your account', detail: text(details.client) };
    case 'consent.denied':
      return { title: 'Refused an app access to your account' };
    case 'consent.revoked':
      return { title: 'Disconnected an app' };
    case 'consent.narrowed':
      return { title: 'Removed permissions from an app' };
    case 'grant.revoked':
      return { title: 'App access revoked', detail: reason ? `Because ${reason}.` : null };
    case 'token.refresh_reused':
    case 'token.code_reused':
      return { title: 'An app’s old token was used again; its access was revoked' };
    case 'mfa.totp_enrolled':
      return { title: 'Authenticator app added' };
    case 'mfa.totp_removed':
      return { title: 'Authenticator app removed' };
    case 'mfa.passkey_registered':
      return { title: 'Passkey added' };
    case 'mfa.passkey_renamed':
      return { title: 'Passkey renamed' };
    case 'mfa.passkey_removed':
      return { title: 'Passkey removed' };
    case 'mfa.recovery_codes_generated':
      return { title: 'New recovery codes generated' };
    case 'mfa.recovery_codes_removed':
      return { title: 'Recovery codes removed' };
    case 'mfa.recovery_code_used':
      return { title: 'Recovery code used' };
    case 'mfa.trusted_device_added':
      return { title: 'Browser remembered for the second step' };
    case 'mfa.trusted_device_removed':
      return { title: 'Remembered browser forgotten', detail: reason ? `Because ${reason}.` : null };
    case 'security.rate_limited':
      return { title: 'Too many attempts: further tries were blocked for a while' };
    default:
      return { title: type.replaceAll('_', ' ').replace('.', ': ') };
  }
}
