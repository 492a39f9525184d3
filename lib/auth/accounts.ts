import 'server-only';
import { db } from '../db/client';
import { findUserByEmail, insertUser, setUserDisabledAt } from '../db/users';
import { deleteUserSessions } from '../db/sessions';
import { recordAuditEvent } from '../audit/record';
import type { AuditContext } from '../audit/events';
import {
  emailSchema,
  fieldErrorsOf,

  PASSWORD_MIN,
  passwordTooShort,
  signInSchema,
  signUpSchema,
  type FieldErrors,
} from '../validation/account';
import { isCommonPassword } from './common-passwords';
import { breachedPasswordProblem } from './breached-passwords';
import { contextWordProblem } from './password-context';
import { hashPassword, verifyPassword } from './passwords';
import { consume, limitKey } from '../rate-limit/limiter';
import { beginSignInAttempt, signInSucceeded } from '../rate-limit/sign-in';
import { runtimeSettings } from '../settings/runtime';

export interface PublicUser {
  id: string;
  email: string;
  name: string;
  isAdmin: boolean;
}

export type CreateUserResult =
  | { ok: true; user: PublicUser }
  | { ok: false; fieldErrors: FieldErrors }
  | { ok: false; error: 'email_taken' }
  | { ok: false; error: 'rate_limited'; retryAfterSeconds: number };

const COMMON_PASSWORD_MESSAGE = 'This password is too common; choose one that is harder to guess.';

/** The server's version of the sign-up form: the shared schema plus the common-password list. */
const serverSignUpSchema = signUpSchema.refine(({ password }) => !isCommonPassword(password, PASSWORD_MIN), {
  path: ['password'],
  message: COMMON_PASSWORD_MESSAGE,
});

/**
 * Creates an account from the sign-up form or the CLI. The user row and its audit event are
 * written in one transaction: either both exist afterwards or neither does.
 */
export async function createUser(
  input: { email: unknown; password: unknown; name?: unknown; isAdmin?: boolean },
  context: AuditContext,
  via: 'cli' | 'sign_up' | 'setup',
): Promise<CreateUserResult> {
  const name = input.name ?? (typeof input.email === 'string' ? input.email.split('@')[0] : undefined);
  const parsed = serverSignUpSchema.safeParse({ email: input.email, password: input.password, name });
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsOf(parsed.error) };
  const { email, password } = parsed.data;
  // The minimum length an administrator set (lib/settings), beyond the schema's PASSWORD_MIN.
  const tooShort = passwordTooShort(password, (await runtimeSettings()).passwordMinLength);
  if (tooShort) return { ok: false, fieldErrors: { password: [tooShort] } };
  const contextWord = contextWordProblem(password);
  if (contextWord) return { ok: false, fieldErrors: { password: [contextWord] } };
  if (via === 'sign_up') {
    const gate = await consume('signUpIp', limitKey('ip', context.ip ?? 'unknown'), context);
    if (!gate.allowed) return { ok: false, error: 'rate_limited', retryAfterSeconds: gate.retryAfterSeconds };
  }
  // After the sign-up rate limit: the check calls out to the breached-password service.
  const breached = await breachedPasswordProblem(password);
  if (breached) return { ok: false, fieldErrors: { password: [breached] } };
  const passwordHash = await hashPassword(password);

  const user = await db().$transaction(async (tx) => {
    const created = await insertUser(
      { email, name: parsed.data.name, passwordHash, isAdmin: input.isAdmin ?? false },
      tx,
    );
    if (!created) return null;
    await recordAuditEvent(
      {
        type: 'user.created',
        outcome: 'success',
        actorUserId: via === 'sign_up' ? created.id : null,
        subject: created.id,
        details: { via, admin: created.isAdmin },
        context,
      },
      tx,
    );
    return created;
  });
  if (!user) return { ok: false, error: 'email_taken' };
  return { ok: true, user: { id: user.id, email: user.email, name: user.name, isAdmin: user.isAdmin } };
}

export type AuthenticateResult =
  | { ok: true; user: PublicUser }
  | { ok: false; fieldErrors: FieldErrors }
  | { ok: false; error: 'invalid_credentials' | 'account_disabled' }
  | { ok: false; error: 'rate_limited'; retryAfterSeconds: number };

/**
 * Checks an email and password. Unknown accounts cost the same argon2 work as known ones, and
 * both wrong passwords and unknown emails give the same `invalid_credentials`. A disabled
 * account is reported as such only to someone who knows its password. Failures count against
 * the brute-force limits (lib/rate-limit/sign-in.ts); past a limit, the password is not checked.
 */
export async function authenticate(input: unknown, context: AuditContext): Promise<AuthenticateResult> {
  const parsed = signInSchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsOf(parsed.error) };
  const { email, password } = parsed.data;
  const gate = await beginSignInAttempt(email, context);
  if (!gate.allowed) return { ok: false, error: 'rate_limited', retryAfterSeconds: gate.retryAfterSeconds };
  const user = await findUserByEmail(email);
  const valid = await verifyPassword(user?.passwordHash ?? null, password);

  const failure = !user || !valid ? 'invalid_credentials' : user.disabledAt ? 'account_disabled' : null;
  await recordAuditEvent({
    type: 'auth.sign_in',
    outcome: failure ? 'failure' : 'success',
    actorUserId: user?.id ?? null,
    subject: user?.id ?? email,
    details: failure
      ? { method: 'pwd', reason: !user ? 'unknown_account' : failure === 'invalid_credentials' ? 'wrong_password' : failure }
      : { method: 'pwd' },
    context,
  });
  if (failure === 'invalid_credentials' || !user) {
    return { ok: false, error: 'invalid_credentials' };
  }
  if (failure) return { ok: false, error: failure };
  await signInSucceeded(email, context);
  return { ok: true, user: { id: user.id, email: user.email, name: user.name, isAdmin: user.isAdmin } };
}

/** Disables an account and ends all of its sessions at once. */
export async function disableUser(
  email: unknown,
  context: AuditContext,
  actorUserId: string | null,
): Promise<{ ok: true; userId: string } | { ok: false; error: 'not_found' }> {
  const parsed = emailSchema.safeParse(email);
  if (!parsed.success) return { ok: false, error: 'not_found' };
  return db().$transaction(async (tx) => {
    const userId = await setUserDisabledAt(parsed.data, new Date(), tx);
    if (!userId) return { ok: false as const, error: 'not_found' as const };
    const sessions = await deleteUserSessions(userId, undefined, tx);
    await recordAuditEvent(
      { type: 'user.disabled', outcome: 'success', actorUserId, subject: userId, details: { sessionsEnded: sessions }, context },
      tx,
    );
    return { ok: true as const, userId };
  });
}
