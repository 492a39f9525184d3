import 'server-only';
import type { AuditContext } from '../audit/events';
import { consume, limitKey, refund, reset, type Verdict } from './limiter';

/**
 * Brute-force protection of password sign-in. Three counters of attempts:
 * - per IP address, over every account (one address guessing many passwords of many accounts);
 * - per account and IP address (one address guessing one account's password);
 * - per account over every address, slower, and fed only by addresses still under their own
 *   account limit: one attacker's address can add at most that limit to it, so it takes many
 *   addresses to lock an account, and the real user, from their own address, is not locked out
 *   by a single attacker.
 * An attempt is counted before the password is checked, so that concurrent guesses cannot slip
 * past a limit, and refused when a counter is over its limit (the password is then not checked
 * at all); a successful sign-in gives its points back and clears its account-and-address
 * counter, so the counters hold failures.
 */

const accountKey = (email: string) => limitKey('account', email);
const accountIpKey = (email: string, ip: string) => limitKey('account-ip', email, ip);
const ipKey = (ip: string) => limitKey('ip', ip);

/** Counts a sign-in attempt; refused when any of its counters is over its limit. */
export async function beginSignInAttempt(email: string, context: AuditContext): Promise<Verdict> {
  const address = context.ip ?? 'unknown';
  const byIp = await consume('signInIp', ipKey(address), context);
  const own = await consume('signInAccountIp', accountIpKey(email, address), context);
  const byAccount = own.allowed ? await consume('signInAccount', accountKey(email), context) : own;
  return mostRestrictive([byIp, own, byAccount]);
}

/** The attempt succeeded: it was not a guess, so it stops counting against the limits. */
export async function signInSucceeded(email: string, context: AuditContext): Promise<void> {
  const address = context.ip ?? 'unknown';
  await Promise.all([
    refund('signInIp', ipKey(address)),
    reset('signInAccountIp', accountIpKey(email, address)),
    refund('signInAccount', accountKey(email)),
  ]);
}

function mostRestrictive(verdicts: Verdict[]): Verdict {
  let result: Verdict = { allowed: true };
  for (const verdict of verdicts) {
    if (!verdict.allowed && (result.allowed || verdict.retryAfterSeconds > result.retryAfterSeconds)) result = verdict;
  }
  return result;
}
