import 'server-only';
import { z } from 'zod';
import { jsonError, tooManyRequests, retryAfterText } from '../../../http/responses';
import { mfaResetSchema, userSearchFilters } from '../../user-schemas';
import {
  ADMIN_USER_ERRORS,
  disableUser,
  enableUser,
  grantAdmin,
  resetUserMfa,
  revokeAdmin,
  searchUsers,
  sendUserPasswordReset,
  signOutEverywhere,
  userAuditEvents,
  userDetail,
  userSessions,
  type AdminUserError,
} from '../../users';
import { adminDeleteUser, DELETION_ERRORS, type DeletionError } from '../../../privacy/deletion';
import { adminExportUserData, exportFileName } from '../../../privacy/export';
import { adminDeleteUserSchema, adminExportSchema } from '../../../privacy/schemas';
import { apiJson, defineOperation, pageSchema, paginationQuery, type AdminApiOperation } from '../define';

/**
 * The admin API's user operations: search and read users (users:read), and the changes an
 * administrator makes to an account (users:write). Every change is audited with the API key as
 * its actor (lib/admin/users.ts).
 */

const TAG = 'Users';

/** An answer for one of lib/admin/users.ts's errors, in the API's error shape. */
function userError(error: AdminUserError): Response {
  const { status, message } = ADMIN_USER_ERRORS[error];
  return jsonError(status, error === 'user_not_found' ? 'not_found' : error, message);
}

function deletionError(error: DeletionError): Response {
  const { status, message } = DELETION_ERRORS[error];
  return jsonError(status, error === 'user_not_found' ? 'not_found' : error, message);
}

const userIdParams = z.object({ userId: z.uuid().describe('The user’s id (a UUID).') });

const dateTime = z.iso.datetime();

const userSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  isAdmin: z.boolean(),
  status: z.enum(['active', 'disabled']),
  disabledAt: dateTime.nullable(),
  emailVerified: z.boolean(),
  emailVerifiedAt: dateTime.nullable(),
  createdAt: dateTime,
  updatedAt: dateTime,
});

const userListItemSchema = userSchema.extend({ mfa: z.boolean().describe('Whether the user has an authenticator app or a passkey.') });

const mfaSchema = z.object({
  totp: z.object({ status: z.enum(['none', 'pending', 'confirmed']), since: dateTime.nullable() }),
  passkeys: z.array(
    z.object({ id: z.uuid(), nickname: z.string(), createdAt: dateTime, lastUsedAt: dateTime.nullable(), deviceType: z.enum(['synced', 'device-bound']) }),
  ),
  recoveryCodesRemaining: z.number().int(),
  rememberedBrowsers: z.number().int(),
  required: z.boolean().describe('Whether the user must keep a second factor (MFA required, or an administrator).'),
});

const consentSchema = z.object({ clientId: z.string(), name: z.string(), scopes: z.array(z.string()), grantedAt: dateTime, updatedAt: dateTime });

const userDetailSchema = z.object({ user: userSchema, mfa: mfaSchema, consents: z.array(consentSchema) });

const sessionSchema = z.object({
  id: z.uuid(),
  browser: z.string(),
  os: z.string(),
  ip: z.string().nullable(),
  createdAt: dateTime,
  lastSeenAt: dateTime,
  methods: z.string().describe('The authentication methods in words.'),
  amr: z.array(z.string()).describe('RFC 8176 authentication method references.'),
});

const auditEventSchema = z.object({
  seq: z.string().describe('The event’s position in the audit chain.'),
  createdAt: dateTime,
  type: z.string(),
  outcome: z.string(),
  actor: z
    .union([
      z.object({ kind: z.literal('user'), id: z.uuid(), email: z.string().nullable() }),
      z.object({ kind: z.literal('api_key'), id: z.uuid(), name: z.string().nullable(), prefix: z.string().nullable() }),
    ])
    .nullable(),
  subject: z.string().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  requestId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});

