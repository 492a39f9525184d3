import 'server-only';
import { recordAuditEvent } from '../audit/record';
import type { AuditContext } from '../audit/events';
import { getConfig } from '../config';
import { sha256 } from '../crypto/hash';
import { randomToken } from '../crypto/random';
import {
  deleteTrustedDevice,
  deleteUserTrustedDevices,
  insertTrustedDevice,
  listTrustedDevices,
  markTrustedDeviceUsed,
} from '../db/trusted-devices';
import type { DbClient } from '../db/users';
import { hostCookie, isCookieToken, type BrowserCookie } from './cookies';

/**
 * "Remember this browser": after a second factor, the browser may skip the second factor (never
 * the password or passkey) for OPTARE_TRUSTED_DEVICE_DAYS. The trust is a server-side row found
 * by the hash of a random token in an HttpOnly cookie, not a signed flag: the user or an
 * administrator removes it, and it ends when the user's password or factors change.
 */

export function trustedDeviceDays(): number {
  return getConfig().mfa.trustedDeviceDays;
}

export function trustedDeviceCookie(): BrowserCookie {
  return hostCookie('optare_trusted_device', trustedDeviceDays() * 86_400);
}

/** Trusts the browser for the user; returns the cookie token, or null when the option is off. */
export async function trustBrowser(userId: string, context: AuditContext, now = new Date()): Promise<string | null> {
  const days = trustedDeviceDays();
  if (days === 0) return null;
  const token = randomToken(32);
  const id = await insertTrustedDevice({
    userId,
    tokenHash: sha256(token),
    ip: context.ip,
    userAgent: context.userAgent?.slice(0, 512) ?? null,
    expiresAt: new Date(now.getTime() + days * 86_400_000),
  });
  await recordAuditEvent({ type: 'mfa.trusted_device_added', outcome: 'success', actorUserId: userId, subject: id, details: { days }, context });
  return token;
}

/** Whether this browser's token trusts it for this user now (and notes the use). */
export async function isTrustedBrowser(userId: string, token: unknown, now = new Date()): Promise<boolean> {
  if (trustedDeviceDays() === 0 || !isCookieToken(token)) return false;
  return markTrustedDeviceUsed(userId, sha256(token), now);
}

export function trustedDevicesOf(userId: string, now = new Date()) {
  return listTrustedDevices(userId, now);
}

export async function removeTrustedDevice(userId: string, id: string, context: AuditContext): Promise<boolean> {
  const removed = await deleteTrustedDevice(userId, id);
  if (removed) await recordAuditEvent({ type: 'mfa.trusted_device_removed', outcome: 'success', actorUserId: userId, subject: id, context });
  return removed;
}

/** Ends every trust of the user: their password or factors changed. */
export async function forgetTrustedDevices(userId: string, context: AuditContext, reason: string, client?: DbClient): Promise<number> {
  const count = await deleteUserTrustedDevices(userId, client);
  if (count > 0) {
    await recordAuditEvent(
      { type: 'mfa.trusted_device_removed', outcome: 'success', actorUserId: userId, subject: userId, details: { count, reason }, context },
      client,
    );
  }
  return count;
}
