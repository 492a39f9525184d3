import 'server-only';
import { recordAuditEvent } from '../audit/record';
import type { AuditContext } from '../audit/events';
import { createUser } from '../auth/accounts';
import { sha256 } from '../crypto/hash';
import { randomToken } from '../crypto/random';
import { consumeSetupToken, countAdmins, deleteSetupTokens, insertSetupToken, isSetupTokenValid, releaseSetupToken } from '../db/admin-setup';
import type { FieldErrors } from '../validation/account';

/**
 * First run: while no administrator exists, each start of the server makes a one-time setup link
 * (a 256-bit token, valid for an hour or until used) that lets whoever runs the server create
 * the first administrator in the browser. Only the token's hash is stored; the link is printed
 * on the server's console, never written to the log. The token travels in the link's fragment
 * (`/setup#token=…`, read by the page's script as email links are), which browsers never send
 * to a server, a proxy's access log or a Referer.
 */
export const SETUP_TOKEN_TTL_MS = 60 * 60 * 1000;
export const SETUP_PATH = '/setup';
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** The setup link, or null when an administrator exists already. */
export async function firstRunSetupLink(issuer: string, now = new Date()): Promise<string | null> {
  if ((await countAdmins()) > 0) return null;
  const token = randomToken(32);
  await insertSetupToken(sha256(token), new Date(now.getTime() + SETUP_TOKEN_TTL_MS));
  return `${issuer}${SETUP_PATH}#token=${token}`;
}

/** Whether the first-run setup is still open at all: no administrator exists yet. */
export async function setupOpen(): Promise<boolean> {
  return (await countAdmins()) === 0;
}

/** Whether a setup link can still be used: its token is valid and no administrator exists. */
export async function setupAvailable(token: unknown, now = new Date()): Promise<boolean> {
  if (typeof token !== 'string' || !TOKEN_PATTERN.test(token)) return false;
  return (await countAdmins()) === 0 && (await isSetupTokenValid(sha256(token), now));
}

export type SetupResult =
  | { ok: true; userId: string }
  | { ok: false; error: 'invalid_token' | 'admin_exists' | 'email_taken' }
  | { ok: false; fieldErrors: FieldErrors };

/** Creates the first administrator with the setup link's token (single use). */
export async function completeSetup(input: Record<string, unknown>, context: AuditContext, now = new Date()): Promise<SetupResult> {
  const { token } = input;
  if (typeof token !== 'string' || !TOKEN_PATTERN.test(token)) return { ok: false, error: 'invalid_token' };
  if ((await countAdmins()) > 0) return { ok: false, error: 'admin_exists' };
  const tokenHash = sha256(token);
  if (!(await consumeSetupToken(tokenHash, now))) return { ok: false, error: 'invalid_token' };
  const created = await createUser({ email: input.email, password: input.password, name: input.name, isAdmin: true }, context, 'setup');
  if (!created.ok) {
    await releaseSetupToken(tokenHash);
    if ('fieldErrors' in created) return { ok: false, fieldErrors: created.fieldErrors };
    return { ok: false, error: 'email_taken' };
  }
  await deleteSetupTokens();
  await recordAuditEvent({ type: 'admin.setup_completed', outcome: 'success', actorUserId: created.user.id, subject: created.user.id, context });
  return { ok: true, userId: created.user.id };
}
