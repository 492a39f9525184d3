import 'server-only';
import { adminUserFields } from './admin-users';
import { AUDIT_CONTENT_FIELDS } from './audit';
import { db } from './client';
import type { Prisma } from './generated/client';
import type { DbClient } from './users';
import type { Bytes } from '../crypto/hash';

/**
 * The queries behind privacy self-service (lib/privacy): everything Optare holds about one user,
 * for the export, and the deletion of the account with the pseudonymisation of its audit events.
 * Queries only; the rules live in lib/privacy and lib/audit/pseudonymise.ts.
 */

/** One read of what the export shows; never a secret, hash, key or counter. */
export function readUserDataForExport(userId: string, now: Date) {
  return db().user.findUnique({
    where: { id: userId },
    select: {
      ...adminUserFields,
      sessions: {
        where: { absoluteExpiresAt: { gt: now }, idleExpiresAt: { gt: now } },
        select: { id: true, ip: true, userAgent: true, amr: true, createdAt: true, lastSeenAt: true, authenticatedAt: true, idleExpiresAt: true, absoluteExpiresAt: true },
        orderBy: { createdAt: 'desc' },
      },
      trustedDevices: {
        where: { expiresAt: { gt: now } },
        select: { ip: true, userAgent: true, createdAt: true, lastUsedAt: true, expiresAt: true },
        orderBy: { createdAt: 'desc' },
      },
      totpFactor: { select: { createdAt: true, confirmedAt: true } },
      webauthnCredentials: {
        select: { nickname: true, createdAt: true, lastUsedAt: true, transports: true, aaguid: true, backupEligible: true, backedUp: true },
        orderBy: { createdAt: 'asc' },
      },
      consents: { select: { clientId: true, scopes: true, createdAt: true, updatedAt: true, client: { select: { name: true } } }, orderBy: { createdAt: 'asc' } },
      grants: {
        select: { clientId: true, scopes: true, createdAt: true, expiresAt: true, revokedAt: true, revokedReason: true, client: { select: { name: true } } },
        orderBy: { createdAt: 'asc' },
      },
      emailTokens: {
        where: { consumedAt: null, expiresAt: { gt: now } },
        select: { purpose: true, createdAt: true, expiresAt: true },
        orderBy: { createdAt: 'asc' },
      },
      _count: { select: { recoveryCodes: { where: { usedAt: null } } } },
    },
  });
}

export type UserExportRow = NonNullable<Awaited<ReturnType<typeof readUserDataForExport>>>;

/**
 * What deleting an account removed, table by table (names the audit log's secret-key check
 * accepts: no "token" or "code" in them).
 */
export interface DeletedUserRows {
  sessionsEnded: number;
  grantsRevoked: number;
  refreshRevoked: number;
  consentsRevoked: number;
  passkeysRemoved: number;
  totpRemoved: number;
  recoveryRemoved: number;
  rememberedBrowsersForgotten: number;
  emailLinksCancelled: number;
  pendingSignInsEnded: number;
}

/**
 * Deletes the user row and everything that hangs off it, counting each kind first (the foreign
 * keys would cascade; the counts go into the audit event). Access tokens carry their grant's id
 * (`gid`): with the grant gone they are refused at once (lib/oauth/token-status.ts).
 */
export async function deleteUserAndRows(userId: string, tx: DbClient): Promise<DeletedUserRows> {
  const refresh = await tx.refreshToken.deleteMany({ where: { grant: { userId } } });
  const grants = await tx.grant.deleteMany({ where: { userId } });
  const sessions = await tx.session.deleteMany({ where: { userId } });
  const consents = await tx.consent.deleteMany({ where: { userId } });
  const passkeys = await tx.webAuthnCredential.deleteMany({ where: { userId } });
  const totp = await tx.totpFactor.deleteMany({ where: { userId } });
  const recovery = await tx.recoveryCode.deleteMany({ where: { userId } });
  const browsers = await tx.trustedDevice.deleteMany({ where: { userId } });
  const emailLinks = await tx.emailToken.deleteMany({ where: { userId } });
  const pending = await tx.pendingLogin.deleteMany({ where: { userId } });
  await tx.webAuthnChallenge.deleteMany({ where: { userId } });
  await tx.user.delete({ where: { id: userId }, select: { id: true } });
  return {
    sessionsEnded: sessions.count,
    grantsRevoked: grants.count,
    refreshRevoked: refresh.count,
    consentsRevoked: consents.count,
    passkeysRemoved: passkeys.count,
    totpRemoved: totp.count,
    recoveryRemoved: recovery.count,
    rememberedBrowsersForgotten: browsers.count,
    emailLinksCancelled: emailLinks.count,
    pendingSignInsEnded: pending.count,
  };
}

