import 'server-only';
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import { recordAuditEvent } from '../audit/record';
import type { AuditContext } from '../audit/events';
import { cachedRuntimeSettings, runtimeSettings } from '../settings/runtime';
import { db } from '../db/client';
import { deleteRecoveryCodes } from '../db/recovery-codes';
import { notifySecurityEvent } from '../notifications/security-events';
import { authenticationFreshness } from './reauthentication';
import { describeUserAgent } from './user-agent';
import { generateRecoveryCodes, remainingRecoveryCodes } from './recovery-codes';
import { hasSecondFactor, secondFactorsOf } from './second-factors';
import { confirmTotpEnrollment, hasConfirmedTotp, removeTotp, startTotpEnrollment } from './totp';
import { forgetTrustedDevices, removeTrustedDevice, trustedDevicesOf } from './trusted-devices';
import {
  countPasskeys,
  deletePasskey,
  listPasskeys,
  registrationOptions,
  renamePasskey,
  verifyRegistration,
  type PasskeySummary,
  type RegistrationFailure,
} from './webauthn';

/**
 * The policy around a user's own second factors, for the account pages and their route handlers
 * (which stay thin: they find the session, call one of these, and map the result).
 *
 * - Sensitive changes need a full, fresh authentication (lib/auth/reauthentication.ts
 *   authenticationFreshness, ASVS 7.5.1): the session's last sign-in (auth_time) within
 *   FRESH_AUTHENTICATION_SECONDS and, for a user who has a second factor, with it (a remembered
 *   browser's password-only sign-in is not enough). A user without one yet adds their first
 *   after a fresh password sign-in (the forced enrolment of app/sign-in/enroll). That covers
 *   every change that adds or removes a way in: removing the authenticator app, deleting a
 *   passkey, regenerating recovery codes, and also adding an authenticator app or a passkey (a
 *   passkey signs in on its own, so a stolen session must not be able to plant one). Renaming a
 *   passkey and forgetting a remembered browser only ever reduce access and need no fresh sign-in.
 * - The first factor a user adds comes with their first set of recovery codes, shown once.
 * - Every factor change ends the user's remembered browsers.
 * - The last factor cannot go while MFA is required for the user (OPTARE_MFA_REQUIRED, and
 *   always for administrators); when it goes otherwise, its recovery codes go with it.
 *
 * Known limit: the last-factor check and the removal are two steps; two removals racing in two
 * tabs could both pass it. The user then has no factor, and under the policy is walked through
 * enrollment at their next sign-in.
 */

/** The signed-in user making the change, as the session says (lib/auth/sessions ActiveSession). */
export interface AccountHolder {
  userId: string;
  /** When the user last authenticated in this session (auth_time). */
  authenticatedAt: Date;
  /** How (lib/auth/authentication-methods): a session without `mfa` has not used the user's second factor. */
  amr: readonly string[];
  user: { id: string; email: string; name: string; isAdmin: boolean };
}

export type ReauthenticationRequired = { ok: false; error: 'reauthentication_required' };
export { FRESH_AUTHENTICATION_SECONDS, isFreshlyAuthenticated } from './reauthentication';

const REAUTHENTICATE: ReauthenticationRequired = { ok: false, error: 'reauthentication_required' };

/** Whether the session may add or remove a way in: fresh, and with every factor the user has. */
async function isFullyAuthenticated(holder: AccountHolder, now: Date): Promise<boolean> {
  return (await authenticationFreshness(holder, now)) === 'fresh';
}

/** Whether the user must keep a second factor: the MFA policy (lib/settings) is on, or they administer Optare. */
export async function secondFactorRequired(user: { isAdmin: boolean }): Promise<boolean> {
  return user.isAdmin || (await runtimeSettings()).mfaRequired;
}

/**
 * secondFactorRequired for display where nothing can be awaited: the MFA policy as last read
 * (at most a few seconds old on a busy server). Enforcement uses secondFactorRequired.
 */
export function mustKeepSecondFactor(user: { isAdmin: boolean }): boolean {
  return user.isAdmin || cachedRuntimeSettings().mfaRequired;
}

// ---------------------------------------------------------------------------------------------
// Authenticator app

export type StartAuthenticatorAppResult =
  | { ok: true; secret: string; otpauthUri: string; qrSvg: string }
  | ReauthenticationRequired
  | { ok: false; error: 'already_enrolled' };

/** Starts (or restarts) setting up an authenticator app: the secret and its QR code, shown once. */
export async function startAuthenticatorApp(holder: AccountHolder, now = new Date()): Promise<StartAuthenticatorAppResult> {
  if (!(await isFullyAuthenticated(holder, now))) return REAUTHENTICATE;
  return startTotpEnrollment(holder.user, now);
}

