import 'server-only';
import { generateSecret, verify } from 'otplib';
import QRCode from 'qrcode';
import { getConfig } from '../config';
import { decrypt, encrypt } from '../crypto/encryption';
import { db } from '../db/client';
import {
  claimTotpStep,
  confirmPendingTotpFactor,
  deleteTotpFactor,
  findTotpFactor,
  hasConfirmedTotpFactor,
  savePendingTotpFactor,
} from '../db/totp-factors';
import { recordAuditEvent } from '../audit/record';
import type { AuditContext } from '../audit/events';

/**
 * Authenticator apps (RFC 6238 TOTP): SHA-1, 6 digits, 30-second steps, what every app supports.
 *
 * - Enrollment stores a pending factor; it becomes a factor only once the user proves the app
 *   with a valid code. The secret is sealed at rest (AES-256-GCM bound to `totp:<userId>`).
 * - A code is accepted for the current step and one step either side (clock drift).
 * - Replay: the step of every accepted code is recorded with an atomic conditional UPDATE, and
 *   no code of that step or an earlier one is accepted again, even by two requests at once.
 * - otplib compares the expected and the given code in constant time.
 */

export const TOTP_DIGITS = 6;
export const TOTP_PERIOD_SECONDS = 30;
/** Steps accepted either side of the current one. */
export const TOTP_DRIFT_STEPS = 1;
/** 20 random bytes (160 bits), as RFC 4226 recommends: 32 base32 characters. */
const SECRET_BYTES = 20;
/** Longer input is not a code, whatever it holds: not even worth a regular expression. */
const MAX_CODE_INPUT = 32;

export type TotpFailureReason = 'invalid_code' | 'replayed' | 'not_enrolled';

// ---------------------------------------------------------------------------------------------
// Pure helpers

/** The six digits of a code as typed (spaces removed, "123 456" as apps show it), or null. */
export function parseTotpCode(input: unknown): string | null {
  if (typeof input !== 'string' || input.length > MAX_CODE_INPUT) return null;
  const code = input.replace(/\s/g, '');
  return /^[0-9]{6}$/.test(code) ? code : null;
}

/** The RFC 6238 time step at `now`: floor(unix seconds / 30). */
export function totpStepAt(now: Date): number {
  return Math.floor(now.getTime() / 1000 / TOTP_PERIOD_SECONDS);
}

/**
 * The Key URI Format of Google Authenticator, which every app reads:
 * otpauth://totp/Issuer:account?secret=…&issuer=Issuer&algorithm=SHA1&digits=6&period=30.
 * Issuer and account are percent-encoded (RFC 3986), so `+`, `&`, `:` or spaces survive.
 * algorithm, digits and period are the defaults, written out for apps that do not assume them.
 */
export function totpUri(issuer: string, accountName: string, secret: string): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(accountName)}`;
  const query = [
    `secret=${encodeURIComponent(secret)}`,
    `issuer=${encodeURIComponent(issuer)}`,
    'algorithm=SHA1',
    `digits=${TOTP_DIGITS}`,
    `period=${TOTP_PERIOD_SECONDS}`,
  ].join('&');
  return `otpauth://totp/${label}?${query}`;
}

/** The additional authenticated data binding a sealed TOTP secret to its user's row. */
export function totpSealingContext(userId: string): string {
  return `totp:${userId}`;
}

type StepMatch = { ok: true; step: number } | { ok: false; reason: 'invalid_code' | 'replayed' };

/**
 * The time step, within ±TOTP_DRIFT_STEPS of `now`, whose code is `code` and which is later
 * than `lastUsedStep`. A code that is right but of a step already used is `replayed`.
 */
export async function matchTotpStep(secret: string, code: string, now: Date, lastUsedStep: number | null): Promise<StepMatch> {
  const options = {
    secret,
    token: code,
    algorithm: 'sha1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    epoch: Math.floor(now.getTime() / 1000),
    // A tolerance of one period (in seconds) covers exactly the previous and the next step.
    epochTolerance: TOTP_DRIFT_STEPS * TOTP_PERIOD_SECONDS,
  } as const;
  // otplib refuses an afterTimeStep beyond the window; a step that late leaves nothing to accept.
  const afterTimeStep = lastUsedStep === null ? undefined : Math.min(lastUsedStep, totpStepAt(now) + TOTP_DRIFT_STEPS);
  const fresh = await verify({ ...options, afterTimeStep });
  if (fresh.valid && 'timeStep' in fresh) return { ok: true, step: fresh.timeStep };
  if (afterTimeStep !== undefined && (await verify(options)).valid) return { ok: false, reason: 'replayed' };
  return { ok: false, reason: 'invalid_code' };
}

// ---------------------------------------------------------------------------------------------
// Enrollment

export type StartTotpEnrollmentResult =
  | { ok: true; secret: string; otpauthUri: string; qrSvg: string }
  | { ok: false; error: 'already_enrolled' };

