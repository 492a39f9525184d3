import 'server-only';
import type { AuditContext } from '../audit/events';
import { describeUserAgent } from '../auth/user-agent';
import { recentSignInPlaces } from '../db/sign-in-history';

/** How far back a device counts as known. */
export const KNOWN_DEVICE_DAYS = 90;
/**
 * Sign-ins younger than this are left out: the sign-in being completed wrote its own event a
 * moment ago (at the password step, before a second factor).
 */
const CURRENT_SIGN_IN_MS = 15 * 60 * 1000;

/**
 * Whether a sign-in comes from a new device. A device is a browser and operating system (parsed
 * from the User-Agent) at one IP address; it is new when no successful sign-in, sign-up or live
 * session of the user in the last 90 days (older than 15 minutes, for the sign-ins) had the
 * same three. A user with no such history at all (just signed up) has no new device.
 */
export async function isNewDevice(userId: string, context: AuditContext, now = new Date()): Promise<boolean> {
  const since = new Date(now.getTime() - KNOWN_DEVICE_DAYS * 86400 * 1000);
  const places = await recentSignInPlaces(userId, since, new Date(now.getTime() - CURRENT_SIGN_IN_MS));
  if (places.length === 0) return false;
  const current = deviceOf(context.ip, context.userAgent);
  return !places.some((place) => deviceOf(place.ip, place.userAgent) === current);
}

function deviceOf(ip: string | null, userAgent: string | null): string {
  const { browser, os } = describeUserAgent(userAgent);
  return JSON.stringify([browser, os, ip ?? '']);
}