export type ConfirmAuthenticatorAppResult =
  /** `recoveryCodes`: the first set, when this is the user's first factor (show them once), else null. */
  | { ok: true; recoveryCodes: string[] | null }
  | ReauthenticationRequired
  | { ok: false; error: 'no_enrollment' | 'invalid_code' };

/** Completes the setup with a code from the app. */
export async function confirmAuthenticatorApp(
  holder: AccountHolder,
  code: unknown,
  context: AuditContext,
  now = new Date(),
): Promise<ConfirmAuthenticatorAppResult> {
  if (!(await isFullyAuthenticated(holder, now))) return REAUTHENTICATE;
  const first = !(await hasSecondFactor(holder.userId));
  const confirmed = await confirmTotpEnrollment(holder.userId, code, context, now);
  if (!confirmed.ok) return confirmed;
  return { ok: true, recoveryCodes: await afterFactorAdded(holder.userId, first, 'totp_enrolled', context, now) };
}

export type RemoveFactorResult =
  /** `recoveryCodesRemoved`: it was the last factor, and its recovery codes are gone too. */
  | { ok: true; recoveryCodesRemoved: boolean }
  | ReauthenticationRequired
  | { ok: false; error: 'last_factor_required' | 'not_found' };

/** Removes the authenticator app. */
export async function removeAuthenticatorApp(holder: AccountHolder, context: AuditContext, now = new Date()): Promise<RemoveFactorResult> {
  if (!(await isFullyAuthenticated(holder, now))) return REAUTHENTICATE;
  const factors = await secondFactorsOf(holder.userId);
  if (!factors.totp) return { ok: false, error: 'not_found' };
  const last = factors.passkeys === 0;
  if (last && (await secondFactorRequired(holder.user))) return { ok: false, error: 'last_factor_required' };
  if (!(await removeTotp(holder.userId, context))) return { ok: false, error: 'not_found' };
  return { ok: true, recoveryCodesRemoved: await afterFactorRemoved(holder.userId, 'totp_removed', context) };
}

// ---------------------------------------------------------------------------------------------
// Passkeys

export type PasskeyOptionsResult =
  | { ok: true; options: PublicKeyCredentialCreationOptionsJSON; ceremonyToken: string }
  | ReauthenticationRequired;

/** WebAuthn creation options for a new passkey; the ceremony token goes in the browser's cookie. */
export async function passkeyRegistrationOptions(holder: AccountHolder, now = new Date()): Promise<PasskeyOptionsResult> {
  if (!(await isFullyAuthenticated(holder, now))) return REAUTHENTICATE;
  return { ok: true, ...(await registrationOptions(holder.user, now)) };
}

export type AddPasskeyResult =
  | { ok: true; passkey: PasskeySummary; recoveryCodes: string[] | null }
  | ReauthenticationRequired
  /** `reason`: why WebAuthn refused it (audited by lib/auth/webauthn), for the route's message. */
  | { ok: false; error: 'passkey_refused'; reason: RegistrationFailure };

/** Verifies the browser's answer to passkeyRegistrationOptions and stores the passkey. */
export async function addPasskey(
  holder: AccountHolder,
  ceremonyToken: string | undefined,
  response: unknown,
  nickname: unknown,
  context: AuditContext,
  now = new Date(),
): Promise<AddPasskeyResult> {
  if (!(await isFullyAuthenticated(holder, now))) return REAUTHENTICATE;
  const first = !(await hasSecondFactor(holder.userId));
  const registered = await verifyRegistration(holder.userId, ceremonyToken, response, nickname, context, now);
  if (!registered.ok) return { ok: false, error: 'passkey_refused', reason: registered.reason };
  const recoveryCodes = await afterFactorAdded(holder.userId, first, 'passkey_registered', context, now);
  return { ok: true, passkey: registered.credential, recoveryCodes };
}

export type RenameUserPasskeyResult = { ok: true; passkey: PasskeySummary } | { ok: false; error: 'not_found' | 'invalid_nickname' };

/** Renames one of the user's passkeys (no fresh sign-in needed: a name grants nothing). */
export async function renameUserPasskey(holder: AccountHolder, id: unknown, nickname: unknown, context: AuditContext): Promise<RenameUserPasskeyResult> {
  const renamed = await renamePasskey(holder.userId, id, nickname, context);
  return renamed.ok ? renamed : { ok: false, error: renamed.reason };
}

