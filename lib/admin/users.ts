import 'server-only';
import { recordAuditEvent } from '../audit/record';
import { listUserSessions } from '../db/sessions';
import { db } from '../db/client';
import {
  countUserTrustedDevices,
  deleteUserCeremonies,
  deleteUserPasskeys,
  deleteUserPendingLogins,
  findAdminUser,
  findApiKeyLabels,
  findUserEmails,
  findUserTotpState,
  lockAdminUser,
  lockEnabledAdminIds,
  readUserRelatedAuditEvents,
  searchUserRows,
  setAdminUserDisabledAt,
  setUserIsAdmin,
  type AdminUserRow,
} from '../db/admin-users';
import { deleteUnusedEmailTokens } from '../db/email-tokens';
import { revokeUserGrantRows } from '../db/grants';
import { deleteRecoveryCodes } from '../db/recovery-codes';
import { deleteUserSessions } from '../db/sessions';
import { deleteTotpFactor } from '../db/totp-factors';
import { deleteUserTrustedDevices } from '../db/trusted-devices';
import type { DbClient } from '../db/users';
import { methodsInWords } from '../auth/methods-in-words';
import { secondFactorRequired } from '../auth/mfa-enrollment';
import { sendPasswordResetLink } from '../auth/password-reset';
import { remainingRecoveryCodes } from '../auth/recovery-codes';
import { describeUserAgent } from '../auth/user-agent';
import { listPasskeys } from '../auth/webauthn';
import { connectedAppsOf } from '../oauth/connected-apps';
import { fieldErrorsOf, type FieldErrors } from '../validation/account';
import { auditActor, type AdminActor } from './actor';
import { fieldChanges } from './changes';
import { mfaResetSchema, USER_PAGE_SIZE, type UserSearchFilters } from './user-schemas';

/**
 * User management on the admin plane (the console and the admin API): search, a user's whole
 * picture, and the changes an administrator makes. Every change takes the AdminActor who makes
 * it and is one transaction with its audit event (actor, request context, and the before and
 * after values), so either both are written or neither is.
 *
 * Rules:
 * - An administrator cannot disable themselves or take away their own admin role (409).
 * - The last enabled administrator can be neither disabled nor demoted (409): Optare always
 *   keeps someone who can run it. The enabled administrators are counted with their rows
 *   locked, so two such changes racing cannot both pass the check.
 * - Disabling, signing out everywhere and resetting MFA end every session of the user at once
 *   (their next request finds none) and the sign-ins waiting for a second factor. Disabling and
 *   signing out everywhere also revoke every grant: refresh tokens stop working at once, access
 *   tokens through their grant (`gid`: introspection answers inactive, userinfo refuses them).
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A user id as the admin plane accepts it: a UUID, lower-cased; anything else names no user. */
export function parseUserId(value: unknown): string | null {
  return typeof value === 'string' && UUID.test(value) ? value.toLowerCase() : null;
}

// ---------------------------------------------------------------------------------------------
// Errors

export type AdminUserError =
  | 'user_not_found'
  | 'invalid_cursor'
  | 'cannot_disable_self'
  | 'cannot_revoke_own_admin'
  | 'last_admin'
  | 'user_disabled'
  | 'rate_limited';

/** Each error's HTTP status and the message a person can act on (the console and the API share them). */
export const ADMIN_USER_ERRORS: Record<AdminUserError, { status: 400 | 404 | 409 | 429; message: string }> = {
  user_not_found: { status: 404, message: 'No user has this id.' },
  invalid_cursor: { status: 400, message: 'The cursor is not one this list gave out. Start again from the first page.' },
  cannot_disable_self: { status: 409, message: 'You cannot disable your own account. Ask another administrator.' },
  cannot_revoke_own_admin: { status: 409, message: 'You cannot remove your own admin role. Ask another administrator.' },
  last_admin: { status: 409, message: 'This is the last enabled administrator. Make someone else an administrator first.' },
  user_disabled: { status: 409, message: 'This account is disabled: enable it first.' },
  rate_limited: { status: 429, message: 'Too many password-reset emails were sent to this address. Try again later.' },
};

