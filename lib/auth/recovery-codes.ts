import 'server-only';
import { randomBytes } from 'node:crypto';
import { sha256 } from '../crypto/hash';
import { db } from '../db/client';
import { consumeRecoveryCodeByHash, countUnusedRecoveryCodes, replaceRecoveryCodes } from '../db/recovery-codes';
import { recordAuditEvent } from '../audit/record';
import type { AuditContext } from '../audit/events';
import { notifySecurityEvent } from '../notifications/security-events';

/**
 * Recovery codes: ten single-use codes, shown once, for when the authenticator is lost.
 *
 * A code is 24 characters of Crockford's base32 (lower case, no i, l, o or u), shown as
 * `xxxx-xxxx-xxxx-xxxx-xxxx-xxxx`: 120 bits. At 112 bits or more a lookup secret may be stored
 * with a plain hash (OWASP ASVS 5.0 V6), so each is stored as its SHA-256, like every other
 * high-entropy secret Optare keeps (DESIGN.md), and found by it: no per-code password hashing,
 * so a wrong guess costs the server nothing. Input is read the Crockford way: any case, dashes
 * and spaces ignored, o as 0, i and l as 1. Using a code is one conditional UPDATE: of two
 * concurrent uses, one succeeds.
 */

export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const CODE_LENGTH = 24;
const GROUP_LENGTH = 4;
/** Longer input is refused before any normalization or hashing. */
export const MAX_RECOVERY_CODE_INPUT = 64;

/** `invalid_code` covers a code that never existed, one already used, and one from a replaced set. */
export type RecoveryCodeFailureReason = 'invalid_code' | 'malformed';

// ---------------------------------------------------------------------------------------------
// Pure helpers

/** A new code in canonical form: 24 symbols, 120 bits. */
export function newRecoveryCode(): string {
  // 32 symbols: the low 5 bits of a random byte pick one without bias.
  return Array.from(randomBytes(CODE_LENGTH), (byte) => ALPHABET[byte & 31]).join('');
}

/** A canonical code grouped for display: `xxxx-xxxx-xxxx-xxxx-xxxx-xxxx`. */
export function formatRecoveryCode(code: string): string {
  const groups: string[] = [];
  for (let start = 0; start < code.length; start += GROUP_LENGTH) groups.push(code.slice(start, start + GROUP_LENGTH));
  return groups.join('-');
}

/** The canonical form of a typed code (24 lower-case symbols, no separators), or null if it cannot be one. */
export function normalizeRecoveryCode(input: unknown): string | null {
  if (typeof input !== 'string' || input.length > MAX_RECOVERY_CODE_INPUT) return null;
  const compact = input.toLowerCase().replace(/[\s-]/g, '').replace(/o/g, '0').replace(/[il]/g, '1');
  if (compact.length !== CODE_LENGTH) return null;
  return [...compact].every((symbol) => ALPHABET.includes(symbol)) ? compact : null;
}

// ---------------------------------------------------------------------------------------------
// Generation and use

/**
 * Makes a new set of codes and returns them, for the page to show once. The old set (used or
 * not) stops working in the same transaction that stores the new one.
 */
export async function generateRecoveryCodes(userId: string, context: AuditContext, now = new Date()): Promise<string[]> {
  const codes = new Set<string>();
  while (codes.size < RECOVERY_CODE_COUNT) codes.add(newRecoveryCode());
  const list = [...codes];
  const hashes = list.map(recoveryCodeHash);
  await db().$transaction(async (tx) => {
    await replaceRecoveryCodes(userId, hashes, now, tx);
    await recordAuditEvent(
      {
        type: 'mfa.recovery_codes_generated',
        outcome: 'success',
        actorUserId: userId,
        subject: userId,
        details: { count: list.length },
        context,
      },
      tx,
    );
  });
  return list.map(formatRecoveryCode);
}

/**
 * Signs in with a recovery code: true once per code. The code's hash is consumed in one UPDATE
 * conditioned on it being this user's and unused. Audited: mfa.recovery_code_used with the number
 * left on success, auth.factor_verified (method recovery_code, reason) on failure; never the code.
 */
export async function redeemRecoveryCode(userId: string, input: unknown, context: AuditContext, now = new Date()): Promise<boolean> {
  const code = normalizeRecoveryCode(input);
  const used =
    code !== null &&
    (await db().$transaction(async (tx) => {
      if (!(await consumeRecoveryCodeByHash(userId, recoveryCodeHash(code), now, tx))) return false;
      const remaining = await countUnusedRecoveryCodes(userId, tx);
      await recordAuditEvent(
        { type: 'mfa.recovery_code_used', outcome: 'success', actorUserId: userId, subject: userId, details: { remaining }, context },
        tx,
      );
      return true;
    }));
  if (!used) await recordFactorFailure(userId, code === null ? 'malformed' : 'invalid_code', context);
  else await notifySecurityEvent(userId, 'recovery_code_used', context);
  return used;
}

/** How a code is stored and found: base64url SHA-256 of its canonical form. */
function recoveryCodeHash(code: string): string {
  return Buffer.from(sha256(code)).toString('base64url');
}

export function remainingRecoveryCodes(userId: string): Promise<number> {
  return countUnusedRecoveryCodes(userId);
}

/** True when the user has at least one unused code. */
export async function hasRecoveryCodes(userId: string): Promise<boolean> {
  return (await countUnusedRecoveryCodes(userId)) > 0;
}

async function recordFactorFailure(userId: string, reason: RecoveryCodeFailureReason, context: AuditContext): Promise<void> {
  await recordAuditEvent({
    type: 'auth.factor_verified',
    outcome: 'failure',
    actorUserId: userId,
    subject: userId,
    details: { method: 'recovery_code', reason },
    context,
  });
}