const accessEndedSchema = z.object({ sessionsEnded: z.number().int(), grantsRevoked: z.number().int(), trustedDevicesForgotten: z.number().int() });

const changeSchema = z.object({ user: userSchema, changed: z.boolean().describe('False when the user already was in that state (nothing was recorded).') });

const NOT_FOUND = { 404: 'No user has this id.' } as const;
const BAD_CURSOR = { 400: 'The query is not valid, or the cursor is not one this list gave out.' } as const;

export const listUsers = defineOperation({
  method: 'GET',
  path: '/users',
  operationId: 'listUsers',
  summary: 'Search users',
  description: 'Users whose email or name contains `q` (any case), newest first, optionally only active or disabled ones, only administrators or only others.',
  tag: TAG,
  scope: 'users:read',
  query: z.object({ ...userSearchFilters, ...paginationQuery }),
  success: { status: 200, description: 'A page of users.', schema: pageSchema(userListItemSchema) },
  errors: BAD_CURSOR,
  async handle({ query, actor }) {
    const result = await searchUsers(actor, query);
    return result.ok ? apiJson(result.page) : userError(result.error);
  },
});

export const getUser = defineOperation({
  method: 'GET',
  path: '/users/{userId}',
  operationId: 'getUser',
  summary: 'Read a user',
  description: 'The profile, second factors (never their secrets) and connected apps of a user.',
  tag: TAG,
  scope: 'users:read',
  params: userIdParams,
  success: { status: 200, description: 'The user.', schema: userDetailSchema },
  errors: NOT_FOUND,
  async handle({ params, actor }) {
    const result = await userDetail(actor, params.userId);
    return result.ok ? apiJson(result.detail) : userError(result.error);
  },
});

export const listUserSessions = defineOperation({
  method: 'GET',
  path: '/users/{userId}/sessions',
  operationId: 'listUserSessions',
  summary: 'List a user’s sessions',
  description: 'Every live browser session of the user, newest sign-in first.',
  tag: TAG,
  scope: 'users:read',
  params: userIdParams,
  success: { status: 200, description: 'The sessions.', schema: z.object({ items: z.array(sessionSchema) }) },
  errors: NOT_FOUND,
  async handle({ params, actor }) {
    const result = await userSessions(actor, params.userId);
    return result.ok ? apiJson({ items: result.sessions }) : userError(result.error);
  },
});

export const listUserAuditEvents = defineOperation({
  method: 'GET',
  path: '/users/{userId}/audit-events',
  operationId: 'listUserAuditEvents',
  summary: 'List a user’s audit events',
  description: 'Events the user made and events about the user (their id as subject), newest first.',
  tag: TAG,
  scope: 'users:read',
  params: userIdParams,
  query: z.object(paginationQuery),
  success: { status: 200, description: 'A page of audit events.', schema: pageSchema(auditEventSchema) },
  errors: { ...NOT_FOUND, ...BAD_CURSOR },
  async handle({ params, query, actor }) {
    const result = await userAuditEvents(actor, params.userId, query);
    return result.ok ? apiJson(result.page) : userError(result.error);
  },
});

export const disableUserOperation = defineOperation({
  method: 'POST',
  path: '/users/{userId}/disable',
  operationId: 'disableUser',
  summary: 'Disable a user',
  description:
    'The user can no longer sign in; every session ends and every grant is revoked (refresh tokens are refused, access tokens introspect as inactive). The last enabled administrator cannot be disabled.',
  tag: TAG,
  scope: 'users:write',
  params: userIdParams,
  success: { status: 200, description: 'The user, disabled.', schema: changeSchema.extend({ ended: accessEndedSchema.nullable() }) },
  errors: { ...NOT_FOUND, 409: 'The last enabled administrator cannot be disabled.' },
  async handle({ params, actor }) {
    const result = await disableUser(actor, params.userId);
    return result.ok ? apiJson({ user: result.user, changed: result.changed, ended: result.ended }) : userError(result.error);
  },
});