/**
 * Starts (or restarts) enrolling an authenticator app: a new secret replaces any pending one.
 * Returns what the page shows once: the secret for manual entry, its otpauth:// URI, and that
 * URI as a QR code in an SVG string (no script, so it renders under the strict CSP).
 * Refuses while a confirmed factor exists: it must be removed first.
 */
export async function startTotpEnrollment(
  user: { id: string; email: string },
  now = new Date(),
): Promise<StartTotpEnrollmentResult> {
  const secret = generateSecret({ length: SECRET_BYTES });
  const sealed = encrypt(secret, getConfig().encryption, totpSealingContext(user.id));
  if (!(await savePendingTotpFactor(user.id, sealed, now))) return { ok: false, error: 'already_enrolled' };
  const otpauthUri = totpUri(getConfig().mfa.totpIssuer, user.email, secret);
  const qrSvg = await QRCode.toString(otpauthUri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return { ok: true, secret, otpauthUri, qrSvg };
}

export type ConfirmTotpEnrollmentResult = { ok: true } | { ok: false; error: 'no_enrollment' | 'invalid_code' };

/**
 * Completes enrollment with a code from the app. The code's step is recorded as used, so the
 * same code cannot then pass a sign-in. `no_enrollment`: nothing pending (never started, already
 * confirmed, or restarted meanwhile with a new secret).
 */
export async function confirmTotpEnrollment(
  userId: string,
  code: unknown,
  context: AuditContext,
  now = new Date(),
): Promise<ConfirmTotpEnrollmentResult> {
  const parsed = parseTotpCode(code);
  if (!parsed) return { ok: false, error: 'invalid_code' };
  const factor = await findTotpFactor(userId);
  if (!factor || factor.confirmedAt) return { ok: false, error: 'no_enrollment' };
  const match = await matchTotpStep(unseal(userId, factor.secretEncrypted), parsed, now, stepNumber(factor.lastUsedStep));
  if (!match.ok) return { ok: false, error: 'invalid_code' };

  const confirmed = await db().$transaction(async (tx) => {
    if (!(await confirmPendingTotpFactor(userId, factor.secretEncrypted, match.step, now, tx))) return false;
    await recordAuditEvent({ type: 'mfa.totp_enrolled', outcome: 'success', actorUserId: userId, subject: userId, context }, tx);
    return true;
  });
  return confirmed ? { ok: true } : { ok: false, error: 'no_enrollment' };
}

// ---------------------------------------------------------------------------------------------
// Verification and removal

/**
 * Checks a code against the user's confirmed factor, once: true at most once per time step.
 * Every attempt is audited as auth.factor_verified (method totp; on failure the reason, never
 * the code). Malformed input is simply a wrong code.
 */
export async function verifyTotpCode(userId: string, code: unknown, context: AuditContext, now = new Date()): Promise<boolean> {
  const failure = (reason: TotpFailureReason) => recordFactorFailure(userId, reason, context).then(() => false);
  const parsed = parseTotpCode(code);
  if (!parsed) return failure('invalid_code');
  const factor = await findTotpFactor(userId);
  if (!factor?.confirmedAt) return failure('not_enrolled');
  const match = await matchTotpStep(unseal(userId, factor.secretEncrypted), parsed, now, stepNumber(factor.lastUsedStep));
  if (!match.ok) return failure(match.reason);

  const claimed = await db().$transaction(async (tx) => {
    if (!(await claimTotpStep(userId, match.step, tx))) return false;
    await recordAuditEvent(
      { type: 'auth.factor_verified', outcome: 'success', actorUserId: userId, subject: userId, details: { method: 'totp' }, context },
      tx,
    );
    return true;
  });
  // Lost the race to another request with a code of this step (or a later one), or removed meanwhile.
  return claimed || failure('replayed');
}

/** Removes the authenticator app (and any pending enrollment). True when a confirmed one was removed. */
export async function removeTotp(userId: string, context: AuditContext): Promise<boolean> {
  return db().$transaction(async (tx) => {
    const removed = await deleteTotpFactor(userId, tx);
    if (!removed?.confirmedAt) return false;
    await recordAuditEvent({ type: 'mfa.totp_removed', outcome: 'success', actorUserId: userId, subject: userId, context }, tx);
    return true;
  });
}

export function hasConfirmedTotp(userId: string): Promise<boolean> {
  return hasConfirmedTotpFactor(userId);
}

async function recordFactorFailure(userId: string, reason: TotpFailureReason, context: AuditContext): Promise<void> {
  await recordAuditEvent({
    type: 'auth.factor_verified',
    outcome: 'failure',
    actorUserId: userId,
    subject: userId,
    details: { method: 'totp', reason },
    context,
  });
}

/** A sealed secret that does not open is an operator problem (a missing old key), not bad input: it throws. */
function unseal(userId: string, sealed: string): string {
  return decrypt(sealed, getConfig().encryption, totpSealingContext(userId)).toString('utf8');
}

function stepNumber(step: bigint | null): number | null {
  return step === null ? null : Number(step);
}
