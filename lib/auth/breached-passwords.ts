import 'server-only';
import { createHash } from 'node:crypto';
import { getConfig } from '../config';
import { logger } from '../log/logger';

/**
 * New passwords checked against breached passwords (ASVS 6.2.12) with the k-anonymity range API
 * of Have I Been Pwned (`GET {base}/range/{first 5 hex of SHA-1}`, answering `SUFFIX:COUNT`
 * lines): only the first 5 hex digits of the password's SHA-1 leave Optare, never the password
 * or its full hash, and `Add-Padding: true` makes every answer about the same size, so an
 * observer of the (TLS) traffic cannot tell the prefix from the length either. Padding lines
 * have a count of 0 and do not count as breached.
 *
 * Off unless OPTARE_BREACHED_PASSWORD_API is set. Fail-open: when the service cannot be reached
 * within the timeout or answers with anything but 200, the password is accepted and a warning
 * logged. An unreachable third-party service must not stop people from signing up or resetting a
 * forgotten password; the other checks (length, common passwords, context words) still apply.
 */

export const BREACHED_PASSWORD_MESSAGE = 'This password has appeared in a data breach and is unsafe to use. Choose a different one.';

/** How long a check may take before Optare gives up and accepts the password. */
export const BREACHED_PASSWORD_TIMEOUT_MS = 2_000;

/** A padded range answer is about 40 kB; anything far larger is not the range format. */
const MAX_RANGE_BYTES = 1_048_576;

/**
 * How many times the range API at `baseUrl` says the password appeared in breaches (0: never),
 * or null when it could not be asked (unreachable, too slow, not 200, too large).
 */
export async function timesBreached(password: string, baseUrl: string, timeoutMs = BREACHED_PASSWORD_TIMEOUT_MS): Promise<number | null> {
  const hash = createHash('sha1').update(password, 'utf8').digest('hex').toUpperCase();
  const prefix = hash.slice(0, 5);
  const suffix = hash.slice(5);
  const url = `${baseUrl.replace(/\/+$/, '')}/range/${prefix}`;
  let body: string;
  try {
    const response = await fetch(url, { headers: { 'add-padding': 'true', accept: 'text/plain' }, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
    if (response.status !== 200) {
      logger().warn({ service: baseUrl, status: response.status }, 'the breached-password service answered with an error: password accepted unchecked');
      await response.body?.cancel();
      return null;
    }
    body = await response.text();
  } catch (error) {
    // The error's name only: its cause could carry the request URL, and so the hash prefix.
    logger().warn({ service: baseUrl, reason: error instanceof Error ? error.name : 'unknown' }, 'the breached-password service could not be reached in time: password accepted unchecked');
    return null;
  }
  if (body.length > MAX_RANGE_BYTES) {
    logger().warn({ service: baseUrl, bytes: body.length }, 'the breached-password service answered too much: password accepted unchecked');
    return null;
  }
  return breachCount(body, suffix);
}

/** The count on the line of `suffix` in a range answer (`SUFFIX:COUNT`, CRLF or LF), or 0. */
export function breachCount(body: string, suffix: string): number {
  for (const line of body.split('\n')) {
    const separator = line.indexOf(':');
    if (separator === -1 || line.slice(0, separator).trim().toUpperCase() !== suffix) continue;
    const count = Number.parseInt(line.slice(separator + 1).trim(), 10);
    return Number.isFinite(count) && count > 0 ? count : 0;
  }
  return 0;
}

/**
 * The message for a new password that appeared in a breach, or null (not found, the check is
 * off, or the service could not be asked: fail-open, logged).
 */
export async function breachedPasswordProblem(password: string): Promise<string | null> {
  const baseUrl = getConfig().breachedPasswordApi;
  if (!baseUrl) return null;
  const count = await timesBreached(password, baseUrl);
  return count !== null && count > 0 ? BREACHED_PASSWORD_MESSAGE : null;
}