export const enableUserOperation = defineOperation({
  method: 'POST',
  path: '/users/{userId}/enable',
  operationId: 'enableUser',
  summary: 'Enable a user',
  description: 'The user can sign in again. Sessions and grants ended by disabling stay ended.',
  tag: TAG,
  scope: 'users:write',
  params: userIdParams,
  success: { status: 200, description: 'The user, enabled.', schema: changeSchema },
  errors: NOT_FOUND,
  async handle({ params, actor }) {
    const result = await enableUser(actor, params.userId);
    return result.ok ? apiJson({ user: result.user, changed: result.changed }) : userError(result.error);
  },
});

export const signOutUser = defineOperation({
  method: 'POST',
  path: '/users/{userId}/sign-out',
  operationId: 'signOutUser',
  summary: 'Sign a user out everywhere',
  description: 'Ends every session, revokes every grant (apps must sign in again) and forgets every remembered browser.',
  tag: TAG,
  scope: 'users:write',
  params: userIdParams,
  success: { status: 200, description: 'What was ended.', schema: accessEndedSchema },
  errors: NOT_FOUND,
  async handle({ params, actor }) {
    const result = await signOutEverywhere(actor, params.userId);
    return result.ok ? apiJson(result.ended) : userError(result.error);
  },
});

export const resetUserMfaOperation = defineOperation({
  method: 'POST',
  path: '/users/{userId}/mfa-reset',
  operationId: 'resetUserMfa',
  summary: 'Reset a user’s MFA',
  description:
    'Removes the authenticator app, every passkey, the recovery codes and the remembered browsers, and ends every session. The reason is recorded in the audit log. If MFA is required, the user enrolls again at their next sign-in.',
  tag: TAG,
  scope: 'users:write',
  params: userIdParams,
  body: mfaResetSchema,
  success: {
    status: 200,
    description: 'What was removed.',
    schema: z.object({
      totpRemoved: z.boolean(),
      passkeysRemoved: z.number().int(),
      recoveryCodesRemoved: z.number().int(),
      trustedDevicesForgotten: z.number().int(),
      sessionsEnded: z.number().int(),
    }),
  },
  errors: NOT_FOUND,
  async handle({ params, body, actor }) {
    const result = await resetUserMfa(actor, params.userId, body);
    if (result.ok) return apiJson(result.removed);
    if (result.error === 'invalid_request') return jsonError(400, 'invalid_request', 'Some fields need attention.', result.fieldErrors);
    return userError(result.error);
  },
});

export const grantAdminOperation = defineOperation({
  method: 'POST',
  path: '/users/{userId}/admin',
  operationId: 'grantAdmin',
  summary: 'Make a user an administrator',
  description: 'The user can then use the admin console once they sign in with a second factor.',
  tag: TAG,
  scope: 'users:write',
  params: userIdParams,
  success: { status: 200, description: 'The user, now an administrator.', schema: changeSchema },
  errors: NOT_FOUND,
  async handle({ params, actor }) {
    const result = await grantAdmin(actor, params.userId);
    return result.ok ? apiJson({ user: result.user, changed: result.changed }) : userError(result.error);
  },
});

export const revokeAdminOperation = defineOperation({
  method: 'DELETE',
  path: '/users/{userId}/admin',
  operationId: 'revokeAdmin',
  summary: 'Remove a user’s admin role',
  description: 'The console refuses the user from their next request. The last enabled administrator keeps the role.',
  tag: TAG,
  scope: 'users:write',
  params: userIdParams,
  success: { status: 200, description: 'The user, no longer an administrator.', schema: changeSchema },
  errors: { ...NOT_FOUND, 409: 'The last enabled administrator keeps the role.' },
  async handle({ params, actor }) {
    const result = await revokeAdmin(actor, params.userId);
    return result.ok ? apiJson({ user: result.user, changed: result.changed }) : userError(result.error);
  },
});

