import 'server-only';
import { db } from '../../db/client';
import { revokeClientGrantRowsBeyondScopes, revokeGrantRows, revokeUserGrantRows } from '../../db/grants';
import type { DbClient } from '../../db/users';
import { recordAuditEvent } from '../../audit/record';
import type { AuditContext, AuditEventInput } from '../../audit/events';

/** Why a grant ends early; stored in grants.revoked_reason and in the audit event. */
export type GrantRevocationReason =
  | 'authorization_code_reused'
  | 'refresh_token_reused'
  | 'revoked_by_client'
  | 'revoked_by_user'
  | 'consent_narrowed'
  | 'revoked_by_admin'
  | 'password_changed'
  | 'password_reset';

const NO_CONTEXT: AuditContext = { ip: null, userAgent: null, requestId: null };

export interface RevokeGrantOptions {
  context?: AuditContext;
  now?: Date;
  /** An event that explains the revocation (e.g. token.code_reused), recorded in the same transaction. */
  cause?: Omit<AuditEventInput, 'context'>;
}

/**
 * Revokes a grant and so every token issued from it: its refresh tokens directly, its access
 * tokens through their `gid` claim (token-status checks grants.revoked_at). The change and its
 * `grant.revoked` audit event commit together. Returns false when the grant was already revoked
 * (the cause is recorded all the same: every reuse attempt is worth an audit line).
 */
export async function revokeGrant(grantId: string, reason: GrantRevocationReason, options: RevokeGrantOptions = {}): Promise<boolean> {
  const context = options.context ?? NO_CONTEXT;
  const now = options.now ?? new Date();
  // Every loser of a raced code or refresh token revokes: a burst that queues for connections
  // (the embedded database has one), where Prisma's default 2 s wait ended some in a 500 under load.
  return db().$transaction(
    async (tx) => {
      if (options.cause) await recordAuditEvent({ ...options.cause, context }, tx);
      const revoked = await revokeGrantRows(grantId, reason, now, tx);
      if (revoked) {
        await recordAuditEvent({ type: 'grant.revoked', outcome: 'success', subject: grantId, details: { reason }, context }, tx);
      }
      return revoked;
    },
    { maxWait: 15_000 },
  );
}

/**
 * Revokes every live grant of a user, or only those of one client: their refresh tokens, and
 * their access tokens through `gid`. Pass the caller's transaction as `client` to commit it with
 * the change that caused it; one `grant.revoked` event records how many. Returns that count.
 */
export async function revokeUserGrants(
  userId: string,
  reason: GrantRevocationReason,
  options: { clientId?: string; context?: AuditContext; now?: Date; client?: DbClient } = {},
): Promise<number> {
  const now = options.now ?? new Date();
  const count = await revokeUserGrantRows(userId, reason, now, { clientId: options.clientId, client: options.client });
  if (count > 0) {
    await recordAuditEvent(
      {
        type: 'grant.revoked',
        outcome: 'success',
        actorUserId: userId,
        subject: options.clientId ?? userId,
        details: { reason, count },
        context: options.context ?? NO_CONTEXT,
      },
      options.client,
    );
  }
  return count;
}

/**
 * Revokes the user's live grants of one client that hold a scope outside `allowed` (after the
 * user narrowed their consent): their refresh tokens, and their access tokens through `gid`. Pass
 * the caller's transaction as `client`; one `grant.revoked` event records how many. Returns that count.
 */
export async function revokeClientGrantsBeyondScopes(
  userId: string,
  clientId: string,
  allowed: string[],
  options: { context?: AuditContext; now?: Date; client?: DbClient } = {},
): Promise<number> {
  const reason: GrantRevocationReason = 'consent_narrowed';
  const count = await revokeClientGrantRowsBeyondScopes(userId, clientId, allowed, reason, options.now ?? new Date(), options.client);
  if (count > 0) {
    await recordAuditEvent(
      { type: 'grant.revoked', outcome: 'success', actorUserId: userId, subject: clientId, details: { reason, count }, context: options.context ?? NO_CONTEXT },
      options.client,
    );
  }
  return count;
}
