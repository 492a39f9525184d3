import 'server-only';
import type { AuditContext } from '../audit/events';
import { consume, guard, limitKey, reset, type Verdict } from './limiter';

/**
 * Brute-force protection of password sign-in. Three counters of failures:
 * - per IP address, over every account (one address guessing many passwords of many accounts);
 * - per account and IP address (one address guessing one account's password);
 * - per account over every address, slower, and fed only by addresses still under their own
 *   account limit: one attacker's address can add at most that limit to it, so it takes many
 *   addresses to lock an account, and the real user, from their own address, is not locked out
 *   by a single attacker.
 * Any counter at its limit refuses the attempt before the password is checked. A success clears
 * the account-and-address counter.
 */

const accountKey = (email: string) => limitKey('account', email);
const accountIpKey = (email: string, ip: string) => limitKey('account-ip', email, ip);
const ipKey = (ip: string) => limitKey('ip', ip);

export async function signInAllowed(email: string, context: AuditContext): Promise<Verdict> {
  const address = context.ip ?? 'unknown';
  const verdicts = await Promise.all([
    guard('signInIp', ipKey(address), context),
    guard('signInAccountIp', accountIpKey(email, address), context),
    guard('signInAccount', accountKey(email), context),
  ]);
  return mostRestrictive(verdicts);
}

export async function recordFailedSignIn(email: string, context: AuditContext): Promise<void> {
  const address = context.ip ?? 'unknown';
  await consume('signInIp', ipKey(address), context);
  const own = await consume('signInAccountIp', accountIpKey(email, address), context);
  if (own.allowed) await consume('signInAccount', accountKey(email), context);
}

export async function recordSuccessfulSignIn(email: string, ip: string | null): Promise<void> {
  await reset('signInAccountIp', accountIpKey(email, ip ?? 'unknown'));
}

function mostRestrictive(verdicts: Verdict[]): Verdict {
  let result: Verdict = { allowed: true };
  for (const verdict of verdicts) {
    if (!verdict.allowed && (result.allowed || verdict.retryAfterSeconds > result.retryAfterSeconds)) result = verdict;
  }
  return result;
}
