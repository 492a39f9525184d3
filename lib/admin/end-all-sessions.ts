import 'server-only';
import type { AuditContext } from '../audit/events';
import { recordAuditEvent } from '../audit/record';
import { deleteAllSessions, type AllSessionsEnded } from '../db/end-all-sessions';
import { fieldErrorsOf, type FieldErrors } from '../validation/account';
import { auditActor, type AdminActor } from './actor';
import { endAllSessionsConsoleSchema, endAllSessionsSchema } from './end-all-sessions-schema';

/**
 * Ends the sessions of every user at once (ASVS 7.4.5), e.g. after a suspected compromise of
 * session cookies: every browser session, every unfinished sign-in and every remembered browser
 * (so the next sign-in asks for the second factor again). Everyone signs in again.
 *
 * Not ended: the apps' grants and their refresh and access tokens, which are not sessions of
 * Optare (an administrator revokes those per user, "Sign out everywhere", or per app). Kept: the
 * acting administrator's own console session, when the console asked (`keepSessionId`), so that
 * they can watch the result; the admin API and the CLI keep none.
 *
 * Recorded as `sessions.ended_all` with the counts and the reason, in the same transaction.
 */

/** Who ends them: an administrator or an API key (lib/admin/actor.ts), or the CLI on the server. */
export type EndAllSessionsActor = AdminActor | { kind: 'cli'; context: AuditContext };

export type EndAllSessionsResult =
  | { ok: true; ended: AllSessionsEnded; keptOwnSession: boolean }
  | { ok: false; error: 'invalid_request'; fieldErrors: FieldErrors };

/**
 * `keepSessionId`: the console administrator's own session, kept. `typedConfirmation`: the input
 * must also carry the console's typed confirmation (endAllSessionsConsoleSchema).
 */
export async function endAllSessions(
  actor: EndAllSessionsActor,
  input: unknown,
  options: { keepSessionId?: string; typedConfirmation?: boolean } = {},
): Promise<EndAllSessionsResult> {
  const parsed = (options.typedConfirmation ? endAllSessionsConsoleSchema : endAllSessionsSchema).safeParse(input);
  if (!parsed.success) return { ok: false, error: 'invalid_request', fieldErrors: fieldErrorsOf(parsed.error) };
  const keep = options.keepSessionId ?? null;
  const who = actor.kind === 'cli' ? { actorUserId: null, actorApiKeyId: null, context: actor.context } : auditActor(actor);
  return deleteAllSessions(keep, async (ended, tx) => {
    await recordAuditEvent(
      {
        type: 'sessions.ended_all',
        outcome: 'success',
        ...who,
        subject: null,
        details: { ...ended, keptOwnSession: keep !== null, reason: parsed.data.reason },
      },
      tx,
    );
    return { ok: true as const, ended, keptOwnSession: keep !== null };
  });
}