/**
 * Locks the audit chain head until the transaction ends: no event can be appended meanwhile, so
 * none of the user's can slip in between the pseudonymisation and the commit.
 */
export async function lockAuditChainHead(tx: DbClient): Promise<void> {
  await tx.$queryRaw`SELECT "seq" FROM "audit_chain_head" WHERE "id" = 1 FOR UPDATE`;
}

/** The values of these details members in the events the user made or that name them (earlier email addresses). */
export async function findUserAuditDetailValues(userId: string, keys: readonly string[], tx: DbClient): Promise<string[]> {
  const rows = await tx.$queryRaw<{ value: string }[]>`
    SELECT DISTINCT d.value
    FROM "audit_events" e, jsonb_each_text(CASE WHEN jsonb_typeof(e."details") = 'object' THEN e."details" ELSE '{}'::jsonb END) AS d(key, value)
    WHERE (e."actor_user_id" = ${userId}::uuid OR e."subject" = ${userId})
      AND d.key = ANY(${keys as string[]}::text[]) AND d.value IS NOT NULL`;
  return rows.map((row) => row.value);
}

const pseudonymisableFields = { ...AUDIT_CONTENT_FIELDS, contentVersion: true } as const;

export type PseudonymisableAuditRow = Prisma.AuditEventGetPayload<{ select: typeof pseudonymisableFields }>;

/** The events not yet pseudonymised that the user made, or whose subject is one of `subjects`. */
export function findAuditEventsOf(userId: string, subjects: string[], tx: DbClient): Promise<PseudonymisableAuditRow[]> {
  return tx.auditEvent.findMany({
    where: { pseudonymisedAt: null, OR: [{ actorUserId: userId }, { subject: { in: subjects } }] },
    select: pseudonymisableFields,
    orderBy: { seq: 'asc' },
  });
}

export interface Pseudonymisation {
  userId: string;
  pseudonym: string;
  /** The subjects that name the user (their id, their email addresses). */
  subjects: string[];
  /** Details members to drop. */
  personalDetailKeys: readonly string[];
  now: Date;
}

/**
 * Overwrites the personal fields of these events and deletes their salts, as the one UPDATE the
 * append-only trigger lets through (this transaction declares itself a pseudonymisation; the row
 * trigger allows only the personal columns to change, once). The user's id and addresses become
 * the pseudonym; the IP address and browser are cleared unless another actor (an administrator,
 * an API key) made the event; the personal details members are dropped. Version 1 events also
 * get the content hash they were chained with (`legacyHashes`, by seq).
 */
export async function pseudonymiseAuditRows(seqs: bigint[], legacyHashes: Map<bigint, Bytes>, change: Pseudonymisation, tx: DbClient): Promise<number> {
  if (seqs.length === 0) return 0;
  const seqTexts = seqs.map(String);
  const legacySeqs = [...legacyHashes.keys()].map(String);
  const legacyHashValues = [...legacyHashes.values()].map((hash) => Buffer.from(hash));
  await tx.$executeRaw`SELECT set_config('optare.audit_pseudonymise', 'on', true)`;
  const updated = await tx.$executeRaw`
    UPDATE "audit_events" e SET
      "actor_user_id" = CASE WHEN e."actor_user_id" = ${change.userId}::uuid THEN ${change.pseudonym}::uuid ELSE e."actor_user_id" END,
      "subject" = CASE WHEN e."subject" = ANY(${change.subjects}::text[]) THEN ${change.pseudonym} ELSE e."subject" END,
      "ip" = CASE WHEN e."actor_api_key_id" IS NOT NULL OR e."actor_user_id" <> ${change.userId}::uuid THEN e."ip" ELSE NULL END,
      "user_agent" = CASE WHEN e."actor_api_key_id" IS NOT NULL OR e."actor_user_id" <> ${change.userId}::uuid THEN e."user_agent" ELSE NULL END,
      "details" = CASE WHEN jsonb_typeof(e."details") = 'object' THEN e."details" - ${change.personalDetailKeys as string[]}::text[] ELSE e."details" END,
      "pseudonymised_at" = ${change.now}::timestamptz,
      "legacy_content_hash" = legacy."hash"
    FROM unnest(${seqTexts}::int8[]) AS target("seq")
    LEFT JOIN unnest(${legacySeqs}::int8[], ${legacyHashValues}::bytea[]) AS legacy("seq", "hash") ON legacy."seq" = target."seq"
    WHERE e."seq" = target."seq"`;
  await tx.$executeRaw`DELETE FROM "audit_personal_salts" WHERE "seq" = ANY(${seqTexts}::int8[])`;
  await tx.$executeRaw`SELECT set_config('optare.audit_pseudonymise', 'off', true)`;
  return updated;
}