export const sendPasswordResetOperation = defineOperation({
  method: 'POST',
  path: '/users/{userId}/password-reset',
  operationId: 'sendPasswordReset',
  summary: 'Email a user a password-reset link',
  description: 'The link the "Forgot password" page sends: it works once, for 30 minutes. Limited per address like that page.',
  tag: TAG,
  scope: 'users:write',
  params: userIdParams,
  success: { status: 200, description: 'The email is on its way.', schema: z.object({ sent: z.literal(true) }) },
  errors: { ...NOT_FOUND, 409: 'The account is disabled: enable it first.' },
  async handle({ params, actor }) {
    const result = await sendUserPasswordReset(actor, params.userId);
    if (result.ok) return apiJson({ sent: true });
    if (result.error === 'rate_limited') {
      return tooManyRequests(result.retryAfterSeconds, `Too many password-reset emails were sent to this address. Try again in ${retryAfterText(result.retryAfterSeconds)}.`);
    }
    return userError(result.error);
  },
});

export const exportUserOperation = defineOperation({
  method: 'GET',
  path: '/users/{userId}/export',
  operationId: 'exportUser',
  summary: 'Export a user’s data',
  description:
    'Everything Optare holds about the user (profile, sessions, remembered browsers, factor metadata, consents, connected apps, pending email links, their audit events), as the JSON document the user downloads from their account page, never a secret. The reason is required and recorded in the audit log (`user.exported`).',
  tag: TAG,
  scope: 'users:read',
  params: userIdParams,
  query: adminExportSchema,
  success: { status: 200, description: 'The user’s data, as an attachment.', schema: z.object({ format: z.literal('optare-user-export'), version: z.number().int() }).loose() },
  errors: { ...NOT_FOUND, 400: 'The reason is missing, too short or too long.' },
  async handle({ params, query, actor }) {
    const now = new Date();
    const data = await adminExportUserData(actor, params.userId, query.reason, now);
    if (!data) return userError('user_not_found');
    return new Response(JSON.stringify(data), {
      headers: { 'content-type': 'application/json', 'content-disposition': `attachment; filename="${exportFileName(now)}"`, 'cache-control': 'no-store' },
    });
  },
});

export const deleteUserOperation = defineOperation({
  method: 'DELETE',
  path: '/users/{userId}',
  operationId: 'deleteUser',
  summary: 'Delete a user',
  description:
    'Deletes the account for good: every session, grant (refresh and access tokens), consent, factor, remembered browser and email link goes with it, and the user’s audit events are pseudonymised (the chain still verifies). Recorded as `user.deleted` with the reason and the pseudonym. The last enabled administrator cannot be deleted.',
  tag: TAG,
  scope: 'users:write',
  params: userIdParams,
  body: adminDeleteUserSchema,
  success: {
    status: 200,
    description: 'The account is gone.',
    schema: z.object({
      deleted: z.literal(true),
      pseudonym: z.uuid().describe('What the user’s audit events now carry instead of their id.'),
      eventsPseudonymised: z.number().int(),
    }),
  },
  errors: { ...NOT_FOUND, 409: 'The last enabled administrator cannot be deleted.' },
  async handle({ params, body, actor }) {
    const result = await adminDeleteUser(actor, params.userId, body);
    if (result.ok) return apiJson({ deleted: true, pseudonym: result.pseudonym, eventsPseudonymised: result.eventsPseudonymised });
    if (result.error === 'invalid_request') return jsonError(400, 'invalid_request', 'Some fields need attention.', result.fieldErrors);
    return deletionError(result.error);
  },
});

/** The admin API's users operations. */
export const usersOperations: AdminApiOperation[] = [
  listUsers,
  getUser,
  listUserSessions,
  listUserAuditEvents,
  disableUserOperation,
  enableUserOperation,
  signOutUser,
  resetUserMfaOperation,
  grantAdminOperation,
  revokeAdminOperation,
  sendPasswordResetOperation,
  exportUserOperation,
  deleteUserOperation,
];