export type Failure<E extends AdminUserError> = { ok: false; error: E };

// ---------------------------------------------------------------------------------------------
// What the admin plane shows of a user

export interface AdminUserProfile {
  id: string;
  email: string;
  name: string;
  isAdmin: boolean;
  status: 'active' | 'disabled';
  disabledAt: Date | null;
  emailVerified: boolean;
  emailVerifiedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface AdminUserListItem extends AdminUserProfile {
  /** Whether the user has a second factor (a confirmed authenticator app or a passkey). */
  mfa: boolean;
}

function profileOf(row: AdminUserRow): AdminUserProfile {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    isAdmin: row.isAdmin,
    status: row.disabledAt ? 'disabled' : 'active',
    disabledAt: row.disabledAt,
    emailVerified: row.emailVerifiedAt !== null,
    emailVerifiedAt: row.emailVerifiedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

// ---------------------------------------------------------------------------------------------
// Search

function encodeUserCursor(row: { createdAt: Date; id: string }): string {
  return Buffer.from(`${row.createdAt.getTime()}.${row.id}`).toString('base64url');
}

function decodeUserCursor(cursor: string): { createdAt: Date; id: string } | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return null;
  const match = /^(\d{1,15})\.([0-9a-f-]{36})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match || !UUID.test(match[2]!)) return null;
  const createdAt = new Date(Number(match[1]));
  return Number.isNaN(createdAt.getTime()) ? null : { createdAt, id: match[2]! };
}

export interface UserSearch {
  q?: UserSearchFilters['q'];
  status?: UserSearchFilters['status'];
  admin?: UserSearchFilters['admin'];
  cursor?: string | undefined;
  limit?: number | undefined;
}

/**
 * Users whose email or name contains the text (any case), newest first, filtered by status and
 * admin role, one page at a time. The cursor is opaque; one this list did not give is refused.
 */
