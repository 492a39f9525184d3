import 'server-only';
import type { AuditContext } from '../audit/events';
import { consume, guard, limitKey } from '../rate-limit/limiter';
import { combineAmr, isMultiFactor } from './authentication-methods';
import { completePendingLogin, findPendingLoginByToken, recordWrongCode, startPendingLogin, type PendingLogin } from './pending-login';
import { redeemRecoveryCode } from './recovery-codes';
import { hasSecondFactor } from './second-factors';
import { verifyTotpCode } from './totp';
import { isTrustedBrowser } from './trusted-devices';
import { verifyAuthentication } from './webauthn';

/**
 * The second step of signing in, and the step-up of a session: what follows a first factor,
 * and the check of the second one against the pending login the browser holds.
 */

export type AfterFirstFactor =
  /** Done: start the session with these methods. `mustEnroll`: the MFA policy wants a factor first. */
  | { next: 'session'; amr: string[]; mustEnroll: boolean }
  /** A second factor is needed: the pending login's token goes in the browser's cookie. */
  | { next: 'second_factor'; pendingLoginToken: string };

/**
 * After a password (or a passkey without user verification): a user with a second factor gives
 * it, unless this browser is trusted for them; a user without one signs in (and, when
 * OPTARE_MFA_REQUIRED is on, enrolls one next).
 */
export async function afterFirstFactor(
  userId: string,
  methods: string[],
  options: { trustedDeviceToken: unknown; mfaRequired: boolean },
  now = new Date(),
): Promise<AfterFirstFactor> {
  const amr = combineAmr(methods);
  if (isMultiFactor(amr)) return { next: 'session', amr, mustEnroll: false };
  if (!(await hasSecondFactor(userId))) return { next: 'session', amr, mustEnroll: options.mfaRequired };
  // A trusted browser skips the second factor, and the session says so: one factor, no `mfa`.
  if (await isTrustedBrowser(userId, options.trustedDeviceToken, now)) return { next: 'session', amr, mustEnroll: false };
  const pendingLoginToken = await startPendingLogin({ userId, purpose: 'sign_in', sessionId: null, amr }, now);
  return { next: 'second_factor', pendingLoginToken };
}

/** Starts a step-up of a signed-in session; returns the pending login's token for the cookie. */
export function startStepUp(session: { id: string; userId: string; amr: string[] }, now = new Date()): Promise<string> {
  return startPendingLogin({ userId: session.userId, purpose: 'step_up', sessionId: session.id, amr: session.amr }, now);
}

export type SecondFactorProof =
  | { method: 'totp'; code: unknown }
  | { method: 'recovery_code'; code: unknown }
  | { method: 'passkey'; ceremonyToken: string | undefined; response: unknown };

export type SecondFactorResult =
  | { ok: true; login: PendingLogin; amr: string[] }
  | { ok: false; error: 'no_pending_login' }
  /** Too many wrong answers for this account from this address (OPTARE_RATE_LIMIT_SECOND_FACTOR). */
  | { ok: false; error: 'rate_limited'; retryAfterSeconds: number }
  /** Wrong: `remaining` tries left; 0 means the pending login was discarded. */
  | { ok: false; error: 'invalid_code'; remaining: number };

/**
 * Checks a second factor for the browser's pending login. A wrong one counts against the five
 * allowed for this login and against the account's limit from this address (which outlives the
 * login: starting over from the password does not reset it); a right one consumes the login
 * (once, even when two arrive together) and returns the combined methods of both steps.
 */
export async function verifySecondFactor(
  pendingLoginToken: unknown,
  proof: SecondFactorProof,
  context: AuditContext,
  now = new Date(),
): Promise<SecondFactorResult> {
  const login = await findPendingLoginByToken(pendingLoginToken, now);
  if (!login) return { ok: false, error: 'no_pending_login' };
  const token = pendingLoginToken as string;
  const limit = limitKey('second-factor', login.userId, context.ip ?? 'unknown');
  const gate = await guard('secondFactor', limit, context);
  if (!gate.allowed) return { ok: false, error: 'rate_limited', retryAfterSeconds: gate.retryAfterSeconds };
  const methods = await proofMethods(login.userId, proof, context, now);
  if (!methods) {
    await consume('secondFactor', limit, context);
    return { ok: false, error: 'invalid_code', remaining: await recordWrongCode(login, token, context, now) };
  }
  const completed = await completePendingLogin(token, now);
  if (!completed) return { ok: false, error: 'no_pending_login' };
  return { ok: true, login: completed, amr: combineAmr(completed.amr, methods) };
}

/** The amr of a valid proof for this user, or null. */
async function proofMethods(userId: string, proof: SecondFactorProof, context: AuditContext, now: Date): Promise<string[] | null> {
  switch (proof.method) {
    case 'totp':
      return (await verifyTotpCode(userId, proof.code, context, now)) ? ['otp'] : null;
    case 'recovery_code':
      return (await redeemRecoveryCode(userId, proof.code, context, now)) ? ['otp'] : null;
    case 'passkey': {
      const verified = await verifyAuthentication('second_factor', proof.ceremonyToken, proof.response, userId, context, now);
      return verified.ok ? verified.amr : null;
    }
  }
}