/** Deletes one of the user's passkeys. */
export async function deleteUserPasskey(holder: AccountHolder, id: unknown, context: AuditContext, now = new Date()): Promise<RemoveFactorResult> {
  if (!(await isFullyAuthenticated(holder, now))) return REAUTHENTICATE;
  const passkeys = await listPasskeys(holder.userId);
  const target = typeof id === 'string' ? passkeys.find((passkey) => passkey.id === id.toLowerCase()) : undefined;
  if (!target) return { ok: false, error: 'not_found' };
  const last = passkeys.length === 1 && !(await hasConfirmedTotp(holder.userId));
  if (last && (await secondFactorRequired(holder.user))) return { ok: false, error: 'last_factor_required' };
  const deleted = await deletePasskey(holder.userId, target.id, context);
  if (!deleted.ok) return { ok: false, error: 'not_found' };
  return { ok: true, recoveryCodesRemoved: await afterFactorRemoved(holder.userId, 'passkey_removed', context) };
}

// ---------------------------------------------------------------------------------------------
// Recovery codes and remembered browsers

export type RegenerateRecoveryCodesResult =
  | { ok: true; codes: string[] }
  | ReauthenticationRequired
  /** Recovery codes back up an authenticator app or a passkey; without one there is nothing to back up. */
  | { ok: false; error: 'no_second_factor' };

/** A new set of ten codes, shown once; the old set stops working. */
export async function regenerateRecoveryCodes(holder: AccountHolder, context: AuditContext, now = new Date()): Promise<RegenerateRecoveryCodesResult> {
  if (!(await isFullyAuthenticated(holder, now))) return REAUTHENTICATE;
  if (!(await hasSecondFactor(holder.userId))) return { ok: false, error: 'no_second_factor' };
  const codes = await generateRecoveryCodes(holder.userId, context, now);
  await forgetTrustedDevices(holder.userId, context, 'recovery_codes_regenerated');
  return { ok: true, codes };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Forgets one of the user's remembered browsers: it asks for the second factor again. */
export async function forgetRememberedBrowser(holder: AccountHolder, id: unknown, context: AuditContext): Promise<{ ok: true } | { ok: false; error: 'not_found' }> {
  if (typeof id !== 'string' || !UUID.test(id)) return { ok: false, error: 'not_found' };
  return (await removeTrustedDevice(holder.userId, id.toLowerCase(), context)) ? { ok: true } : { ok: false, error: 'not_found' };
}

// ---------------------------------------------------------------------------------------------
// What the account page shows

export interface RememberedBrowser {
  id: string;
  browser: string;
  os: string;
  ip: string | null;
  createdAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
}

export interface SecurityOverview {
  totp: boolean;
  passkeys: PasskeySummary[];
  recoveryCodes: number;
  rememberedBrowsers: RememberedBrowser[];
  /** Whether the user's last factor may not be removed (MFA required for them). */
  mfaRequired: boolean;
}

export async function securityOverview(holder: Pick<AccountHolder, 'userId' | 'user'>, now = new Date()): Promise<SecurityOverview> {
  const [totp, passkeys, recoveryCodes, devices] = await Promise.all([
    hasConfirmedTotp(holder.userId),
    listPasskeys(holder.userId),
    remainingRecoveryCodes(holder.userId),
    trustedDevicesOf(holder.userId, now),
  ]);
  return {
    totp,
    passkeys,
    recoveryCodes,
    rememberedBrowsers: devices.map((device) => ({
      id: device.id,
      ...describeUserAgent(device.userAgent),
      ip: device.ip,
      createdAt: device.createdAt,
      lastUsedAt: device.lastUsedAt,
      expiresAt: device.expiresAt,
    })),
    mfaRequired: await secondFactorRequired(holder.user),
  };
}

// ---------------------------------------------------------------------------------------------

/** After a factor was added: the first set of recovery codes for a first factor, and no remembered browsers. */
async function afterFactorAdded(userId: string, first: boolean, reason: string, context: AuditContext, now: Date): Promise<string[] | null> {
  const codes = first ? await generateRecoveryCodes(userId, context, now) : null;
  await forgetTrustedDevices(userId, context, reason);
  await notifySecurityEvent(userId, 'mfa_added', context, { method: reason === 'passkey_registered' ? 'passkey' : 'authenticator app' });
  return codes;
}

/** After a factor was removed: no remembered browsers, and no recovery codes when it was the last. Returns whether codes went. */
async function afterFactorRemoved(userId: string, reason: string, context: AuditContext): Promise<boolean> {
  await forgetTrustedDevices(userId, context, reason);
  await notifySecurityEvent(userId, 'mfa_removed', context, { method: reason === 'passkey_removed' ? 'passkey' : 'authenticator app' });
  const [totp, passkeys] = await Promise.all([hasConfirmedTotp(userId), countPasskeys(userId)]);
  if (totp || passkeys > 0) return false;
  return db().$transaction(async (tx) => {
    const count = await deleteRecoveryCodes(userId, tx);
    if (count === 0) return false;
    await recordAuditEvent(
      { type: 'mfa.recovery_codes_removed', outcome: 'success', actorUserId: userId, subject: userId, details: { count, reason }, context },
      tx,
    );
    return true;
  });
}