export async function searchUsers(_actor: AdminActor, search: UserSearch): Promise<{ ok: true; page: Page<AdminUserListItem> } | Failure<'invalid_cursor'>> {
  const limit = search.limit ?? USER_PAGE_SIZE;
  const after = search.cursor ? decodeUserCursor(search.cursor) : undefined;
  if (after === null) return { ok: false, error: 'invalid_cursor' };
  const rows = await searchUserRows({
    text: search.q,
    disabled: search.status === undefined ? undefined : search.status === 'disabled',
    isAdmin: search.admin,
    after,
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    ok: true,
    page: {
      items: page.map((row) => ({ ...profileOf(row), mfa: Boolean(row.totpFactor?.confirmedAt) || row._count.webauthnCredentials > 0 })),
      nextCursor: rows.length > limit && last ? encodeUserCursor(last) : null,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Detail

export interface AdminUserSession {
  id: string;
  browser: string;
  os: string;
  ip: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  /** The authentication methods in words ("Password and one-time code (two-step)"). */
  methods: string;
  /** RFC 8176 values. */
  amr: string[];
}

export interface AdminUserMfa {
  totp: { status: 'none' | 'pending' | 'confirmed'; since: Date | null };
  passkeys: { id: string; nickname: string; createdAt: Date; lastUsedAt: Date | null; deviceType: 'synced' | 'device-bound' }[];
  recoveryCodesRemaining: number;
  rememberedBrowsers: number;
  /** Whether the user must keep a second factor (OPTARE_MFA_REQUIRED, or an administrator). */
  required: boolean;
}

export interface AdminUserConsent {
  clientId: string;
  name: string;
  scopes: string[];
  grantedAt: Date;
  updatedAt: Date;
}

export interface AdminUserDetail {
  user: AdminUserProfile;
  mfa: AdminUserMfa;
  consents: AdminUserConsent[];
}

/** A user's profile, second factors and connected apps. */
export async function userDetail(_actor: AdminActor, userId: unknown, now = new Date()): Promise<{ ok: true; detail: AdminUserDetail } | Failure<'user_not_found'>> {
  const id = parseUserId(userId);
  const row = id ? await findAdminUser(id) : null;
  if (!id || !row) return { ok: false, error: 'user_not_found' };
  const [totp, passkeys, recoveryCodesRemaining, rememberedBrowsers, apps] = await Promise.all([
    findUserTotpState(id),
    listPasskeys(id),
    remainingRecoveryCodes(id),
    countUserTrustedDevices(id, now),
    connectedAppsOf(id),
  ]);
  return {
    ok: true,
    detail: {
      user: profileOf(row),
      mfa: {
        totp: totp ? { status: totp.confirmedAt ? 'confirmed' : 'pending', since: totp.confirmedAt ?? totp.createdAt } : { status: 'none', since: null },
        passkeys: passkeys.map(({ id: passkeyId, nickname, createdAt, lastUsedAt, deviceType }) => ({ id: passkeyId, nickname, createdAt, lastUsedAt, deviceType })),
        recoveryCodesRemaining,
        rememberedBrowsers,
        required: await secondFactorRequired(row),
      },
      consents: apps.map((app) => ({
        clientId: app.clientId,
        name: app.name,
        scopes: app.scopes.map((scope) => scope.scope),
        grantedAt: app.grantedAt,
        updatedAt: app.updatedAt,
      })),
    },
  };
}

/** The user's live sessions, newest sign-in first, with the browser and OS in words. */
export async function userSessions(_actor: AdminActor, userId: unknown, now = new Date()): Promise<{ ok: true; sessions: AdminUserSession[] } | Failure<'user_not_found'>> {
  const id = parseUserId(userId);
  if (!id || !(await findAdminUser(id))) return { ok: false, error: 'user_not_found' };
  const rows = await listUserSessions(id, now);
  return {
    ok: true,
    sessions: rows.map((row) => ({
      id: row.id,
      ...describeUserAgent(row.userAgent),
      ip: row.ip,
      createdAt: row.createdAt,
      lastSeenAt: row.lastSeenAt,
      methods: methodsInWords(row.amr),
      amr: row.amr,
    })),
  };
}

export type AuditEventActor =
  | { kind: 'user'; id: string; email: string | null }
  | { kind: 'api_key'; id: string; name: string | null; prefix: string | null }
  | null;

export interface AdminUserAuditEvent {
  seq: string;
  createdAt: Date;
  type: string;
  outcome: string;
  actor: AuditEventActor;
  subject: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
}

export const AUDIT_PAGE_SIZE = 20;

function encodeSeqCursor(seq: bigint): string {
  return Buffer.from(seq.toString()).toString('base64url');
}

function decodeSeqCursor(cursor: string): bigint | null {
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(cursor)) return null;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[1-9][0-9]{0,18}$/.test(text)) return null;
  const seq = BigInt(text);
  return seq <= 9_223_372_036_854_775_807n ? seq : null;
}

/**
 * The audit events about a user, newest first: what they did (actor) and what was done to their
 * account (subject), with the actors named (an email, or an API key's name and prefix).
 */
export async function userAuditEvents(
  _actor: AdminActor,
  userId: unknown,
  page: { cursor?: string | undefined; limit?: number | undefined } = {},
): Promise<{ ok: true; page: Page<AdminUserAuditEvent> } | Failure<'user_not_found' | 'invalid_cursor'>> {
  const id = parseUserId(userId);
  if (!id || !(await findAdminUser(id))) return { ok: false, error: 'user_not_found' };
  const limit = page.limit ?? AUDIT_PAGE_SIZE;
  const before = page.cursor ? decodeSeqCursor(page.cursor) : null;
  if (page.cursor && before === null) return { ok: false, error: 'invalid_cursor' };
  const rows = await readUserRelatedAuditEvents(id, before, limit + 1);
  const events = rows.slice(0, limit);
  const userIds = [...new Set(events.flatMap((event) => (event.actorUserId ? [event.actorUserId] : [])))];
  const keyIds = [...new Set(events.flatMap((event) => (event.actorApiKeyId ? [event.actorApiKeyId] : [])))];
  const [emails, keys] = await Promise.all([findUserEmails(userIds), findApiKeyLabels(keyIds)]);
  const emailOf = new Map(emails.map((user) => [user.id, user.email]));
  const keyOf = new Map(keys.map((key) => [key.id, key]));
  const last = events.at(-1);
  return {
    ok: true,
    page: {
      items: events.map((event) => ({
        seq: event.seq.toString(),
        createdAt: event.createdAt,
        type: event.type,
        outcome: event.outcome,
        actor: event.actorApiKeyId
          ? { kind: 'api_key', id: event.actorApiKeyId, name: keyOf.get(event.actorApiKeyId)?.name ?? null, prefix: keyOf.get(event.actorApiKeyId)?.prefix ?? null }
          : event.actorUserId
            ? { kind: 'user', id: event.actorUserId, email: emailOf.get(event.actorUserId) ?? null }
            : null,
        subject: event.subject,
        ip: event.ip,
        userAgent: event.userAgent,
        requestId: event.requestId,
        details: event.details && typeof event.details === 'object' && !Array.isArray(event.details) ? (event.details as Record<string, unknown>) : {},
      })),
      nextCursor: rows.length > limit && last ? encodeSeqCursor(last.seq) : null,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Changes

/** A change's answer: the user as it is now, and whether anything changed (a repeat changes nothing and records nothing). */
export type UserChange<Extra = object> = { ok: true; user: AdminUserProfile; changed: boolean } & Extra;

/** What ending a user's access took away. */
export interface AccessEnded {
  sessionsEnded: number;
  grantsRevoked: number;
  trustedDevicesForgotten: number;
}

/** Ends every session, grant and remembered browser of the user, and their unfinished sign-ins. */
async function endAccess(userId: string, now: Date, tx: DbClient): Promise<AccessEnded> {
  const sessionsEnded = await deleteUserSessions(userId, undefined, tx);
  await deleteUserPendingLogins(userId, tx);
  const grantsRevoked = await revokeUserGrantRows(userId, 'revoked_by_admin', now, { client: tx });
  const trustedDevicesForgotten = await deleteUserTrustedDevices(userId, tx);
  return { sessionsEnded, grantsRevoked, trustedDevicesForgotten };
}

function isSelf(actor: AdminActor, userId: string): boolean {
  return actor.kind === 'user' && actor.userId === userId;
}

/**
 * Disables the account: it can no longer sign in, every session ends, every grant is revoked
 * (refresh and access tokens), remembered browsers and unused reset links are dropped.
 * `user.disabled` records the counts. Not yourself, not the last enabled administrator.
 */
export async function disableUser(
  actor: AdminActor,
  userId: unknown,
  now = new Date(),
): Promise<UserChange<{ ended: AccessEnded | null }> | Failure<'user_not_found' | 'cannot_disable_self' | 'last_admin'>> {
  const id = parseUserId(userId);
  if (!id) return { ok: false, error: 'user_not_found' };
  if (isSelf(actor, id)) return { ok: false, error: 'cannot_disable_self' };
  return db().$transaction(async (tx) => {
    const admins = await lockEnabledAdminIds(tx);
    const before = await lockAdminUser(id, tx);
    if (!before) return { ok: false as const, error: 'user_not_found' as const };
    if (before.disabledAt) return { ok: true as const, user: profileOf(before), changed: false, ended: null };
    if (before.isAdmin && admins.length <= 1) return { ok: false as const, error: 'last_admin' as const };
    await setAdminUserDisabledAt(id, now, tx);
    const ended = await endAccess(id, now, tx);
    await deleteUnusedEmailTokens(id, 'reset_password', tx);
    await recordAuditEvent(
      {
        type: 'user.disabled',
        outcome: 'success',
        ...auditActor(actor),
        subject: id,
        details: { changes: fieldChanges({ disabled: false }, { disabled: true }), ...ended },
      },
      tx,
    );
    const after = await findAdminUser(id, tx);
    return { ok: true as const, user: profileOf(after!), changed: true, ended };
  });
}

/** Enables a disabled account: the user can sign in again (their old sessions and grants stay ended). */
export async function enableUser(actor: AdminActor, userId: unknown): Promise<UserChange | Failure<'user_not_found'>> {
  const id = parseUserId(userId);
  if (!id) return { ok: false, error: 'user_not_found' };
  return db().$transaction(async (tx) => {
    const before = await lockAdminUser(id, tx);
    if (!before) return { ok: false as const, error: 'user_not_found' as const };
    if (!before.disabledAt) return { ok: true as const, user: profileOf(before), changed: false };
    await setAdminUserDisabledAt(id, null, tx);
    await recordAuditEvent(
      { type: 'user.enabled', outcome: 'success', ...auditActor(actor), subject: id, details: { changes: fieldChanges({ disabled: true }, { disabled: false }) } },
      tx,
    );
    return { ok: true as const, user: profileOf((await findAdminUser(id, tx))!), changed: true };
  });
}

/**
 * Signs the user out everywhere: every session, every grant (apps must sign in again) and every
 * remembered browser (the next sign-in asks for the second factor). Audited with the counts,
 * even when there was nothing to end: the administrator did act.
 */
export async function signOutEverywhere(actor: AdminActor, userId: unknown, now = new Date()): Promise<{ ok: true; ended: AccessEnded } | Failure<'user_not_found'>> {
  const id = parseUserId(userId);
  if (!id) return { ok: false, error: 'user_not_found' };
  return db().$transaction(async (tx) => {
    if (!(await lockAdminUser(id, tx))) return { ok: false as const, error: 'user_not_found' as const };
    const ended = await endAccess(id, now, tx);
    await recordAuditEvent({ type: 'user.signed_out_everywhere', outcome: 'success', ...auditActor(actor), subject: id, details: { ...ended } }, tx);
    return { ok: true as const, ended };
  });
}

export interface MfaRemoved {
  totpRemoved: boolean;
  passkeysRemoved: number;
  recoveryCodesRemoved: number;
  trustedDevicesForgotten: number;
  sessionsEnded: number;
}

export type FieldFailure = { ok: false; error: 'invalid_request'; fieldErrors: FieldErrors };

/**
 * Resets the user's two-step verification, for someone who lost their authenticator: removes
 * the authenticator app (pending or confirmed), every passkey, the recovery codes and the
 * remembered browsers, and ends every session and unfinished sign-in. The reason (3 characters or
 * more) is recorded in `user.mfa_reset` with what was removed. The user signs in with their
 * password next; if MFA is required for them, that sign-in walks them through enrolling again.
 */
export async function resetUserMfa(actor: AdminActor, userId: unknown, input: unknown): Promise<{ ok: true; removed: MfaRemoved } | Failure<'user_not_found'> | FieldFailure> {
  const id = parseUserId(userId);
  if (!id) return { ok: false, error: 'user_not_found' };
  const parsed = mfaResetSchema.safeParse(input);
  if (!parsed.success) return { ok: false, error: 'invalid_request', fieldErrors: fieldErrorsOf(parsed.error) };
  const { reason } = parsed.data;
  return db().$transaction(async (tx) => {
    if (!(await lockAdminUser(id, tx))) return { ok: false as const, error: 'user_not_found' as const };
    const totp = await deleteTotpFactor(id, tx);
    const passkeys = await deleteUserPasskeys(id, tx);
    await deleteUserCeremonies(id, tx);
    const recoveryCodesRemoved = await deleteRecoveryCodes(id, tx);
    const trustedDevicesForgotten = await deleteUserTrustedDevices(id, tx);
    const sessionsEnded = await deleteUserSessions(id, undefined, tx);
    await deleteUserPendingLogins(id, tx);
    const removed: MfaRemoved = {
      totpRemoved: Boolean(totp?.confirmedAt),
      passkeysRemoved: passkeys.length,
      recoveryCodesRemoved,
      trustedDevicesForgotten,
      sessionsEnded,
    };
    await recordAuditEvent(
      {
        type: 'user.mfa_reset',
        outcome: 'success',
        ...auditActor(actor),
        subject: id,
        // "recovery codes" would read as a secret to the audit log's key check: the count is `recoveryRemoved`.
        details: {
          reason,
          totpRemoved: removed.totpRemoved,
          passkeysRemoved: removed.passkeysRemoved,
          passkeys,
          recoveryRemoved: removed.recoveryCodesRemoved,
          trustedDevicesForgotten,
          sessionsEnded,
        },
      },
      tx,
    );
    return { ok: true as const, removed };
  });
}

/** Makes the user an administrator (they still need a second factor to use the console). */
export async function grantAdmin(actor: AdminActor, userId: unknown): Promise<UserChange | Failure<'user_not_found'>> {
  const id = parseUserId(userId);
  if (!id) return { ok: false, error: 'user_not_found' };
  return db().$transaction(async (tx) => {
    const before = await lockAdminUser(id, tx);
    if (!before) return { ok: false as const, error: 'user_not_found' as const };
    if (before.isAdmin) return { ok: true as const, user: profileOf(before), changed: false };
    await setUserIsAdmin(id, true, tx);
    await recordAuditEvent(
      { type: 'user.admin_granted', outcome: 'success', ...auditActor(actor), subject: id, details: { changes: fieldChanges({ isAdmin: false }, { isAdmin: true }) } },
      tx,
    );
    return { ok: true as const, user: profileOf((await findAdminUser(id, tx))!), changed: true };
  });
}

/**
 * Takes the admin role away: the console refuses the user at their next click. Not your own,
 * and not the last enabled administrator's.
 */
export async function revokeAdmin(actor: AdminActor, userId: unknown): Promise<UserChange | Failure<'user_not_found' | 'cannot_revoke_own_admin' | 'last_admin'>> {
  const id = parseUserId(userId);
  if (!id) return { ok: false, error: 'user_not_found' };
  if (isSelf(actor, id)) return { ok: false, error: 'cannot_revoke_own_admin' };
  return db().$transaction(async (tx) => {
    const admins = await lockEnabledAdminIds(tx);
    const before = await lockAdminUser(id, tx);
    if (!before) return { ok: false as const, error: 'user_not_found' as const };
    if (!before.isAdmin) return { ok: true as const, user: profileOf(before), changed: false };
    if (admins.includes(id) && admins.length <= 1) return { ok: false as const, error: 'last_admin' as const };
    await setUserIsAdmin(id, false, tx);
    await recordAuditEvent(
      { type: 'user.admin_revoked', outcome: 'success', ...auditActor(actor), subject: id, details: { changes: fieldChanges({ isAdmin: true }, { isAdmin: false }) } },
      tx,
    );
    return { ok: true as const, user: profileOf((await findAdminUser(id, tx))!), changed: true };
  });
}

/**
 * Emails the user a password-reset link (the one the "Forgot password" page sends; it works once,
 * for 30 minutes). Audited as `user.password_reset_requested` with the administrator as actor.
 * Refused for a disabled account (the link would not work) and past the per-address email limit.
 */
export async function sendUserPasswordReset(actor: AdminActor, userId: unknown, now = new Date()): Promise<{ ok: true } | Failure<'user_not_found' | 'user_disabled'> | { ok: false; error: 'rate_limited'; retryAfterSeconds: number }> {
  const id = parseUserId(userId);
  const user = id ? await findAdminUser(id) : null;
  if (!user) return { ok: false, error: 'user_not_found' };
  if (user.disabledAt) return { ok: false, error: 'user_disabled' };
  const sent = await sendPasswordResetLink(user, auditActor(actor), now);
  return sent;
}
